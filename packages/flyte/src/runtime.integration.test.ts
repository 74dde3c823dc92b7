import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flyteidl } from './idl.js';
import { fromLiteralMap, toLiteralMap } from './literals.js';
import { anyStorage, storageFor } from './storage.js';
import { runTask } from './test-support/run-task.js';
import { startTestS3, type TestS3 } from './test-support/s3.js';
import { TEST_TASKS } from './test-support/tasks.js';

// The task runtime against an S3 server (s3rver on loopback): the integration tier.

let root: string;
let s3: TestS3;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-runtime-s3-'));
  s3 = await startTestS3(join(root, 's3rver'));
});

afterAll(async () => {
  await s3?.close();
});

const { ContainerError, ExecutionError } = flyteidl.core;

describe('executeTask through s3:// (s3rver)', () => {
  it('reads inputs.pb and a blob from S3, writes outputs.pb and the output blob to S3', async () => {
    const storage = storageFor('s3://flyte', s3.env);
    const base = 's3://flyte/metadata/propeller/flytesnacks-development-abc/n0/data';
    const types = TEST_TASKS['summarize']!.interface;
    const csv = join(root, 's3-data.csv');
    await writeFile(csv, 'a\nb\n');
    const ctx = { storage: anyStorage(s3.env), rawOutputPrefix: 's3://flyte/data/upload', workDir: join(root, 's3-work') };
    const inputs = await toLiteralMap({ config: { title: 's3' }, data: { uri: csv } }, types.inputs, ctx);
    expect(inputs.literals!['data']!.scalar!.blob!.uri).toMatch(/^s3:\/\/flyte\/data\/upload\/[0-9a-f]{32}\/s3-data\.csv$/);
    await storage.write(`${base}/inputs.pb`, flyteidl.core.LiteralMap.encode(inputs).finish());
    const run = await runTask('summarize', { inputs: `${base}/inputs.pb`, outputPrefix: `${base}/0`, raw: 's3://flyte/data/ab/abc-n0-0' }, s3.env);
    expect(run.code).toBe(0);
    expect(await storage.exists(`${base}/0/error.pb`)).toBe(false);
    const map = flyteidl.core.LiteralMap.decode(await storage.read(`${base}/0/outputs.pb`));
    expect(map.literals['report']!.scalar!.blob!.uri).toMatch(/^s3:\/\/flyte\/data\/ab\/abc-n0-0\/[0-9a-f]{32}\/report\.txt$/);
    const outputs = await fromLiteralMap(map, types.outputs, ctx);
    expect(outputs['summary']).toMatchObject({ rows: 2, title: 's3' });
    expect(await readFile((outputs['report'] as { path: string }).path, 'utf8')).toBe('s3: 2 rows\n');
  });

  it('writes a SYSTEM error.pb to S3 when inputs.pb is missing there', async () => {
    const base = 's3://flyte/metadata/missing/n0/data';
    expect((await runTask('add', { inputs: `${base}/inputs.pb`, outputPrefix: `${base}/0`, raw: 's3://flyte/data/missing' }, s3.env)).code).toBe(0);
    const error = flyteidl.core.ErrorDocument.decode(await storageFor('s3://flyte', s3.env).read(`${base}/0/error.pb`)).error!;
    expect([error.origin, error.kind]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.RECOVERABLE]);
    expect(error.message).toContain(`${base}/inputs.pb does not exist`);
  });
});
