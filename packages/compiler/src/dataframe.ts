// Teaches the Flyte type engine about DataFrames: a Parquet structured dataset in flytekit's pandas layout (a folder
// holding one file `00000`), so that a pandas task downstream reads it with pd.read_parquet.
import { randomBytes } from 'node:crypto';
import { DataFrame, fromParquet, toParquet } from '@unionml/data';
import type * as Flyte from '@unionml/flyte';

let registered = false;

/** Registers the `unionml.DataFrame` transformer with the Flyte type engine (once). */
export function registerDataFrameTransformer(flyte: typeof Flyte): void {
  if (registered) return;
  registered = true;
  flyte.registerTransformer({
    name: 'unionml.DataFrame',
    async toLiteral(value, _type, ctx) {
      const frame = DataFrame.from(value);
      const uri = flyte.joinUri(ctx.rawOutputPrefix, randomBytes(8).toString('hex'));
      await ctx.storage.write(flyte.joinUri(uri, '00000'), await toParquet(frame));
      return { scalar: { structuredDataset: { uri, metadata: { structuredDatasetType: { format: 'parquet', columns: [] } } } } };
    },
    async fromLiteral(literal, _type, ctx) {
      const uri = literal.scalar?.structuredDataset?.uri;
      if (!uri) throw new TypeError('expected a structured dataset literal');
      const files = await flyte.structuredDatasetFiles(uri, ctx.storage);
      const frames = await Promise.all(files.map(async (file) => fromParquet(await ctx.storage.read(file))));
      return concat(frames);
    },
  });
}

function concat(frames: DataFrame[]): DataFrame {
  if (frames.length === 1) return frames[0]!;
  if (frames.length === 0) return DataFrame.empty();
  return DataFrame.fromRecords(frames.flatMap((f) => f.toRecords()), { columns: frames[0]!.columns });
}
