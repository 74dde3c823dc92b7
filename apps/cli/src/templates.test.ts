// The templates of `unionml init` and their example apps: every template is complete (its files and dependencies
// are in its example), and the regression and tabular examples, trained through the CLI, score what scikit-learn
// scores on the same split (tools/sklearn-check/template-references.json).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, findTemplate, readExample, storedName, templateSources, TEMPLATES } from './templates.js';
import { gitEnv, IDENTITY, tree } from './test-support/init.js';
import { onlyJson, REPO, tempDir, unionml } from './test-support/run.js';

/** Files of an example that an app does not copy: `init` writes its own package.json and tsconfig.json. */
const NOT_COPIED = new Set(['package.json', 'tsconfig.json']);
/** What building, training or installing leaves in an example (git-ignored). */
const LEFT_BY_TOOLS = /^(node_modules|out-tsc|dist)\/|(^|\/)[^/]*\.tsbuildinfo$|(^|\/)(?:[^/]*\.)?model\.json$/;

function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : filesOf(dir, `${prefix}${e.name}/`)) : [`${prefix}${e.name}`],
  );
}

interface References {
  regression: { test: { r2: number; mse: number }; train: { r2: number; mse: number } };
  tabular: { test: { accuracy: number; f1: number; roc_auc: number }; train: { accuracy: number; f1: number; roc_auc: number } };
}
const references = JSON.parse(readFileSync(join(REPO, 'tools', 'sklearn-check', 'template-references.json'), 'utf8')) as References;

describe('the templates of unionml init', () => {
  it('are basic, regression, tabular and the AWS Lambda ones', () => {
    expect(Object.keys(TEMPLATES)).toEqual(['basic', 'regression', 'tabular', 'basic-aws-lambda', 'basic-aws-lambda-s3']);
    for (const [key, spec] of Object.entries(TEMPLATES)) expect(spec.name).toBe(key);
  });

  it.each(Object.values(TEMPLATES))('$name: its example has every file it lists, lists every file an app needs, and has its dependencies', (spec) => {
    const example = join(REPO, spec.example);
    const pkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe(spec.examplePackage);
    const present = filesOf(example).filter((f) => !LEFT_BY_TOOLS.test(f));
    // A template with a base gets the base's files from the base's example: a file of the same name in its own example
    // (the repository's stand-in app.ts) is not copied.
    const own = spec.files.filter((f) => !spec.baseFiles?.includes(f));
    expect([...own].sort()).toEqual(present.filter((f) => !NOT_COPIED.has(f) && !spec.baseFiles?.includes(f)).sort());
    for (const { file, example: from } of templateSources(spec)) expect(readFileSync(join(REPO, from, file)).length, `${from}/${file}`).toBeGreaterThan(0);
    const meta = readExample(spec, example);
    expect(Object.keys(meta.dependencies)).toEqual(spec.dependencies);
    expect(Object.keys(meta.scripts)).toEqual(['train', 'serve']);
    // Exact versions: an app made today installs what the example was tested with.
    for (const version of [...Object.values(meta.dependencies), ...Object.values(meta.devDependencies)]) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('templates with a base: the AWS Lambda templates', () => {
  const lambda = TEMPLATES['basic-aws-lambda']!;
  const s3 = TEMPLATES['basic-aws-lambda-s3']!;
  const sources = (name: string) => Object.fromEntries(templateSources(TEMPLATES[name]!).map(({ file, example }) => [file, example]));

  it('are the basic template’s app and data, plus their own files, which replace the base’s of the same name', () => {
    expect(lambda.base).toBe('basic');
    expect(sources('basic-aws-lambda')).toEqual({
      'app.ts': 'examples/digits',
      Dockerfile: 'examples/digits',
      '.unionml/README.md': 'examples/digits',
      'data/digits.csv.gz': 'examples/digits',
      'data/digits.rst': 'examples/digits',
      'data/sample_features.json': 'examples/digits',
      'README.md': 'examples/aws-lambda',
      '.gitignore': 'examples/aws-lambda',
      '.dockerignore': 'examples/aws-lambda',
      'handler.ts': 'examples/aws-lambda',
      'template.yaml': 'examples/aws-lambda',
      'Dockerfile.awslambda': 'examples/aws-lambda',
      'events/http-api-predict.json': 'examples/aws-lambda',
      'events/http-api-health.json': 'examples/aws-lambda',
      'events/rest-api-predict.json': 'examples/aws-lambda',
    });
    // The S3 one builds on the Lambda one (its image and ignore files), without the HTTP events.
    expect(s3.base).toBe('basic-aws-lambda');
    expect(sources('basic-aws-lambda-s3')).toEqual({
      ...Object.fromEntries(Object.entries(sources('basic-aws-lambda')).filter(([file]) => !file.startsWith('events/'))),
      'README.md': 'examples/aws-lambda-s3',
      'handler.ts': 'examples/aws-lambda-s3',
      'template.yaml': 'examples/aws-lambda-s3',
      'events/s3-put.json': 'examples/aws-lambda-s3',
    });
    for (const spec of [lambda, s3]) expect(readExample(spec, join(REPO, spec.example)).dependencies).toHaveProperty('@unionml/server');
  });

  it.each(['basic-aws-lambda', 'basic-aws-lambda-s3'])('%s: in the workspace, init reads each file from the example that has it', (name) => {
    const spec = TEMPLATES[name]!;
    const found = findTemplate(name);
    expect(found.packed).toBe(false);
    expect(found.files).toEqual(templateSources(spec).map(({ file, example }) => ({ file, path: join(REPO, example, file) })));
    expect(found.dependencies).toEqual(readExample(spec, join(REPO, spec.example)).dependencies);
  });

  it('unionml init --template basic-aws-lambda-s3 makes the app: the digits app, the S3 handler, the Lambda image', async () => {
    const cwd = tempDir();
    const result = await unionml(['init', 'my_lambda', '--template', 'basic-aws-lambda-s3'], { cwd, env: gitEnv(IDENTITY) });
    expect(result.code, result.stderr).toBe(0);
    const app = join(cwd, 'my_lambda');
    expect(
      tree(app)
        .filter((f) => !f.startsWith('.git/'))
        .sort(),
    ).toEqual([...s3.files, 'package.json', 'tsconfig.json'].sort());
    for (const { file, example } of templateSources(s3)) expect(readFileSync(join(app, file)).equals(readFileSync(join(REPO, example, file))), file).toBe(true);
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const { version } = JSON.parse(readFileSync(join(CLI_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.dependencies).toMatchObject({ '@unionml/server': `^${version}`, '@tensorflow/tfjs-backend-wasm': '4.22.0' });
  });

  it('npm pack’s copy (scripts/copy-template.mjs, from the built CLI) holds each file once, in its owner’s folder, as findTemplate finds them', () => {
    // A packed CLI: templates/ in its folder, and no examples two levels up.
    const packedRoot = join(tempDir(), 'cli');
    const out = join(packedRoot, 'templates');
    const copied = spawnSync(process.execPath, [join(CLI_ROOT, 'scripts', 'copy-template.mjs'), out], { encoding: 'utf8' });
    expect(copied.status, copied.stderr).toBe(0);
    expect(copied.stdout).toContain(
      'copied the basic-aws-lambda-s3 template from examples/aws-lambda-s3 (4 files; 9 more from the basic-aws-lambda template at init)',
    );
    // The Lambda templates' folders hold their own files only: the digits app and data are in basic's.
    expect(tree(join(out, 'basic-aws-lambda')).sort()).toEqual(
      [
        ...templateSources(lambda)
          .filter((s) => s.owner === 'basic-aws-lambda')
          .map((s) => storedName(s.file)),
        'template.json',
      ].sort(),
    );
    expect(tree(join(out, 'basic-aws-lambda-s3')).sort()).toEqual(['README.md', 'handler.ts', 'template.yaml', 'events/s3-put.json', 'template.json'].sort());
    for (const name of ['basic-aws-lambda', 'basic-aws-lambda-s3']) {
      const spec = TEMPLATES[name]!;
      const found = findTemplate(name, packedRoot);
      expect(found.packed).toBe(true);
      expect(found.files.map((f) => f.file)).toEqual([...spec.files]);
      const owners = Object.fromEntries(templateSources(spec).map(({ file, example, owner }) => [file, { example, owner }]));
      for (const { file, path } of found.files) {
        expect(path, file).toBe(join(out, owners[file]!.owner, storedName(file)));
        expect(readFileSync(path).equals(readFileSync(join(REPO, owners[file]!.example, file))), file).toBe(true);
      }
      expect(found).toMatchObject(readExample(spec, join(REPO, spec.example)));
    }
  });
});

describe('the regression and tabular examples through the CLI score what scikit-learn scores', () => {
  it('regression: ordinary least squares gives scikit-learn LinearRegression’s R² and MSE on both splits; predictions are numbers', async () => {
    const cwd = join(REPO, 'examples', 'regression');
    const modelPath = join(tempDir(), 'model.json');
    const trained = await unionml(['train', 'app:model', '--local', '--json', '-o', modelPath], { cwd });
    expect(trained.code, trained.stderr).toBe(0);
    const report = onlyJson(trained) as { model: string; hyperparameters: unknown; metrics: References['regression'] };
    expect(report).toMatchObject({ model: 'diabetes_regressor', hyperparameters: { intercept: true } });
    for (const split of ['train', 'test'] as const) {
      expect(report.metrics[split].r2).toBeCloseTo(references.regression[split].r2, 9);
      expect(report.metrics[split].mse / references.regression[split].mse).toBeCloseTo(1, 9);
    }
    // The mljs regression is stored by the default saver with its static load(json): no saver in the app.
    const file = JSON.parse(readFileSync(modelPath, 'utf8')) as { modelObject: unknown };
    expect(file.modelObject).toMatchObject({ encoding: 'toJSON', className: 'MultivariateLinearRegression', rebuild: 'load' });

    const predicted = await unionml(['predict', 'app:model', '--local', '--model-path', modelPath, '-f', 'data/sample_features.json', '--json'], { cwd });
    expect(predicted.code, predicted.stderr).toBe(0);
    const { predictions } = onlyJson(predicted) as { predictions: unknown[] };
    expect(predictions).toHaveLength(5);
    for (const p of predictions) expect(typeof p === 'number' && p > 25 && p < 346, String(p)).toBe(true); // the target's range
  }, 60_000);

  it('tabular: the scaled L2 logistic regression gives scikit-learn’s accuracy, F1 and ROC AUC on the test split; predictions are diagnoses', async () => {
    const cwd = join(REPO, 'examples', 'tabular');
    const modelPath = join(tempDir(), 'model.json');
    const trained = await unionml(['train', 'app:model', '--local', '--json', '-o', modelPath], { cwd });
    expect(trained.code, trained.stderr).toBe(0);
    const report = onlyJson(trained) as { metrics: { train: Record<string, number>; test: Record<string, number> } };
    const sklearn = references.tabular;
    expect(report.metrics.test.accuracy).toBe(sklearn.test.accuracy);
    expect(report.metrics.test.f1).toBeCloseTo(sklearn.test.f1, 12);
    expect(report.metrics.test.rocAuc).toBeCloseTo(sklearn.test.roc_auc, 12);
    expect(report.metrics.train.accuracy).toBe(sklearn.train.accuracy);
    expect(report.metrics.train.f1).toBeCloseTo(sklearn.train.f1, 12);
    // scikit-learn's lbfgs stops at tol=1e-4, short of the optimum this app reaches: its train ROC AUC is 2e-5 lower.
    expect(report.metrics.train.rocAuc).toBeCloseTo(sklearn.train.roc_auc, 4);
    const file = JSON.parse(readFileSync(modelPath, 'utf8')) as { modelObject: unknown; transformerState: { columns: string[]; mean: number[] } };
    expect(file.modelObject).toMatchObject({ encoding: 'toJSON', className: 'LogisticRegression', rebuild: 'fromJSON' });
    expect(file.transformerState.columns).toHaveLength(30);

    const predicted = await unionml(['predict', 'app:model', '--local', '--model-path', modelPath, '-f', 'data/sample_features.json', '--json'], { cwd });
    expect(predicted.code, predicted.stderr).toBe(0);
    // The first five rows of the test split (malignant x4, benign): the third is one of the three the model gets wrong.
    expect((onlyJson(predicted) as { predictions: unknown }).predictions).toEqual(['malignant', 'malignant', 'benign', 'malignant', 'benign']);
  }, 60_000);
});
