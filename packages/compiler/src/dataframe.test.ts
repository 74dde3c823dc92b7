// The DataFrame transformer on what Python Flyte users send: a pandas frame that pyarrow wrote with a non-range index
// reads without its index column; a dataset file that is not Parquet fails the task as the user's data (USER, named,
// not retried), never as a transient system error.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataFrame } from '@unionml/data';
import { executeTask, fileUri, flyteidl, t, type TaskDefinition } from '@unionml/flyte';
import { describe, expect, it } from 'vitest';
import { TRANSFORMERS } from './dataframe.js';
import { DATAFRAME } from './plan.js';

const fixtures = fileURLToPath(new URL('../../data/fixtures/parquet/', import.meta.url));

/** A task that returns its frame's columns and row count. */
const describeFrame: TaskDefinition = {
  name: 'describe_frame',
  interface: {
    inputs: { features: DATAFRAME },
    outputs: { o0: t.string() },
  },
  run: (inputs) => {
    const frame = inputs['features'] as DataFrame;
    return Promise.resolve({ o0: `${frame.columns.join(',')} x${frame.length}` });
  },
};

/** An attempt whose `features` input is a structured dataset folder holding `file` as `00000`. */
async function attempt(file: string | Uint8Array) {
  const dir = await mkdtemp(join(tmpdir(), 'compiler-frame-'));
  const dataset = join(dir, 'dataset');
  await mkdir(dataset);
  if (typeof file === 'string') await copyFile(file, join(dataset, '00000'));
  else await writeFile(join(dataset, '00000'), file);
  const inputs: flyteidl.core.ILiteralMap = {
    literals: { features: { scalar: { structuredDataset: { uri: fileUri(dataset), metadata: { structuredDatasetType: { format: 'parquet' } } } } } },
  };
  await writeFile(join(dir, 'inputs.pb'), flyteidl.core.LiteralMap.encode(inputs).finish());
  return {
    dir,
    args: { inputs: fileUri(join(dir, 'inputs.pb')), outputPrefix: fileUri(join(dir, 'out')), rawOutputDataPrefix: fileUri(join(dir, 'raw')), address: [] },
  };
}

describe('the DataFrame transformer in a task', () => {
  it('reads a file pyarrow wrote from a filtered pandas frame: its index is not a column', async () => {
    const { dir, args } = await attempt(join(fixtures, 'index-filtered.parquet'));
    const result = await executeTask(() => Promise.resolve(describeFrame), args, { transformers: TRANSFORMERS });
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    const outputs = flyteidl.core.LiteralMap.decode(await readFile(join(dir, 'out', 'outputs.pb')));
    const text = outputs.literals['o0']!.scalar!.primitive!.stringValue!;
    expect(text).not.toContain('__index_level_0__');
    expect(text.endsWith(' x2')).toBe(true);
  });

  it("a dataset file that is not Parquet is the user's data: USER, NON_RECOVERABLE, naming the variable", async () => {
    const { dir, args } = await attempt(new TextEncoder().encode('not parquet'));
    const result = await executeTask(() => Promise.resolve(describeFrame), args, { transformers: TRANSFORMERS });
    expect(result.error).toMatchObject({ code: 'USER:DataInvalid', kind: 'USER', recoverable: false });
    expect(result.error!.message).toContain("variable 'features'");
    expect(result.error!.message).toContain('not a valid Parquet file');
    const document = flyteidl.core.ErrorDocument.decode(await readFile(join(dir, 'out', 'error.pb')));
    expect(document.error!.kind).toBe(flyteidl.core.ContainerError.Kind.NON_RECOVERABLE);
  });
});
