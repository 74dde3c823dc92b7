import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskArgs } from './builders.js';
import { flyteidl, Long } from './idl.js';
import { fromLiteralMap, toLiteralMap } from './literals.js';
import { errorDocument, executeTask, parseExecuteArgs } from './runtime.js';
import { anyStorage, fileUri, storageFor } from './storage.js';
import { startTestS3, type TestS3 } from './test-support/s3.js';
import { TEST_TASKS } from './test-support/tasks.js';
import { t } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const entrypoint = join(here, 'test-support', 'entrypoint.ts');
let root: string;
let s3: TestS3;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-runtime-'));
  s3 = await startTestS3(join(root, 's3rver'));
});

afterAll(async () => {
  await s3?.close();
});

interface Run {
  code: number | null;
  stderr: string;
}

/** Runs the test entrypoint as propeller would: `<entrypoint> --inputs ... -- task-name <name>`. */
function runTask(task: string, prefixes: { inputs: string; outputPrefix: string; raw: string }, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const args = taskArgs([], ['task-name', task]).map((arg) =>
    arg
      .replace('{{.input}}', prefixes.inputs)
      .replace('{{.outputPrefix}}', prefixes.outputPrefix)
      .replace('{{.rawOutputDataPrefix}}', prefixes.raw)
      .replace('{{.checkpointOutputPrefix}}', `${prefixes.raw}/_flytecheckpoints`)
      .replace('{{.prevCheckpointPrefix}}', '""'),
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@unionml/source', entrypoint, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

const local = { storage: anyStorage({}), rawOutputPrefix: '', workDir: '' };

/** A fresh attempt folder with inputs.pb written from values. */
async function attempt(name: string, values?: Record<string, unknown>, types?: Record<string, ReturnType<typeof t.int>>) {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const inputs = join(dir, 'inputs.pb');
  if (values && types) await writeFile(inputs, flyteidl.core.LiteralMap.encode(await toLiteralMap(values, types, { ...local, rawOutputPrefix: join(dir, 'upload'), workDir: dir })).finish());
  return { dir, inputs: fileUri(inputs), outputPrefix: fileUri(join(dir, '0')), raw: fileUri(join(dir, 'raw')), outputs: join(dir, '0', 'outputs.pb'), error: join(dir, '0', 'error.pb') };
}

const exists = (path: string) => stat(path).then(() => true, () => false);
const readError = async (path: string) => flyteidl.core.ErrorDocument.decode(await readFile(path)).error!;
const readOutputs = async (path: string, types: Record<string, ReturnType<typeof t.int>>) => fromLiteralMap(flyteidl.core.LiteralMap.decode(await readFile(path)), types, { ...local, workDir: root });
const { ContainerError, ExecutionError } = flyteidl.core;

describe('parseExecuteArgs', () => {
  it('reads what taskArgs makes, with "" meaning no previous checkpoint', () => {
    const argv = ['--inputs', 's3://b/n0/data/inputs.pb', '--output-prefix', 's3://b/n0/data/0', '--raw-output-data-prefix', 's3://b/data/x-n0-0', '--checkpoint-path', 's3://b/data/x-n0-0/_flytecheckpoints', '--prev-checkpoint', '""', '--', 'task-module', 'app.js', 'task-name', 'train'];
    expect(parseExecuteArgs(argv)).toEqual({
      inputs: 's3://b/n0/data/inputs.pb',
      outputPrefix: 's3://b/n0/data/0',
      rawOutputDataPrefix: 's3://b/data/x-n0-0',
      checkpointPath: 's3://b/data/x-n0-0/_flytecheckpoints',
      address: ['task-module', 'app.js', 'task-name', 'train'],
    });
    expect(parseExecuteArgs([...argv.slice(0, 9), 's3://b/prev', ...argv.slice(10)]).prevCheckpoint).toBe('s3://b/prev');
  });

  it('accepts --flag=value, skips unknown flags and rejects missing required ones', () => {
    expect(parseExecuteArgs(['--inputs=/i.pb', '--resolver', 'x.y', '--output-prefix=/o', '--raw-output-data-prefix', '/r', '--']).outputPrefix).toBe('/o');
    expect(() => parseExecuteArgs(['--inputs', '/i.pb', '--raw-output-data-prefix', '/r'])).toThrow('missing --output-prefix');
    expect(() => parseExecuteArgs(['--inputs'])).toThrow('--inputs needs a value');
    expect(() => parseExecuteArgs(['oops'])).toThrow(/unexpected argument "oops"/);
  });
});

describe('executeTask in a real process (file:// prefixes)', () => {
  it('runs a task: outputs.pb holds the outputs, no error.pb, exit 0', async () => {
    const a = await attempt('add', { a: 2, b: 40 }, { a: t.int(), b: t.int() });
    const run = await runTask('add', a);
    expect(run).toMatchObject({ code: 0 });
    expect(await readOutputs(a.outputs, { o0: t.int() })).toEqual({ o0: 42 });
    expect(await exists(a.error)).toBe(false);
  });

  it('a task that throws: error.pb USER / NON_RECOVERABLE with the message and stack, exit 0', async () => {
    const a = await attempt('fail', { a: 12 }, { a: t.int() });
    const run = await runTask('fail', a);
    expect(run.code).toBe(0);
    expect(await exists(a.outputs)).toBe(false);
    const error = await readError(a.error);
    expect(error.origin).toBe(ExecutionError.ErrorKind.USER);
    expect(error.kind).toBe(ContainerError.Kind.NON_RECOVERABLE);
    expect(error.code).toBe('USER:RuntimeError');
    expect(error.message).toMatch(/^Trace:\n\n {4}RangeError: a must be below 10, got 12\n {8}at /);
    expect(error.message).toMatch(/tasks\.ts:\d+/);
    expect(error.message!.endsWith('Message:\n\n    RangeError: a must be below 10, got 12')).toBe(true);
    expect(Long.fromValue(error.timestamp!.seconds!).toNumber()).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(run.stderr).toContain('!! Begin User Error Captured by Flyte !!');
  });

  it('exits 1 after writing error.pb when FLYTE_FAIL_ON_ERROR=true', async () => {
    const a = await attempt('fail-on-error', { a: 12 }, { a: t.int() });
    expect((await runTask('fail', a, { FLYTE_FAIL_ON_ERROR: 'true' })).code).toBe(1);
    expect((await readError(a.error)).origin).toBe(ExecutionError.ErrorKind.USER);
  });

  it('a FlyteRecoverableError is USER / RECOVERABLE', async () => {
    const a = await attempt('flaky', {}, {});
    expect((await runTask('flaky', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.USER, ContainerError.Kind.RECOVERABLE, 'USER:Recoverable']);
  });

  it('a missing inputs.pb is a SYSTEM / RECOVERABLE error naming it', async () => {
    const a = await attempt('missing-inputs');
    expect((await runTask('add', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.RECOVERABLE, 'SYSTEM:NotFound']);
    expect(error.message).toContain(`cannot read the inputs of task add from ${a.inputs}`);
  });

  it('a corrupt inputs.pb is a SYSTEM / RECOVERABLE error', async () => {
    const a = await attempt('corrupt-inputs');
    await writeFile(join(a.dir, 'inputs.pb'), Buffer.from([0x0a, 0xff, 0xff, 0x01]));
    expect((await runTask('add', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.RECOVERABLE, 'SYSTEM:InputsCorrupt']);
    expect(error.message).toMatch(/are not a valid LiteralMap/);
  });

  it('inputs that do not fit the interface are a SYSTEM / NON_RECOVERABLE error', async () => {
    const a = await attempt('bad-inputs', { a: 'two', b: 1 }, { a: t.string(), b: t.int() });
    expect((await runTask('add', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.NON_RECOVERABLE, 'SYSTEM:InputsInvalid']);
    expect(error.message).toContain(`variable 'a': expected int, got a string literal "two"`);
  });

  it('an unknown task address is a SYSTEM / NON_RECOVERABLE error', async () => {
    const a = await attempt('unknown-task', { a: 1 }, { a: t.int() });
    expect((await runTask('nope', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.NON_RECOVERABLE, 'SYSTEM:TaskNotFound']);
    expect(error.message).toBe("cannot resolve task [task-name nope]: no task named 'nope' in the test entrypoint");
  });

  it('outputs that do not fit the interface are the task’s (USER) error', async () => {
    const a = await attempt('bad-output', {}, {});
    expect((await runTask('bad_output', a)).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.USER, ContainerError.Kind.NON_RECOVERABLE, 'USER:OutputsInvalid']);
    expect(error.message).toContain("variable 'o0': expected int, got 2.5");
  });

  it('exits non-zero when even error.pb cannot be written', async () => {
    const a = await attempt('unwritable', { a: 12 }, { a: t.int() });
    const blocker = join(a.dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const run = await runTask('fail', { ...a, outputPrefix: join(blocker, '0') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write error.pb to ${join(blocker, '0')}`);
  });

  it('a struct and a file in, a struct and a file out (uploaded under the raw output prefix)', async () => {
    const a = await attempt('summarize');
    const csv = join(a.dir, 'data.csv');
    await writeFile(csv, 'x,y\n1,2\n3,4\n');
    const types = TEST_TASKS['summarize']!.interface;
    await writeFile(join(a.dir, 'inputs.pb'), flyteidl.core.LiteralMap.encode(await toLiteralMap({ config: { title: 'sales' }, data: { uri: csv } }, types.inputs, { ...local, rawOutputPrefix: join(a.dir, 'upload'), workDir: a.dir })).finish());
    expect((await runTask('summarize', a)).code).toBe(0);
    const map = flyteidl.core.LiteralMap.decode(await readFile(a.outputs));
    expect(map.literals['summary']!.scalar!.binary!.tag).toBe('msgpack');
    const report = map.literals['report']!.scalar!.blob!;
    expect(report.metadata!.type!.format).toBe('txt');
    expect(report.uri).toMatch(new RegExp(`^${a.raw}/[0-9a-f]{32}/report\\.txt$`));
    const outputs = await fromLiteralMap(map, types.outputs, { ...local, workDir: root });
    expect(outputs['summary']).toEqual({ rows: 3, title: 'sales', tags: ['a', 'b'], ratio: 0.5 });
    expect(await readFile((outputs['report'] as { path: string }).path, 'utf8')).toBe('sales: 3 rows\n');
  });
});

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

describe('executeTask in process', () => {
  it('never throws, even when the resolver returns nothing', async () => {
    const a = await attempt('in-process', { a: 1 }, { a: t.int() });
    const result = await executeTask(async () => undefined as never, { inputs: a.inputs, outputPrefix: a.outputPrefix, rawOutputDataPrefix: a.raw, address: ['x'] }, { env: {} });
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, error: { kind: 'SYSTEM', recoverable: false, code: 'SYSTEM:TaskNotFound' } });
  });

  it('errorDocument leaves NON_RECOVERABLE (the proto3 default) out, as flytekit', () => {
    const bytes = errorDocument({ code: 'USER:RuntimeError', message: 'm', kind: 'USER', recoverable: false }, 1_700_000_000_500);
    const error = flyteidl.core.ErrorDocument.decode(bytes).error!;
    expect(Object.prototype.hasOwnProperty.call(error, 'kind')).toBe(false);
    expect(error.timestamp!.nanos).toBe(500_000_000);
  });
});
