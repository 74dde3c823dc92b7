// Teaches the Flyte type engine about DataFrames: a Parquet structured dataset in flytekit's pandas layout (a folder
// holding one file `00000`), so that a pandas task downstream reads it with pd.read_parquet.
import { randomBytes } from 'node:crypto';
import { DataFrame, fromParquet, toParquet } from '@unionml/data';
import { joinUri, structuredDatasetFiles, typeTransformers, type TypeTransformer } from '@unionml/flyte';

/** The name DataFrame variables give as their FlyteType's `transformer`. */
export const DATAFRAME_TRANSFORMER_NAME = 'unionml.DataFrame';

/** Converts `@unionml/data` DataFrames to and from Parquet structured datasets. */
export const dataFrameTransformer: TypeTransformer = {
  name: DATAFRAME_TRANSFORMER_NAME,
  async toLiteral(value, _type, ctx) {
    const frame = DataFrame.from(value);
    const uri = joinUri(ctx.rawOutputPrefix, randomBytes(8).toString('hex'));
    await ctx.storage.write(joinUri(uri, '00000'), await toParquet(frame));
    return { scalar: { structuredDataset: { uri, metadata: { structuredDatasetType: { format: 'parquet', columns: [] } } } } };
  },
  async fromLiteral(literal, _type, ctx) {
    const uri = literal.scalar?.structuredDataset?.uri;
    if (!uri) throw new TypeError('expected a structured dataset literal');
    const files = await structuredDatasetFiles(uri, ctx.storage);
    const frames = await Promise.all(files.map(async (file) => fromParquet(await ctx.storage.read(file))));
    return concat(frames);
  },
};

/** The transformers every conversion of the compiler passes to the type engine. */
export const TRANSFORMERS = typeTransformers(dataFrameTransformer);

function concat(frames: DataFrame[]): DataFrame {
  if (frames.length === 1) return frames[0]!;
  if (frames.length === 0) return DataFrame.empty();
  return DataFrame.fromRecords(
    frames.flatMap((f) => f.toRecords()),
    { columns: frames[0]!.columns },
  );
}
