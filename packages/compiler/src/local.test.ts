// Compiled local runs: their temporary storage (`unionml-run-*`) is removed when the run ends, however it ends,
// unless kept or given; what the result points at outlives it; nodes are named by their tasks. The nodes run in this
// process (a runner calling the task runtime), so that no subprocess or build is needed; the CLI tests run them as
// `unionml execute` processes.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as flyte from '@unionml/flyte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TRANSFORMERS } from './dataframe.js';
import { parseTaskAddress } from './execute.js';
import { predictCompiled, trainCompiled, type LocalRunOptions } from './local.js';
import { taskDefinition } from './plan.js';
import { makeApp } from './test-support/fixtures.js';

const { model } = makeApp({ name: 'local_model' });

/** Runs each node's `unionml execute ...` in this process; `fail` names a task whose process exits 1 instead. */
function inProcess(fail?: string): NonNullable<LocalRunOptions['runner']> {
  return () =>
    Promise.resolve(async (run) => {
      const args = flyte.parseExecuteArgs(run.argv.slice(2));
      const { taskName } = parseTaskAddress(args.address);
      if (taskName === fail) return { exitCode: 1, stderr: `${taskName} gave up` };
      const result = await flyte.executeTask(() => Promise.resolve(taskDefinition(model, taskName)), args, {
        transformers: TRANSFORMERS,
        env: { ...process.env, ...run.taskEnv },
      });
      return { exitCode: result.exitCode, stderr: '' };
    });
}

let temp: string;
let outside: string;
const events: string[] = [];
const reported: string[] = [];

/** The options of a run in this process, with its progress and storage folder recorded. */
function options(over: Partial<LocalRunOptions> = {}): LocalRunOptions {
  return {
    entrypoint: ['unionml', 'execute'],
    module: 'app',
    exportName: 'model',
    cwd: outside,
    command: (argv) => argv,
    runner: inProcess(),
    onNode: ({ nodeId, taskName, phase }) => events.push(`${taskName} (${nodeId}) ${phase}`),
    onWorkDir: (workDir) => reported.push(workDir),
    ...over,
  };
}

/** The folders of the private temporary folder whose names start with `prefix`. */
async function folders(prefix: string): Promise<string[]> {
  return (await readdir(temp)).filter((name) => name.startsWith(prefix)).map((name) => join(temp, name));
}

beforeEach(async () => {
  outside = await mkdtemp(join(tmpdir(), 'compiler-local-'));
  // A private temporary folder, so that counting run folders sees only this test's.
  temp = join(outside, 'tmp');
  await mkdir(temp);
  vi.stubEnv('TMPDIR', temp);
  expect(tmpdir()).toBe(temp);
  events.length = 0;
  reported.length = 0;
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(outside, { recursive: true, force: true });
});

describe('trainCompiled', () => {
  it('removes its storage when it ends, after copying the model file to output; nodes are named by their tasks', async () => {
    const output = join(outside, 'model.json');
    const run = await trainCompiled(model, {}, { ...options(), output });
    expect(run.modelFile).toBe(output);
    expect(JSON.parse(await readFile(output, 'utf8'))).toBeTruthy();
    // By split and metric name, as in-process training gives them (the workflow's output is flat: "train.score").
    const score = expect.any(Number) as number;
    expect(run.metrics).toEqual({ train: { [model.metricName]: score }, test: { [model.metricName]: score } });
    expect(reported).toEqual([expect.stringMatching(/[/\\]unionml-run-[^/\\]+$/)]);
    expect(existsSync(reported[0]!)).toBe(false);
    expect(run.workDir).toBeUndefined();
    expect(await folders('unionml-run-')).toEqual([]);
    expect(run.nodes.map((n) => `${n.taskName} (${n.id})`)).toEqual(['test_dataset.dataset_task (n0)', 'local_model.train_task (n1)']);
    expect(events).toEqual([
      'test_dataset.dataset_task (n0) running',
      'test_dataset.dataset_task (n0) succeeded',
      'local_model.train_task (n1) running',
      'local_model.train_task (n1) succeeded',
    ]);
  }, 60_000);

  it('without output, copies the model file out of the storage it removes: the result never points into a removed folder', async () => {
    const run = await trainCompiled(model, {}, options());
    expect(await folders('unionml-run-')).toEqual([]);
    expect(run.modelFile).toMatch(/[/\\]unionml-model-[^/\\]+[/\\][^/\\]+$/);
    expect(run.modelFile.startsWith(`${temp}/`)).toBe(true);
    expect(JSON.parse(await readFile(run.modelFile, 'utf8'))).toBeTruthy();
    expect(run.workDir).toBeUndefined();
  }, 60_000);

  it('with keep, leaves its storage, says where it is, and points the model file into it', async () => {
    const run = await trainCompiled(model, {}, options({ keep: true }));
    const [kept] = await folders('unionml-run-');
    expect(reported).toEqual([kept]);
    expect(run.workDir).toBe(kept);
    expect(run.modelFile.startsWith(`${kept!}/`)).toBe(true);
    expect(existsSync(run.modelFile)).toBe(true);
    expect(await readdir(join(kept!, 'metadata', run.executionName))).toEqual(expect.arrayContaining(['n0', 'n1', 'end-node']));
  }, 60_000);

  it('removes its storage when a task fails, unless kept', async () => {
    const failed = await trainCompiled(model, {}, options({ runner: inProcess('train_task') })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(flyte.NodeFailedError);
    expect((failed as Error).message).toContain('local_model.train_task');
    expect(events.at(-1)).toBe('local_model.train_task (n1) failed');
    expect(await folders('unionml-run-')).toEqual([]);

    reported.length = 0;
    await expect(trainCompiled(model, {}, options({ runner: inProcess('train_task'), keep: true }))).rejects.toBeInstanceOf(flyte.NodeFailedError);
    const [kept] = await folders('unionml-run-');
    expect(reported).toEqual([kept]);
    expect(existsSync(kept!)).toBe(true);
  }, 60_000);

  it('removes its storage when the run throws before any node runs', async () => {
    const error = new Error('no Docker daemon');
    await expect(trainCompiled(model, {}, options({ runner: () => Promise.reject(error) }))).rejects.toBe(error);
    expect(reported).toHaveLength(1);
    expect(await folders('unionml-run-')).toEqual([]);
  });

  it('never removes a workDir it is given, whether the run succeeds or fails', async () => {
    const workDir = join(outside, 'work');
    const run = await trainCompiled(model, {}, options({ workDir }));
    expect(run.workDir).toBe(workDir);
    expect(reported).toEqual([workDir]);
    expect(run.modelFile.startsWith(`${workDir}/`)).toBe(true);
    expect(existsSync(run.modelFile)).toBe(true);
    await expect(trainCompiled(model, {}, options({ workDir, runner: inProcess('train_task') }))).rejects.toBeInstanceOf(flyte.NodeFailedError);
    expect(existsSync(run.modelFile)).toBe(true);
    expect(await folders('unionml-run-')).toEqual([]);
  }, 60_000);
});

describe('predictCompiled', () => {
  const features = [
    { x: 1, x2: 2 },
    { x: 90, x2: 180 },
  ];

  it('removes its storage (with its copy of the model file) when it ends, unless kept', async () => {
    const modelFile = join(outside, 'model.json');
    await trainCompiled(model, {}, { ...options(), output: modelFile });
    events.length = 0;
    reported.length = 0;

    const run = await predictCompiled(model, { modelFile, features }, options());
    expect(run.predictions).toEqual([expect.any(Number), expect.any(Number)]);
    expect(run.workDir).toBeUndefined();
    expect(reported).toHaveLength(1);
    expect(await folders('unionml-run-')).toEqual([]);
    expect(existsSync(modelFile)).toBe(true);
    expect(events).toEqual(['local_model.predict_from_features_task (n0) running', 'local_model.predict_from_features_task (n0) succeeded']);

    const fromReader = await predictCompiled(model, { modelFile, inputs: { n: 20 } }, options());
    expect(fromReader.nodes.map((n) => `${n.taskName} (${n.id})`)).toEqual(['test_dataset.dataset_task (n0)', 'local_model.predict_task (n1)']);
    expect(await folders('unionml-run-')).toEqual([]);

    const kept = await predictCompiled(model, { modelFile, features }, options({ keep: true }));
    expect(await folders('unionml-run-')).toEqual([kept.workDir]);
    expect(existsSync(join(kept.workDir!, 'inputs', 'model.json'))).toBe(true);
  }, 60_000);

  it('removes its storage when a task fails, or when the model file is missing', async () => {
    const modelFile = join(outside, 'model.json');
    await trainCompiled(model, {}, { ...options(), output: modelFile });
    await expect(predictCompiled(model, { modelFile, features }, options({ runner: inProcess('predict_from_features_task') }))).rejects.toBeInstanceOf(
      flyte.NodeFailedError,
    );
    expect(await folders('unionml-run-')).toEqual([]);
    await expect(predictCompiled(model, { modelFile: resolve(outside, 'missing.json'), features }, options())).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await folders('unionml-run-')).toEqual([]);
  }, 60_000);
});
