// Proof with Flyte's own code that what UnionML compiles and runs is what Flyte accepts and reads:
// - Flyte's Go compiler (flytepropeller v1.16.8: CompileTask, GetRequirements, CompileWorkflow, BuildFlyteWorkflow)
//   and flyteadmin's/flytectl's registration checks accept every entity of the bundles `unionml package` writes,
//   for the digits example and for an app that declares every supported type;
// - flytekit 1.16.31 (PyPI) loads every .pb of those bundles and maps every interface type to a Python type;
// - flytekit reads the outputs our task runtime wrote in a compiled local run (a Parquet structured dataset, a STRUCT,
//   a blob, a map of floats), with the values we wrote;
// - the compiled workflows, run node by node through the local executor, give the in-process results;
// - the other direction: what a Python Flyte user sends (inputs written by flytekit's TypeEngine, DataFrames by pandas
//   and pyarrow in every codec and with every kind of pandas index, beside dates, lists, structs and categoricals)
//   runs in our task runtime, and flytekit reads the outputs.
// The judges are built by tools/scripts/setup-flyte-judges.sh (run by npm test and .ci/run).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flyteCheck, flytekitCheckBundle, flytekitReadLiterals, judgePaths } from '@unionml/flyte-judges';
import { repoRoot, run } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'unionml-flyte-'));
const cli = join(repoRoot, 'apps', 'cli', 'bin', 'unionml.js');
const digits = join(repoRoot, 'examples', 'digits');
const everyType = join(repoRoot, 'e2e', 'fixtures', 'every-type');
const unionml = (args: string[], cwd: string) => run(process.execPath, [cli, ...args], { cwd });
const json = <T>(result: ReturnType<typeof unionml>): T => {
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};

function packageApp(cwd: string, name: string) {
  const bundle = join(work, `${name}.tgz`);
  const report = json<{ files: string[]; seconds: number }>(
    unionml(['package', 'app:model', '--image', `localhost:30000/${name}:v1`, '--version', 'v1', '-o', bundle, '--json'], cwd),
  );
  return { bundle, ...report };
}

/** `unionml execute` of a digits task, as a task container runs it, on inputs written elsewhere. */
function executeDigitsTask(task: string, inputs: string, outputPrefix: string, rawOutputPrefix: string) {
  const address = ['app-module', 'app', 'unionml-obj-name', 'model', 'task-name', task];
  return unionml(['execute', '--inputs', inputs, '--output-prefix', outputPrefix, '--raw-output-data-prefix', rawOutputPrefix, '--', ...address], digits);
}

/** outputs.pb of a node of a compiled local run. */
function nodeOutputs(workDir: string, executionName: string, nodeId: string): string {
  return join(workDir, 'metadata', executionName, nodeId, 'data', '0', 'outputs.pb');
}

describe("Flyte's compiler and flytekit accept the bundles unionml package writes", () => {
  it.each([
    ['digits', digits, 3],
    ['every-type', everyType, 6],
  ])('%s: 4 tasks, 3 workflows, the default launch plans and the schedules', (name, cwd, launchPlans) => {
    const { bundle, files } = packageApp(cwd, name);
    expect(files.filter((f) => f.endsWith('_1.pb'))).toHaveLength(4);
    expect(files.filter((f) => f.endsWith('_2.pb'))).toHaveLength(3);
    expect(files.filter((f) => f.endsWith('_3.pb'))).toHaveLength(launchPlans);

    const compiled = flyteCheck(bundle);
    expect(compiled.ok, compiled.stdout + compiled.stderr).toBe(true);
    expect([compiled.json.tasks.length, compiled.json.workflows.length, compiled.json.launchPlans.length]).toEqual([4, 3, launchPlans]);

    const flytekit = flytekitCheckBundle(bundle);
    expect(flytekit.ok, flytekit.stdout + flytekit.stderr).toBe(true);
    const train = flytekit.json.tasks.find((t) => t.name.endsWith('.train_task'))!;
    expect(train.pythonTypes?.inputs).toMatchObject({
      data: expect.stringContaining('StructuredDataset') as string,
      hyperparameters: expect.stringContaining('Hyperparameters') as string,
    });
    expect(train.pythonTypes?.outputs).toMatchObject({ model_object: expect.stringContaining('FlyteFile') as string, metrics: 'Dict[str, float]' });
  });

  it('every-type: flytekit sees each declared type as the Python type flytekit itself would declare', () => {
    const flytekit = flytekitCheckBundle(packageApp(everyType, 'every-type-types').bundle);
    const dataset = flytekit.json.tasks.find((t) => t.name === 'every_type_dataset.dataset_task')!;
    expect(dataset.pythonTypes?.inputs).toEqual({
      n: 'int',
      scale: 'float',
      label: 'str',
      shuffleRows: 'bool',
      asOf: 'datetime.datetime',
      until: 'Optional[datetime.datetime]',
      weights: 'List[float]',
      limits: 'Dict[str, int]',
      filter: expect.stringMatching(/^Optional\[.*Filter\]$/) as string,
      mode: expect.stringContaining('Enum') as string,
    });
    const schedules = flytekit.json.launchPlans.filter((lp) => lp.scheduled);
    expect(schedules.map((lp) => lp.name).sort()).toEqual(['every_type_daily', 'every_type_hourly_predictions', 'every_type_nightly']);
  });

  it("and the judges really judge: Flyte's compiler and flytekit reject broken entities (their own test suites)", () => {
    const go = spawnSync('go', ['test', './...'], {
      cwd: join(repoRoot, 'tools', 'flyte-check'),
      encoding: 'utf8',
      env: { ...process.env, FLYTE_JUDGES_REQUIRED: '1' },
    });
    expect(go.status, go.stdout + go.stderr).toBe(0);
    const py = spawnSync(judgePaths.python, ['-m', 'unittest', 'discover', '-s', join(repoRoot, 'tools', 'flytekit-check'), '-p', 'test_*.py'], {
      encoding: 'utf8',
    });
    expect(py.status, py.stdout + py.stderr).toBe(0);
  });
});

describe('compiled workflows, run node by node through the local executor', () => {
  it('digits: train reaches test accuracy >= 0.96 with the in-process metrics, and predict gives the in-process predictions', () => {
    const local = json<{ metrics: { test: { accuracy: number } } }>(
      unionml(['train', 'app:model', '--local', '--json', '-o', join(work, 'digits-local.json')], digits),
    );
    const compiled = json<{ metrics: { test: { accuracy: number } }; nodes: { id: string; seconds: number }[] }>(
      unionml(['train', 'app:model', '--local', '--compiled', '--json', '-o', join(work, 'digits-compiled.json')], digits),
    );
    expect(compiled.metrics.test.accuracy).toBeGreaterThanOrEqual(0.96);
    expect(compiled.metrics).toEqual(local.metrics);
    expect(compiled.nodes.map((n) => n.id)).toEqual(['n0', 'n1']);

    const predict = (compiledRun: boolean, model: string) =>
      json<{ predictions: number[] }>(
        unionml(
          ['predict', 'app:model', '--local', ...(compiledRun ? ['--compiled'] : []), '--model-path', model, '-f', 'data/sample_features.json', '--json'],
          digits,
        ),
      );
    const viaFlyte = predict(true, join(work, 'digits-compiled.json'));
    expect(viaFlyte.predictions).toHaveLength(5);
    expect(viaFlyte).toEqual(predict(false, join(work, 'digits-compiled.json')));
    expect(viaFlyte).toEqual(predict(false, join(work, 'digits-local.json')));
  });

  it('flytekit reads what our task runtime wrote: a Parquet DataFrame, a STRUCT, a blob and a map of floats', () => {
    const inputs = { n: 12, asOf: '2026-01-01T00:00:00Z', hyperparameters: { shift: 0.5, tags: ['a', 'b'] }, trainerKwargs: { epochs: 2 } };
    const report = json<{
      executionName: string;
      workDir: string;
      hyperparameters: unknown;
      metrics: Record<string, Record<string, number>>;
      modelPath: string;
    }>(
      unionml(
        ['train', 'app:model', '--local', '--compiled', '--keep', '--json', '-o', join(work, 'every-type.json'), '-i', JSON.stringify(inputs)],
        everyType,
      ),
    );
    const rows = Array.from({ length: 12 }, (_, x) => ({ x, x2: 2 * x, y: x >= 50 ? 1 : 0 }));
    const dataset = flytekitReadLiterals(nodeOutputs(report.workDir, report.executionName, 'n0'), { data: { columns: ['x', 'x2', 'y'], records: rows } });
    expect(dataset.diff, dataset.stdout + dataset.stderr).toBeUndefined();
    expect(dataset.ok).toBe(true);

    const modelFile = readFileSync(report.modelPath);
    const train = flytekitReadLiterals(nodeOutputs(report.workDir, report.executionName, 'n1'), {
      hyperparameters: { shift: 0.5, tags: ['a', 'b'] },
      // a Flyte map of floats: {"train.score": ..., "test.score": ...}
      metrics: Object.fromEntries(
        Object.entries(report.metrics).flatMap(([split, values]) => Object.entries(values).map(([name, v]) => [`${split}.${name}`, v])),
      ),
      model_object: { blob: { size: modelFile.length, sha256: createHash('sha256').update(modelFile).digest('hex'), text: modelFile.toString('utf8') } },
    });
    expect(train.diff, train.stdout + train.stderr).toBeUndefined();
    expect(train.ok).toBe(true);
    expect(JSON.parse(modelFile.toString('utf8'))).toMatchObject({
      format: 'unionml.model',
      model: 'every_type_model',
      hyperparameters: { shift: 0.5, tags: ['a', 'b'] },
    });
    expect(readdirSync(join(report.workDir, 'data')).length).toBe(2);
  });
});

describe('what Python Flyte users send: flytekit, pandas and pyarrow write the inputs, our task runtime runs the task', () => {
  it('predict_from_features_task and predict_task: every codec x every pandas index kind, with non-feature date, list, struct and categorical columns', () => {
    const model = join(work, 'matrix-model.json');
    json(unionml(['train', 'app:model', '--local', '-o', model, '--json'], digits));
    const features = join(digits, 'data', 'sample_features.json');
    const local = JSON.parse(unionml(['predict', 'app:model', '--local', '--model-path', model, '-f', features], digits).stdout) as number[];
    expect(local).toHaveLength(5);
    const written = run(
      judgePaths.python,
      [join(repoRoot, 'tools', 'flytekit-check', 'write_inputs.py'), '--model', model, '--features', features, '--out', join(work, 'matrix')],
      {
        cwd: repoRoot,
      },
    );
    expect(written.status, written.stderr).toBe(0);
    const cases = JSON.parse(written.stdout) as { case: string; codec: string; index: string; inputs: string; predictInputs: string }[];
    expect(cases).toHaveLength(30); // 6 codecs x 5 index kinds
    const results: Record<string, string> = {};
    for (const c of cases) {
      const out = join(work, 'matrix-out', c.case);
      const task = executeDigitsTask('predict_from_features_task', c.inputs, out, join(work, 'matrix-raw'));
      expect(task.status, `${c.case}: ${task.stderr}`).toBe(0);
      expect(readdirSync(out), `${c.case}: ${task.stderr}`).toEqual(['outputs.pb']);
      const read = flytekitReadLiterals(join(out, 'outputs.pb'), { o0: local });
      expect(read.diff, `${c.case}: ${read.stdout}${read.stderr}`).toBeUndefined();
      expect(read.ok).toBe(true);
      // predict_task: the same frame as its `data` (its parser keeps the declared features)
      const predictOut = join(work, 'matrix-out', `${c.case}-predict`);
      const predict = executeDigitsTask('predict_task', c.predictInputs, predictOut, join(work, 'matrix-raw'));
      expect(predict.status, `${c.case} predict_task: ${predict.stderr}`).toBe(0);
      expect(readdirSync(predictOut), `${c.case} predict_task: ${predict.stderr}`).toEqual(['outputs.pb']);
      const predicted = flytekitReadLiterals(join(predictOut, 'outputs.pb'), { o0: local });
      expect(predicted.diff, `${c.case} predict_task: ${predicted.stdout}${predicted.stderr}`).toBeUndefined();
      results[c.case] = 'predictions = local';
    }
    expect(Object.keys(results)).toHaveLength(30);
  }, 600_000);

  it('train_task: hyperparameters as a dict and as a dataclass, each in msgpack and in the older Struct form; the data a pandas DataFrame', () => {
    const written = run(
      judgePaths.python,
      [join(repoRoot, 'tools', 'flytekit-check', 'write_inputs.py'), '--train', join(digits, 'data', 'digits.csv.gz'), '--out', join(work, 'train-matrix')],
      { cwd: repoRoot },
    );
    expect(written.status, written.stderr).toBe(0);
    const cases = JSON.parse(written.stdout) as { case: string; hyperparameters: string; inputs: string }[];
    expect(cases.map((c) => `${c.case}:${c.hyperparameters}`)).toEqual([
      'dict-msgpack:binary',
      'dict-struct:generic',
      'dataclass-msgpack:binary',
      'dataclass-struct:generic',
    ]);
    for (const c of cases) {
      const out = join(work, 'train-matrix-out', c.case);
      const task = executeDigitsTask('train_task', c.inputs, out, join(work, 'train-matrix-raw'));
      expect(task.status, `${c.case}: ${task.stderr}`).toBe(0);
      expect(readdirSync(out), `${c.case}: ${task.stderr}`).toEqual(['outputs.pb']);
      const read = flytekitReadLiterals(join(out, 'outputs.pb'));
      expect(read.ok, `${c.case}: ${read.stdout}${read.stderr}`).toBe(true);
      const outputs = read.json as { hyperparameters: unknown; metrics: Record<string, number> };
      expect(outputs.hyperparameters, c.case).toEqual({ learningRate: 0.1, epochs: 60, l2: 0.0001 });
      expect(outputs.metrics['test.accuracy'], c.case).toBeGreaterThan(0.9);
    }
  }, 600_000);
});
