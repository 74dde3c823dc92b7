// The templates of `unionml init` and their example apps: every template is complete (its files and dependencies
// are in its example), and the regression and tabular examples, trained through the CLI, score what scikit-learn
// scores on the same split (tools/sklearn-check/template-references.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample, TEMPLATES } from './templates.js';
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
  it('are basic, regression and tabular', () => {
    expect(Object.keys(TEMPLATES)).toEqual(['basic', 'regression', 'tabular']);
    for (const [key, spec] of Object.entries(TEMPLATES)) expect(spec.name).toBe(key);
  });

  it.each(Object.values(TEMPLATES))('$name: its example has every file it lists, lists every file an app needs, and has its dependencies', (spec) => {
    const example = join(REPO, spec.example);
    const pkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe(spec.examplePackage);
    const present = filesOf(example).filter((f) => !LEFT_BY_TOOLS.test(f));
    expect([...spec.files].sort()).toEqual(present.filter((f) => !NOT_COPIED.has(f)).sort());
    const meta = readExample(spec, example);
    expect(Object.keys(meta.dependencies)).toEqual(spec.dependencies);
    expect(Object.keys(meta.scripts)).toEqual(['train', 'serve']);
    // Exact versions: an app made today installs what the example was tested with.
    for (const version of [...Object.values(meta.dependencies), ...Object.values(meta.devDependencies)]) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
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
