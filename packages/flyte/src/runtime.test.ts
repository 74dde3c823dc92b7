import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flyteidl, Long } from './idl.js';
import { fromLiteralMap, toLiteralMap, typeTransformers, type TypeTransformer } from './literals.js';
import { errorDocument, executeTask, parseExecuteArgs, type TaskDefinition } from './runtime.js';
import { anyStorage, fileUri } from './storage.js';
import { runTask } from './test-support/run-task.js';
import { startSilentServer, type SilentServer } from './test-support/silent-server.js';
import { TEST_TASKS } from './test-support/tasks.js';
import { t } from './types.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-runtime-'));
});

const local = { storage: anyStorage({}), rawOutputPrefix: '', workDir: '' };

/** A fresh attempt folder with inputs.pb written from values. */
async function attempt(name: string, values?: Record<string, unknown>, types?: Record<string, ReturnType<typeof t.int>>) {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const inputs = join(dir, 'inputs.pb');
  if (values && types)
    await writeFile(
      inputs,
      flyteidl.core.LiteralMap.encode(await toLiteralMap(values, types, { ...local, rawOutputPrefix: join(dir, 'upload'), workDir: dir })).finish(),
    );
  return {
    dir,
    inputs: fileUri(inputs),
    outputPrefix: fileUri(join(dir, '0')),
    raw: fileUri(join(dir, 'raw')),
    outputs: join(dir, '0', 'outputs.pb'),
    error: join(dir, '0', 'error.pb'),
  };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const readError = async (path: string) => flyteidl.core.ErrorDocument.decode(await readFile(path)).error!;
const readOutputs = async (path: string, types: Record<string, ReturnType<typeof t.int>>) =>
  fromLiteralMap(flyteidl.core.LiteralMap.decode(await readFile(path)), types, { ...local, workDir: root });
const { ContainerError, ExecutionError } = flyteidl.core;

describe('parseExecuteArgs', () => {
  it('reads what taskArgs makes, with "" meaning no previous checkpoint', () => {
    const argv = [
      '--inputs',
      's3://b/n0/data/inputs.pb',
      '--output-prefix',
      's3://b/n0/data/0',
      '--raw-output-data-prefix',
      's3://b/data/x-n0-0',
      '--checkpoint-path',
      's3://b/data/x-n0-0/_flytecheckpoints',
      '--prev-checkpoint',
      '""',
      '--',
      'task-module',
      'app.js',
      'task-name',
      'train',
    ];
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

  it('a struct and a file in, a struct and a file out (uploaded under the raw output prefix)', async () => {
    const a = await attempt('summarize');
    const csv = join(a.dir, 'data.csv');
    await writeFile(csv, 'x,y\n1,2\n3,4\n');
    const types = TEST_TASKS['summarize']!.interface;
    await writeFile(
      join(a.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode(
        await toLiteralMap({ config: { title: 'sales' }, data: { uri: csv } }, types.inputs, {
          ...local,
          rawOutputPrefix: join(a.dir, 'upload'),
          workDir: a.dir,
        }),
      ).finish(),
    );
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

describe('executeTask when outputs cannot be written or storage does not answer: never a hang', () => {
  let silent: SilentServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });
  const s3Env = () => ({
    FLYTE_AWS_ENDPOINT: silent.endpoint,
    FLYTE_AWS_ACCESS_KEY_ID: 'k',
    FLYTE_AWS_SECRET_ACCESS_KEY: 's',
    UNIONML_STORAGE_TIMEOUT_SECONDS: '0.5',
  });

  it('an output prefix under /proc: exit 2 within seconds, stderr has both errors (the task ran; its outputs and error.pb could not be written)', async () => {
    const a = await attempt('proc', { a: 2, b: 40 }, { a: t.int(), b: t.int() });
    const prefix = `/proc/unionml-test-${process.pid}/0`;
    const run = await runTask('add', { ...a, outputPrefix: prefix });
    expect(run.code, run.stderr).toBe(2);
    expect(run.ms).toBeLessThan(15_000);
    const cannot = `cannot create the folder ${prefix} (ENOENT: no such file or directory, mkdir '/proc/unionml-test-${process.pid}')`;
    expect(run.stderr).toContain('!! Begin System Error Captured by Flyte !!');
    expect(run.stderr).toContain(
      `!! Cannot write error.pb: exit 2 !!\n` +
        `the task's error (not written): [SYSTEM:StorageFailed] cannot write the outputs of task add to ${prefix}: cannot write ${prefix}/outputs.pb: ${cannot}\n` +
        `the error writing ${prefix}/error.pb: [STORAGE_FAILED] cannot write ${prefix}/error.pb: ${cannot}\n`,
    );
    // A task that fails: its own error, and why error.pb is not there.
    const failing = await attempt('proc-fail', { a: 12 }, { a: t.int() });
    const failed = await runTask('fail', { ...failing, outputPrefix: fileUri(prefix) });
    expect(failed.code, failed.stderr).toBe(2);
    expect(failed.stderr).toContain("the task's error (not written): [USER:RuntimeError] RangeError: a must be below 10, got 12\n");
    expect(failed.stderr).toContain(`the error writing ${fileUri(prefix)}/error.pb: [STORAGE_FAILED] cannot write ${fileUri(prefix)}/error.pb: ${cannot}`);
  });

  it('an output prefix under a regular file: exit 2 with both errors', async () => {
    const a = await attempt('unwritable', { a: 12 }, { a: t.int() });
    const blocker = join(a.dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const run = await runTask('fail', { ...a, outputPrefix: join(blocker, '0') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the task's error (not written): [USER:RuntimeError] RangeError: a must be below 10, got 12\n");
    expect(run.stderr).toContain(
      `the error writing ${join(blocker, '0', 'error.pb')}: [STORAGE_FAILED] cannot write ${join(blocker, '0', 'error.pb')}: cannot create the folder ${join(blocker, '0')} (ENOTDIR`,
    );
  });

  it('outputs.pb that cannot be written where error.pb can: a SYSTEM / RECOVERABLE error.pb naming it, exit 0', async () => {
    const a = await attempt('outputs-folder', { a: 2, b: 40 }, { a: t.int(), b: t.int() });
    await mkdir(join(a.outputs, 'in-the-way'), { recursive: true });
    const run = await runTask('add', a);
    expect(run.code, run.stderr).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.RECOVERABLE, 'SYSTEM:StorageFailed']);
    expect(error.message).toMatch(new RegExp(`^cannot write the outputs of task add to ${a.outputPrefix}: cannot write ${a.outputPrefix}/outputs\\.pb: `));
  });

  it('a raw output data prefix under /proc: the upload fails at once, a SYSTEM error.pb', async () => {
    const a = await attempt('raw-proc');
    const csv = join(a.dir, 'data.csv');
    await writeFile(csv, 'x,y\n1,2\n');
    const types = TEST_TASKS['summarize']!.interface;
    await writeFile(
      join(a.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode(
        await toLiteralMap({ config: { title: 't' }, data: { uri: csv } }, types.inputs, { ...local, rawOutputPrefix: join(a.dir, 'upload'), workDir: a.dir }),
      ).finish(),
    );
    const run = await runTask('summarize', { ...a, raw: `/proc/unionml-test-${process.pid}/raw` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.ms).toBeLessThan(15_000);
    const error = await readError(a.error);
    expect([error.origin, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, 'SYSTEM:StorageFailed']);
    expect(error.message).toContain(`cannot create the folder /proc/unionml-test-${process.pid}/raw/`);
  });

  it('inputs.pb on an S3 endpoint that never answers: SYSTEM:StorageTimeout (RECOVERABLE) in error.pb after the timeout, exit 0', async () => {
    const a = await attempt('s3-silent-inputs');
    const run = await runTask('add', { ...a, inputs: 's3://flyte/metadata/n0/inputs.pb' }, s3Env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.ms).toBeLessThan(15_000);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([ExecutionError.ErrorKind.SYSTEM, ContainerError.Kind.RECOVERABLE, 'SYSTEM:StorageTimeout']);
    expect(error.message).toBe(
      'cannot read the inputs of task add from s3://flyte/metadata/n0/inputs.pb: cannot read s3://flyte/metadata/n0/inputs.pb: no result within 0.5 s (the storage timeout, UNIONML_STORAGE_TIMEOUT_SECONDS)',
    );
  });

  it('an S3 output prefix that never answers: exit 2 after two timeouts, with both errors', async () => {
    const a = await attempt('s3-silent-outputs', { a: 2, b: 40 }, { a: t.int(), b: t.int() });
    const run = await runTask('add', { ...a, outputPrefix: 's3://flyte/metadata/n0/0' }, s3Env());
    expect(run.code, run.stderr).toBe(2);
    expect(run.ms).toBeLessThan(15_000);
    expect(run.stderr).toContain(
      "the task's error (not written): [SYSTEM:StorageTimeout] cannot write the outputs of task add to s3://flyte/metadata/n0/0: cannot write s3://flyte/metadata/n0/0/outputs.pb: no result within 0.5 s",
    );
    expect(run.stderr).toContain(
      'the error writing s3://flyte/metadata/n0/0/error.pb: [STORAGE_TIMEOUT] cannot write s3://flyte/metadata/n0/0/error.pb: no result within 0.5 s (the storage timeout, UNIONML_STORAGE_TIMEOUT_SECONDS)\n',
    );
  });

  it('an UNIONML_STORAGE_TIMEOUT_SECONDS that is not a number: SYSTEM / NON_RECOVERABLE error.pb, the task not run', async () => {
    const a = await attempt('bad-timeout', { a: 2, b: 40 }, { a: t.int(), b: t.int() });
    expect((await runTask('add', a, { UNIONML_STORAGE_TIMEOUT_SECONDS: '1m' })).code).toBe(0);
    const error = await readError(a.error);
    expect([error.origin, error.kind, error.code]).toEqual([
      ExecutionError.ErrorKind.SYSTEM,
      ContainerError.Kind.NON_RECOVERABLE,
      'SYSTEM:StorageConfigInvalid',
    ]);
    expect(error.message).toBe('cannot run the task: UNIONML_STORAGE_TIMEOUT_SECONDS must be a positive number of seconds, got "1m"');
    expect(await exists(a.outputs)).toBe(false);
  });
});

describe('executeTask in process', () => {
  it('never throws, even when the resolver returns nothing', async () => {
    const a = await attempt('in-process', { a: 1 }, { a: t.int() });
    const result = await executeTask(
      () => Promise.resolve(undefined as never),
      { inputs: a.inputs, outputPrefix: a.outputPrefix, rawOutputDataPrefix: a.raw, address: ['x'] },
      { env: {} },
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, error: { kind: 'SYSTEM', recoverable: false, code: 'SYSTEM:TaskNotFound' } });
  });

  it('errorDocument leaves NON_RECOVERABLE (the proto3 default) out, as flytekit', () => {
    const bytes = errorDocument({ code: 'USER:RuntimeError', message: 'm', kind: 'USER', recoverable: false }, 1_700_000_000_500);
    const error = flyteidl.core.ErrorDocument.decode(bytes).error!;
    expect(Object.prototype.hasOwnProperty.call(error, 'kind')).toBe(false);
    expect(error.timestamp!.nanos).toBe(500_000_000);
  });
});

describe('executeTask with type transformers', () => {
  // Variables that name a transformer: a string carrying a JSON object, converted by the transformer of the options.
  const jsonText: TypeTransformer = {
    name: 'json-text',
    toLiteral: (value) => Promise.resolve({ scalar: { primitive: { stringValue: JSON.stringify(value) } } }),
    fromLiteral: (literal) => Promise.resolve(JSON.parse(literal.scalar?.primitive?.stringValue ?? 'null') as unknown),
  };
  const config = { kind: 'string', transformer: 'json-text' } as const;
  const transformers = typeTransformers(jsonText);
  const merge: TaskDefinition = {
    name: 'merge',
    interface: { inputs: { config }, outputs: { o0: config } },
    run: ({ config: value }, ctx) => {
      // the task sees the transformers in its context too
      expect(ctx.transformers).toBe(transformers);
      return Promise.resolve({ o0: { ...(value as object), merged: true } });
    },
  };

  it('converts inputs and outputs with the transformers of the options, and gives them to the task', async () => {
    const a = await attempt('transformers');
    await writeFile(
      join(a.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode(await toLiteralMap({ config: { lr: 0.1 } }, { config }, { ...local, transformers, workDir: a.dir })).finish(),
    );
    const result = await executeTask(
      () => Promise.resolve(merge),
      { inputs: a.inputs, outputPrefix: a.outputPrefix, rawOutputDataPrefix: a.raw, address: ['merge'] },
      { env: {}, transformers },
    );
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    const map = flyteidl.core.LiteralMap.decode(await readFile(a.outputs));
    expect(map.literals['o0']!.scalar!.primitive!.stringValue).toBe('{"lr":0.1,"merged":true}');
    expect(await fromLiteralMap(map, { o0: config }, { ...local, transformers, workDir: root })).toEqual({ o0: { lr: 0.1, merged: true } });
  });

  it('without them, the inputs do not fit: SYSTEM:InputsInvalid naming the variable and the transformer', async () => {
    const a = await attempt('no-transformers');
    await writeFile(
      join(a.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode(await toLiteralMap({ config: { lr: 0.1 } }, { config }, { ...local, transformers, workDir: a.dir })).finish(),
    );
    const result = await executeTask(
      () => Promise.resolve(merge),
      { inputs: a.inputs, outputPrefix: a.outputPrefix, rawOutputDataPrefix: a.raw, address: ['merge'] },
      { env: {} },
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, error: { kind: 'SYSTEM', recoverable: false, code: 'SYSTEM:InputsInvalid' } });
    expect(result.error!.message).toBe(
      "the inputs of task merge do not fit its interface: variable 'config': no type transformer named 'json-text' in the context (its transformers: none)",
    );
  });
});
