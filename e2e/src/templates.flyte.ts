// The `regression` and `tabular` templates as a new user gets them: `unionml init --template` (wired to this
// workspace's packages through `npm pack` tarballs), `npm install` from the npm registry, then for each app:
// - it typechecks against the published declarations;
// - it trains in-process to scikit-learn's scores on the same split (tools/sklearn-check/template-references.json);
// - it serves: POST /predict with the sample features, in any column order, and a 400 for a missing column;
// - `unionml package` writes a bundle that Flyte's compiler and flytekit accept;
// - its compiled workflow, run node by node through the local executor, gives the in-process metrics (flytekit reads
//   them as the Flyte map {"test.r2": ...}) and predictions.
// In e2e:flyte (vitest.flyte.mts picks src/**/*.flyte.ts): it needs the Flyte judges (setup-flyte-judges.sh).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flyteCheck, flytekitCheckBundle, flytekitReadLiterals } from '@unionml/flyte-judges';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPublished, post, repoRoot, run, runAsync, runOk, startServer, type Served } from './support.js';

/** The published packages, packed as a release would publish them. */

type Metrics = Record<'train' | 'test', Record<string, number>>;
type Features = Record<string, unknown>[];

interface TrainReport {
  model: string;
  modelPath: string;
  hyperparameters: unknown;
  metrics: Metrics;
  executionName?: string;
  workDir?: string;
  nodes?: { id: string; taskName: string; seconds: number }[];
}

interface Template {
  template: 'regression' | 'tabular';
  app: string;
  model: string;
  /** Each test metric of the app, with the name scikit-learn's reference gives it. */
  reference: Record<string, string>;
  /** Checks one prediction's type. */
  isPrediction: (p: unknown) => boolean;
}

const references = JSON.parse(readFileSync(join(repoRoot, 'tools', 'sklearn-check', 'template-references.json'), 'utf8')) as Record<
  'regression' | 'tabular',
  { test: Record<string, number>; features: string[] }
>;

const TEMPLATES: Template[] = [
  {
    template: 'regression',
    app: 'diabetes_app',
    model: 'diabetes_regressor',
    reference: { r2: 'r2', mse: 'mse' },
    isPrediction: (p) => typeof p === 'number' && Number.isFinite(p),
  },
  {
    template: 'tabular',
    app: 'cancer_app',
    model: 'breast_cancer_classifier',
    reference: { accuracy: 'accuracy', f1: 'f1', rocAuc: 'roc_auc' },
    isPrediction: (p) => p === 'benign' || p === 'malignant',
  },
];

const work = mkdtempSync(join(tmpdir(), 'unionml-templates-'));
const packs = join(work, 'packs');
const appDir = (t: Template) => join(work, t.app);
const unionml = (t: Template, args: string[]) => run('npx', ['--no-install', 'unionml', ...args], { cwd: appDir(t) });
const json = <T>(result: ReturnType<typeof run>): T => {
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};
const servers: Served[] = [];
/** The folders of the compiled runs kept (--keep) for flytekit to read. */
const keptRuns: string[] = [];
const seconds: Record<string, number> = {};

beforeAll(async () => {
  const started = performance.now();
  mkdirSync(packs);
  packPublished(packs);
  for (const t of TEMPLATES) {
    runOk('node', [join(repoRoot, 'apps/cli/bin/unionml.js'), 'init', t.app, '--template', t.template, '--packages-from', packs], { cwd: work });
  }
  // Both installs at once: they mostly wait on the registry and the disk.
  const installs = await Promise.all(TEMPLATES.map((t) => runAsync('npm', ['install', '--no-audit', '--no-fund'], { cwd: appDir(t), timeoutMs: 600_000 })));
  for (const [i, result] of installs.entries()) expect(result.status, `npm install of ${TEMPLATES[i]!.app}: ${result.stderr}`).toBe(0);
  seconds['setup'] = (performance.now() - started) / 1000;
}, 900_000);

afterAll(async () => {
  for (const served of servers) await served.stop();
  console.log(`templates e2e: setup (npm pack, init, npm install) ${seconds['setup']?.toFixed(0)} s`);
  // Two installed apps (about 400 MB each) and the compiled runs' kept folders.
  for (const dir of [work, ...keptRuns]) rmSync(dir, { recursive: true, force: true });
});

describe.each(TEMPLATES)('the $template template', (t) => {
  const features = () => JSON.parse(readFileSync(join(appDir(t), 'data', 'sample_features.json'), 'utf8')) as Features;
  let local: TrainReport | undefined;
  let localPredictions: unknown[] | undefined;

  it('is a new app with the template files, a first commit and no TensorFlow.js dependency; it typechecks', () => {
    const pkg = JSON.parse(readFileSync(join(appDir(t), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).filter((d) => d.includes('tensorflow'))).toEqual([]);
    expect(runOk('git', ['log', '--oneline'], { cwd: appDir(t) }).stdout).toContain(`initial commit for ${t.app}`);
    const typecheck = run('npm', ['run', '--silent', 'typecheck'], { cwd: appDir(t) });
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);
  });

  it("trains in-process to scikit-learn's test scores on the same split", () => {
    local = json<TrainReport>(unionml(t, ['train', 'app:model', '--local', '--json', '-o', 'model.json']));
    expect(local.model).toBe(t.model);
    const reference = references[t.template].test;
    const measured: string[] = [];
    for (const [name, sklearnName] of Object.entries(t.reference)) {
      const value = local.metrics.test[name]!;
      const expected = reference[sklearnName]!;
      measured.push(`${name} ${value} (scikit-learn ${expected})`);
      // R², accuracy, F1 and ROC AUC to 1e-6; the MSE (about 2600) to 1e-6 of its value.
      expect(Math.abs(value - expected), name).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
    }
    if (t.template === 'tabular') expect(local.metrics.test['accuracy']).toBe(reference['accuracy']);
    console.log(`${t.template} test: ${measured.join(', ')}`);
  });

  it('predicts the sample features in-process', () => {
    const result = json<{ predictions: unknown[] }>(
      unionml(t, ['predict', 'app:model', '--local', '--model-path', 'model.json', '-f', 'data/sample_features.json', '--json']),
    );
    localPredictions = result.predictions;
    expect(localPredictions).toHaveLength(5);
    for (const p of localPredictions) expect(t.isPrediction(p), JSON.stringify(p)).toBe(true);
  });

  it('serves the model: POST /predict with the sample features, in any column order; a missing column gets a 400', async () => {
    const served = await startServer(join(appDir(t), 'node_modules', '.bin', 'unionml'), ['serve', 'app:model', '--model-path', 'model.json', '--port', '0'], {
      cwd: appDir(t),
    });
    servers.push(served);
    const url = `${served.url}/predict`;
    const records = features();
    const answer = await post(url, { features: records });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toHaveLength(5);
    for (const p of answer.body as unknown[]) expect(t.isPrediction(p), JSON.stringify(p)).toBe(true);
    expect(answer.body).toEqual(localPredictions);

    const reordered = records.map((r) => Object.fromEntries(Object.entries(r).reverse()));
    expect(Object.keys(reordered[0]!)[0]).toBe(references[t.template].features.at(-1));
    expect(await post(url, { features: reordered })).toEqual({ status: 200, body: answer.body });

    const [dropped] = references[t.template].features;
    const missing = records.map(({ [dropped!]: _, ...rest }) => rest);
    const refused = await post(url, { features: missing });
    expect(refused.status).toBe(400);
    expect((refused.body as { detail: string; code: string }).detail).toContain(`missing column ${dropped}`);
    expect((refused.body as { code: string }).code).toBe('DATA_COLUMNS_MISSING');

    servers.splice(servers.indexOf(served), 1);
    expect(await served.stop()).toBe(0);
  });

  it("packages: 4 tasks, 3 workflows and their launch plans, which Flyte's compiler and flytekit accept", () => {
    const bundle = join(work, `${t.template}.tgz`);
    const report = json<{ files: string[] }>(
      unionml(t, ['package', 'app:model', '--image', `localhost:30000/${t.template}:v1`, '--version', 'v1', '-o', bundle, '--json']),
    );
    expect(report.files.filter((f) => f.endsWith('_1.pb'))).toHaveLength(4);
    expect(report.files.filter((f) => f.endsWith('_2.pb'))).toHaveLength(3);
    expect(report.files.filter((f) => f.endsWith('_3.pb'))).toHaveLength(3);
    const compiled = flyteCheck(bundle);
    expect(compiled.ok, compiled.stdout + compiled.stderr).toBe(true);
    const flytekit = flytekitCheckBundle(bundle);
    expect(flytekit.ok, flytekit.stdout + flytekit.stderr).toBe(true);
    const train = (flytekit.json as { tasks: { name: string; pythonTypes?: { outputs?: Record<string, string> } }[] }).tasks.find(
      (task) => task.name === `${t.model}.train_task`,
    );
    expect(train?.pythonTypes?.outputs).toMatchObject({ metrics: 'Dict[str, float]' });
  });

  it('runs compiled, one process per task: the in-process metrics (a Flyte map of floats) and predictions', () => {
    const compiled = json<TrainReport>(unionml(t, ['train', 'app:model', '--local', '--compiled', '--keep', '--json', '-o', 'compiled.model.json']));
    expect(compiled.metrics).toEqual(local!.metrics);
    expect(compiled.nodes?.map((n) => n.id)).toEqual(['n0', 'n1']);
    keptRuns.push(compiled.workDir!);
    // The train task's outputs, as flytekit reads them: the metrics as {"train.r2": ..., "test.r2": ...}.
    const outputs = join(compiled.workDir!, 'metadata', compiled.executionName!, 'n1', 'data', '0', 'outputs.pb');
    const flat = Object.fromEntries(Object.entries(local!.metrics).flatMap(([split, values]) => Object.entries(values).map(([k, v]) => [`${split}.${k}`, v])));
    const read = flytekitReadLiterals(outputs);
    expect(read.ok, read.stdout + read.stderr).toBe(true);
    expect((read.json as { metrics: unknown }).metrics).toEqual(flat);

    const predicted = json<{ predictions: unknown[] }>(
      unionml(t, ['predict', 'app:model', '--local', '--compiled', '--model-path', 'compiled.model.json', '-f', 'data/sample_features.json', '--json']),
    );
    expect(predicted.predictions).toEqual(localPredictions);
  });
});
