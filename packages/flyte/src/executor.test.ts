import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskArgs, taskSpec, workflowSpec, type EntityId, type TaskOptions } from './builders.js';
import { FlyteSpecError, FlyteTypeError, NodeFailedError } from './errors.js';
import { executeWorkflowLocally, renderTemplate, type LocalExecutionOptions } from './executor.js';
import { flyteidl, Long } from './idl.js';
import { fromLiteralMap, toLiteralMap, typeTransformers, type TypeTransformer } from './literals.js';
import { executeTask, parseExecuteArgs, type TaskDefinition } from './runtime.js';
import { anyStorage } from './storage.js';
import { TEST_TASKS } from './test-support/tasks.js';
import { t } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const entrypoint = join(here, 'test-support', 'entrypoint.ts');
const ENTRY = 'flyte-ts-test';
const id = (name: string): EntityId => ({ project: 'flytesnacks', domain: 'development', name, version: 'v1' });
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-executor-'));
});

/** A task of the test entrypoint (src/test-support/tasks.ts), as a registered image would run it. */
function testTask(name: string, over: Partial<TaskOptions> = {}): flyteidl.admin.ITaskSpec {
  const definition = TEST_TASKS[name];
  return taskSpec({
    id: id(`ts.${name}`),
    interface: definition?.interface ?? { inputs: {}, outputs: { o0: t.int() } },
    image: 'localhost:30000/ts-test:v1',
    args: taskArgs([ENTRY], ['task-name', name]),
    ...over,
  });
}

/** Replaces the image's entrypoint by the test entrypoint, run with tsx (no build needed). */
const command: LocalExecutionOptions['command'] = (argv) =>
  argv[0] === ENTRY ? [process.execPath, '--import', 'tsx', '--conditions=@unionml/source', entrypoint, ...argv.slice(1)] : argv;
const ctx = () => ({ storage: anyStorage({}), rawOutputPrefix: join(root, 'client-raw'), workDir: join(root, 'client-work') });

describe('executeWorkflowLocally', () => {
  it('runs say_hello → length → add through the protobufs, with propeller’s layout on disk', async () => {
    const hello = testTask('say_hello');
    const length = testTask('length');
    const add = testTask('add');
    const wf = workflowSpec({
      id: id('ts.hello_wf'),
      interface: { inputs: { name: t.string() }, outputs: { o0: t.int(), greeting: t.string() } },
      nodes: [
        { id: 'n0', task: hello.template!, inputs: { name: { input: 'name' } } },
        {
          id: 'n1',
          task: length.template!,
          inputs: { greeting: { node: 'n0', output: 'o0' }, scale: { literal: { scalar: { primitive: { floatValue: 2 } } } } },
        },
        {
          id: 'n2',
          task: add.template!,
          inputs: { a: { node: 'n1', output: 'o0' }, b: { literal: { scalar: { primitive: { integer: Long.fromNumber(100) } } } } },
        },
      ],
      outputs: { o0: { node: 'n2', output: 'o0' }, greeting: { node: 'n0', output: 'o0' } },
    });
    const events: string[] = [];
    const workDir = join(root, 'hello');
    const inputs = await toLiteralMap({ name: 'world' }, { name: t.string() }, ctx());
    const result = await executeWorkflowLocally({
      workflow: wf,
      tasks: [hello, length, add],
      inputs,
      workDir,
      executionName: 'hello-1',
      command,
      cwd: repoRoot,
      onNode: (event) => events.push(`${event.taskName} (${event.nodeId}):${event.phase}`),
    });
    expect(await fromLiteralMap(result.outputs, { o0: t.int(), greeting: t.string() }, ctx())).toEqual({ o0: 122, greeting: 'hello world' });
    expect(result.executionName).toBe('hello-1');
    expect(result.nodes.map((n) => n.id)).toEqual(['n0', 'n1', 'n2']);
    // Each node is named by its task (the template's id.name), which users know, beside its id.
    expect(result.nodes.map((n) => n.taskName)).toEqual(['ts.say_hello', 'ts.length', 'ts.add']);
    expect(result.nodes.every((n) => n.seconds > 0)).toBe(true);
    expect(events).toEqual([
      'ts.say_hello (n0):running',
      'ts.say_hello (n0):succeeded',
      'ts.length (n1):running',
      'ts.length (n1):succeeded',
      'ts.add (n2):running',
      'ts.add (n2):succeeded',
    ]);

    const exec = join(workDir, 'metadata', 'hello-1');
    expect((await readdir(exec)).sort()).toEqual(['end-node', 'inputs.pb', 'n0', 'n1', 'n2']);
    expect((await readdir(join(exec, 'n1', 'data'))).sort()).toEqual(['0', 'inputs.pb']);
    expect(await readdir(join(exec, 'n1', 'data', '0'))).toEqual(['outputs.pb']);
    const n1Inputs = flyteidl.core.LiteralMap.decode(await readFile(join(exec, 'n1', 'data', 'inputs.pb')));
    expect(await fromLiteralMap(n1Inputs, TEST_TASKS['length']!.interface.inputs, ctx())).toEqual({ greeting: 'hello world', scale: 2 });
    const endOutputs = flyteidl.core.LiteralMap.decode(await readFile(join(exec, 'end-node', 'data', '0', 'outputs.pb')));
    expect(Object.keys(endOutputs.literals).sort()).toEqual(['greeting', 'o0']);
  }, 60_000);

  it('passes structs and files between nodes, with data under <workDir>/data/<exec>-<node>-<attempt>', async () => {
    const summarize = testTask('summarize');
    const wf = workflowSpec({
      id: id('ts.summary_wf'),
      interface: { inputs: { config: t.struct(), data: t.blob({ format: 'csv' }) }, outputs: { summary: t.struct(), report: t.blob({ format: 'txt' }) } },
      nodes: [{ id: 'n0', task: summarize.template!, inputs: { config: { input: 'config' }, data: { input: 'data' } } }],
      outputs: { summary: { node: 'n0', output: 'summary' }, report: { node: 'n0', output: 'report' } },
    });
    const csv = join(root, 'rows.csv');
    await import('node:fs/promises').then((fs) => fs.writeFile(csv, 'a\nb\nc\nd\n'));
    const workDir = join(root, 'summary');
    const inputs = await toLiteralMap({ config: { title: 'weekly' }, data: { uri: csv } }, TEST_TASKS['summarize']!.interface.inputs, ctx());
    const result = await executeWorkflowLocally({ workflow: wf, tasks: [summarize], inputs, workDir, executionName: 'sum-1', command, cwd: repoRoot });
    const outputs = await fromLiteralMap(result.outputs, TEST_TASKS['summarize']!.interface.outputs, ctx());
    expect(outputs['summary']).toEqual({ rows: 4, title: 'weekly', tags: ['a', 'b'], ratio: 0.5 });
    const report = outputs['report'] as { uri: string; path: string };
    expect(report.uri.startsWith(join(workDir, 'data', 'sum-1-n0-0') + '/')).toBe(true);
    expect(await readFile(report.path, 'utf8')).toBe('weekly: 4 rows\n');
  }, 60_000);

  it('stops at a failing node with NodeFailedError carrying error.pb’s message', async () => {
    const fail = testTask('fail');
    const wf = workflowSpec({
      id: id('ts.fail_wf'),
      interface: { inputs: {}, outputs: {} },
      nodes: [{ id: 'n0', task: fail.template!, inputs: { a: { literal: { scalar: { primitive: { integer: Long.fromNumber(12) } } } } } }],
      outputs: {},
    });
    const events: string[] = [];
    const error = await executeWorkflowLocally({
      workflow: wf,
      tasks: [fail],
      inputs: {},
      workDir: join(root, 'fail'),
      command,
      cwd: repoRoot,
      onNode: (e) => events.push(`${e.taskName} (${e.nodeId}):${e.phase}${e.seconds !== undefined && e.seconds > 0 ? ' timed' : ''}`),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFailedError);
    const failed = error as NodeFailedError;
    expect(failed).toMatchObject({
      code: 'FLYTE_NODE_FAILED',
      kind: 'app',
      nodeId: 'n0',
      origin: 'USER',
      errorCode: 'USER:RuntimeError',
      recoverable: false,
      exitCode: 0,
    });
    // The message keeps flytekit's `Message:` part; `detail` has the whole `Trace: ... Message: ...` text.
    expect(failed.message).toBe('node n0 (ts.fail) failed with a USER error [USER:RuntimeError]: RangeError: a must be below 10, got 12');
    expect(failed.detail).toMatch(/^Trace:\n\n {4}RangeError: a must be below 10, got 12\n {8}at /);
    expect(failed.detail).toContain('RangeError: a must be below 10, got 12');
    expect(events).toEqual(['ts.fail (n0):running', 'ts.fail (n0):failed timed']);
  }, 60_000);

  it('fails like propeller’s OutputsNotFound when declared outputs are missing, after the retries', async () => {
    const early = testTask('exit-early', { retries: 1 });
    const wf = workflowSpec({
      id: id('ts.early_wf'),
      interface: { inputs: {}, outputs: {} },
      nodes: [{ id: 'n0', task: early.template!, inputs: {} }],
      outputs: {},
    });
    const workDir = join(root, 'early');
    const error = (await executeWorkflowLocally({ workflow: wf, tasks: [early], inputs: {}, workDir, executionName: 'early-1', command, cwd: repoRoot }).catch(
      (e: unknown) => e,
    )) as NodeFailedError;
    expect(error).toBeInstanceOf(NodeFailedError);
    expect(error).toMatchObject({ nodeId: 'n0', origin: 'SYSTEM', errorCode: 'OutputsNotFound', recoverable: true });
    expect(error.detail).toMatch(/^Outputs not generated by task execution/);
    expect((await readdir(join(workDir, 'metadata', 'early-1', 'n0', 'data'))).sort()).toEqual(['0', '1', 'inputs.pb']);
  }, 60_000);

  it('reports a crash (non-zero exit, no error.pb) with the exit code and the end of stderr', async () => {
    const crash = testTask('crash', { interface: { inputs: {}, outputs: {} } });
    const wf = workflowSpec({
      id: id('ts.crash_wf'),
      interface: { inputs: {}, outputs: {} },
      nodes: [{ id: 'n0', task: crash.template!, inputs: {} }],
      outputs: {},
    });
    const error = (await executeWorkflowLocally({ workflow: wf, tasks: [crash], inputs: {}, workDir: join(root, 'crash'), command, cwd: repoRoot }).catch(
      (e: unknown) => e,
    )) as NodeFailedError;
    expect(error).toBeInstanceOf(NodeFailedError);
    expect(error).toMatchObject({ origin: 'USER', exitCode: 3, stderr: 'something went badly wrong' });
    expect(error.detail).toBe('the task terminated with exit code (3); the end of its stderr:\nsomething went badly wrong');
  }, 60_000);

  it('retries a RECOVERABLE error up to the retries, rendering the previous checkpoint', async () => {
    const flaky = testTask('flaky', { retries: 2 });
    const wf = workflowSpec({
      id: id('ts.flaky_wf'),
      interface: { inputs: {}, outputs: { o0: t.int() } },
      nodes: [{ id: 'n0', task: flaky.template!, inputs: {} }],
      outputs: { o0: { node: 'n0', output: 'o0' } },
    });
    const workDir = join(root, 'flaky');
    const seen: string[][] = [];
    const result = await executeWorkflowLocally({
      workflow: wf,
      tasks: [flaky],
      inputs: {},
      workDir,
      executionName: 'flaky-1',
      command: (argv, node) => {
        seen.push(argv);
        return command(argv, node);
      },
      cwd: repoRoot,
    });
    expect(await fromLiteralMap(result.outputs, { o0: t.int() }, ctx())).toEqual({ o0: 1 });
    expect(seen).toHaveLength(2);
    const prev = (argv: string[]) => argv[argv.indexOf('--prev-checkpoint') + 1];
    expect(prev(seen[0]!)).toBe('""');
    expect(prev(seen[1]!)).toBe(join(workDir, 'data', 'flaky-1-n0-0', '_flytecheckpoints'));
    expect(seen[1]![seen[1]!.indexOf('--output-prefix') + 1]).toBe(join(workDir, 'metadata', 'flaky-1', 'n0', 'data', '1'));
    const firstError = flyteidl.core.ErrorDocument.decode(await readFile(join(workDir, 'metadata', 'flaky-1', 'n0', 'data', '0', 'error.pb'))).error!;
    expect(firstError.kind).toBe(flyteidl.core.ContainerError.Kind.RECOVERABLE);
  }, 60_000);

  it('renders templates in command and args and sets propeller’s environment (any command, no shell)', async () => {
    const script = `const fs=require('node:fs');const [out,...rest]=process.argv.slice(1);fs.mkdirSync(out,{recursive:true});fs.writeFileSync(out+'/probe.json',JSON.stringify({rest,env:Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith('FLYTE_')||k==='FOO'))}))`;
    const probe = taskSpec({
      id: id('ts.probe'),
      interface: { inputs: { name: t.string(), n: t.int(), xs: t.list(t.float()) }, outputs: {} },
      image: 'img',
      command: [process.execPath, '-e', script],
      args: [
        '{{ .OutputPrefix }}',
        '{{.input}}',
        '{{$inputPrefix}}',
        '{{.rawOutputDataPrefix}}',
        '{{.checkpointOutputPrefix}}',
        '{{.prevCheckpointPrefix}}',
        'k={{.perRetryUniqueKey}}',
        '{{.Inputs.name}}/{{.Inputs.n}}',
        '{{.Inputs.xs}}',
        '{{.namespace}}',
      ],
      env: { FOO: 'bar' },
    });
    const wf = workflowSpec({
      id: id('ts.probe_wf'),
      interface: { inputs: { name: t.string() }, outputs: {} },
      nodes: [
        {
          id: 'n0',
          task: probe.template!,
          inputs: {
            name: { input: 'name' },
            n: { literal: { scalar: { primitive: { integer: Long.fromNumber(7) } } } },
            xs: { list: [{ literal: { scalar: { primitive: { floatValue: 1.5 } } } }] },
          },
        },
      ],
      outputs: {},
    });
    const workDir = join(root, 'probe');
    await executeWorkflowLocally({
      workflow: wf,
      tasks: [probe],
      inputs: await toLiteralMap({ name: 'ada' }, { name: t.string() }, ctx()),
      workDir,
      executionName: 'probe-1',
      env: { PATH: process.env['PATH'] },
    });
    const data = join(workDir, 'metadata', 'probe-1', 'n0', 'data');
    const raw = join(workDir, 'data', 'probe-1-n0-0');
    const written = JSON.parse(await readFile(join(data, '0', 'probe.json'), 'utf8')) as { rest: string[]; env: Record<string, string> };
    expect(written.rest).toEqual([
      join(data, 'inputs.pb'),
      data,
      raw,
      join(raw, '_flytecheckpoints'),
      '""',
      'k=probe_1_n0_0',
      'ada/7',
      '[1.5]',
      'flytesnacks-development',
    ]);
    expect(written.env).toEqual({
      FOO: 'bar',
      FLYTE_ATTEMPT_NUMBER: '0',
      FLYTE_INTERNAL_EXECUTION_ID: 'probe-1',
      FLYTE_INTERNAL_EXECUTION_PROJECT: 'flytesnacks',
      FLYTE_INTERNAL_EXECUTION_DOMAIN: 'development',
      FLYTE_INTERNAL_EXECUTION_WORKFLOW: 'flytesnacks:development:ts.probe_wf',
      FLYTE_INTERNAL_TASK_PROJECT: 'flytesnacks',
      FLYTE_INTERNAL_TASK_DOMAIN: 'development',
      FLYTE_INTERNAL_TASK_NAME: 'ts.probe',
      FLYTE_INTERNAL_TASK_VERSION: 'v1',
      FLYTE_INTERNAL_PROJECT: 'flytesnacks',
      FLYTE_INTERNAL_DOMAIN: 'development',
      FLYTE_INTERNAL_NAME: 'ts.probe',
      FLYTE_INTERNAL_VERSION: 'v1',
    });
  }, 60_000);

  it('rejects missing and unknown workflow inputs, unknown tasks and a reused execution name before running anything', async () => {
    const hello = testTask('say_hello');
    const wf = workflowSpec({
      id: id('ts.hello_wf'),
      interface: { inputs: { name: t.string() }, outputs: {} },
      nodes: [{ id: 'n0', task: hello.template!, inputs: { name: { input: 'name' } } }],
      outputs: {},
    });
    const base = { workflow: wf, tasks: [hello], workDir: join(root, 'invalid'), command, cwd: repoRoot };
    await expect(executeWorkflowLocally({ ...base, inputs: {} })).rejects.toMatchObject({
      code: 'FLYTE_VALUE_MISSING',
      variable: 'name',
      message: "missing workflow input 'name': expected string",
    });
    await expect(executeWorkflowLocally({ ...base, inputs: {} })).rejects.toBeInstanceOf(FlyteTypeError);
    await expect(
      executeWorkflowLocally({ ...base, inputs: { literals: { name: { scalar: { primitive: { integer: Long.fromNumber(1) } } } } } }),
    ).rejects.toThrow("workflow input 'name': expected string, got int");
    await expect(executeWorkflowLocally({ ...base, inputs: { literals: { nmae: { scalar: { primitive: { stringValue: 'x' } } } } } })).rejects.toThrow(
      "workflow ts.hello_wf has no input 'nmae' (inputs: name)",
    );
    await expect(
      executeWorkflowLocally({ ...base, tasks: [], inputs: { literals: { name: { scalar: { primitive: { stringValue: 'x' } } } } } }),
    ).rejects.toThrow(FlyteSpecError);
    await expect(
      executeWorkflowLocally({ ...base, tasks: [], inputs: { literals: { name: { scalar: { primitive: { stringValue: 'x' } } } } } }),
    ).rejects.toThrow(/references task flytesnacks\/development\/ts.say_hello@v1, which is not among the given tasks/);
    await expect(executeWorkflowLocally({ ...base, executionName: 'Bad_Name', inputs: {} })).rejects.toThrow(/invalid execution name/);
    const ok = { ...base, executionName: 'once', inputs: { literals: { name: { scalar: { primitive: { stringValue: 'x' } } } } } };
    await executeWorkflowLocally(ok);
    await expect(executeWorkflowLocally(ok)).rejects.toThrow(/execution once already exists/);
    expect(await stat(join(root, 'invalid', 'metadata', 'once', 'n0', 'data', '0', 'outputs.pb')).then(() => true)).toBe(true);
  }, 60_000);
});

describe('renderTemplate', () => {
  it('is case-insensitive, accepts {{$Name}} and spaces, and leaves unknown templates alone', () => {
    const values = { input: 's3://b/in.pb', outputPrefix: 's3://b/out', prevCheckpointPrefix: '""' };
    expect(renderTemplate('{{.input}}|{{ .INPUT }}|{{$Input}}|{{.outputprefix}}|{{.PrevCheckpointPrefix}}|{{.unknown}}', values)).toBe(
      's3://b/in.pb|s3://b/in.pb|s3://b/in.pb|s3://b/out|""|{{.unknown}}',
    );
    expect(renderTemplate('{{.inputPrefix}}', { input: 'x', inputPrefix: 's3://b' })).toBe('s3://b');
    expect(() => renderTemplate('{{.Inputs.missing}}', {}, {})).toThrow(/there is no input 'missing'/);
  });
});

describe('executeWorkflowLocally with a runner', () => {
  it('hands each node to the runner with its command and its own environment only', async () => {
    const hello = testTask('say_hello', { env: { GREETING_STYLE: 'plain' } });
    const wf = workflowSpec({
      id: id('ts.runner_wf'),
      interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
      nodes: [{ id: 'n0', task: hello.template!, inputs: { name: { input: 'name' } } }],
      outputs: { o0: { node: 'n0', output: 'o0' } },
    });
    const runs: { argv: string[]; taskEnv: Record<string, string> }[] = [];
    const { spawnSync } = await import('node:child_process');
    const result = await executeWorkflowLocally({
      workflow: wf,
      tasks: [hello],
      inputs: await toLiteralMap({ name: 'runner' }, { name: t.string() }, ctx()),
      workDir: join(root, 'runner'),
      command,
      cwd: repoRoot,
      runner: ({ argv, taskEnv }) => {
        runs.push({ argv, taskEnv });
        // What a container runner does: the command with only the task's environment (plus a PATH to find node).
        const child = spawnSync(argv[0]!, argv.slice(1), { cwd: repoRoot, env: { PATH: process.env['PATH'], ...taskEnv }, encoding: 'utf8' });
        return Promise.resolve({ exitCode: child.status, stderr: child.stderr });
      },
    });
    expect(await fromLiteralMap(result.outputs, { o0: t.string() }, ctx())).toEqual({ o0: 'hello runner' });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.argv).toContain('--inputs');
    expect(runs[0]!.taskEnv).toMatchObject({ GREETING_STYLE: 'plain', FLYTE_INTERNAL_TASK_NAME: 'ts.say_hello', FLYTE_ATTEMPT_NUMBER: '0' });
    expect(runs[0]!.taskEnv).not.toHaveProperty('HOME');
  }, 60_000);

  it('reports a runner that cannot start the node as a SYSTEM failure', async () => {
    const hello = testTask('say_hello');
    const wf = workflowSpec({
      id: id('ts.runner_fail_wf'),
      interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
      nodes: [{ id: 'n0', task: hello.template!, inputs: { name: { input: 'name' } } }],
      outputs: { o0: { node: 'n0', output: 'o0' } },
    });
    const error = await executeWorkflowLocally({
      workflow: wf,
      tasks: [hello],
      inputs: await toLiteralMap({ name: 'x' }, { name: t.string() }, ctx()),
      workDir: join(root, 'runner-fail'),
      runner: () => Promise.reject(new Error('the Docker daemon is not running')),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFailedError);
    expect((error as NodeFailedError).origin).toBe('SYSTEM');
    expect((error as Error).message).toContain('the Docker daemon is not running');
  }, 60_000);

  it("hands the run's transformers to the runner, so that a task run in process converts with them", async () => {
    // A transformer for a string variable that carries a JSON object as its text.
    const jsonText: TypeTransformer = {
      name: 'json-text',
      toLiteral: (value) => Promise.resolve({ scalar: { primitive: { stringValue: JSON.stringify(value) } } }),
      fromLiteral: (literal) => Promise.resolve(JSON.parse(literal.scalar?.primitive?.stringValue ?? 'null') as unknown),
    };
    const transformers = typeTransformers(jsonText);
    const config = { kind: 'string', transformer: 'json-text' } as const;
    const keys: TaskDefinition = {
      name: 'keys',
      interface: { inputs: { config }, outputs: { o0: t.int() } },
      run: ({ config: value }) => Promise.resolve({ o0: Object.keys(value as object).length }),
    };
    const spec = taskSpec({
      id: id('ts.keys'),
      interface: keys.interface,
      image: 'localhost:30000/ts-test:v1',
      args: taskArgs([ENTRY], ['task-name', 'keys']),
    });
    const wf = workflowSpec({
      id: id('ts.keys_wf'),
      interface: { inputs: { config }, outputs: { o0: t.int() } },
      nodes: [{ id: 'n0', task: spec.template!, inputs: { config: { input: 'config' } } }],
      outputs: { o0: { node: 'n0', output: 'o0' } },
    });
    const seen: unknown[] = [];
    const result = await executeWorkflowLocally({
      workflow: wf,
      tasks: [spec],
      inputs: await toLiteralMap({ config: { a: 1, b: 2, c: 3 } }, { config }, { ...ctx(), transformers }),
      workDir: join(root, 'runner-transformers'),
      transformers,
      runner: async (run) => {
        seen.push(run.transformers);
        const task = await executeTask(() => Promise.resolve(keys), parseExecuteArgs(run.argv.slice(1)), {
          env: run.taskEnv,
          ...(run.transformers ? { transformers: run.transformers } : {}),
        });
        return { exitCode: task.exitCode, stderr: task.error?.message ?? '' };
      },
    });
    expect(seen).toEqual([transformers]);
    expect(await fromLiteralMap(result.outputs, { o0: t.int() }, ctx())).toEqual({ o0: 3 });
    // without them, the task cannot read its input: a SYSTEM error naming the variable and the transformer
    const error = (await executeWorkflowLocally({
      workflow: wf,
      tasks: [spec],
      inputs: await toLiteralMap({ config: { a: 1 } }, { config }, { ...ctx(), transformers }),
      workDir: join(root, 'runner-no-transformers'),
      runner: async (run) => {
        const task = await executeTask(() => Promise.resolve(keys), parseExecuteArgs(run.argv.slice(1)), {
          env: run.taskEnv,
          ...(run.transformers ? { transformers: run.transformers } : {}),
        });
        return { exitCode: task.exitCode, stderr: task.error?.message ?? '' };
      },
    }).catch((e: unknown) => e)) as NodeFailedError;
    expect(error).toBeInstanceOf(NodeFailedError);
    expect(error).toMatchObject({ origin: 'SYSTEM', errorCode: 'SYSTEM:InputsInvalid' });
    expect(error.detail).toContain("variable 'config': no type transformer named 'json-text' in the context (its transformers: none)");
  }, 60_000);
});
