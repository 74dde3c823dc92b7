// The example app (the basic template) end to end: train on the real digits data, then predict the samples.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onlyJson, REPO, tempDir, unionml } from './test-support/run.js';

const DIGITS = join(REPO, 'examples', 'digits');

describe('examples/digits through the CLI', () => {
  it('trains to test accuracy >= 0.96, then predicts five digits from data/sample_features.json', async () => {
    const modelPath = join(tempDir(), 'model.json');
    const trained = await unionml(['train', 'app:model', '--local', '--json', '-o', modelPath], { cwd: DIGITS });
    expect(trained.code, trained.stderr).toBe(0);
    const report = onlyJson(trained) as {
      model: string;
      modelPath: string;
      metrics: { train: { accuracy: number }; test: { accuracy: number } };
      hyperparameters: Record<string, unknown>;
      seconds: number;
    };
    expect(report).toMatchObject({ model: 'digits_classifier', modelPath, hyperparameters: { learningRate: 0.05, epochs: 300, l2: 0.0001 } });
    expect(report.metrics.test.accuracy).toBeGreaterThanOrEqual(0.96);
    // within 0.01 of scikit-learn's StandardScaler + LogisticRegression on the same split
    const references = JSON.parse(readFileSync(join(REPO, 'tools', 'sklearn-check', 'template-references.json'), 'utf8')) as {
      basic: { test: { accuracy: number } };
    };
    expect(report.metrics.test.accuracy).toBeGreaterThanOrEqual(references.basic.test.accuracy - 0.01);
    expect(report.metrics.train.accuracy).toBeGreaterThanOrEqual(report.metrics.test.accuracy);
    expect(report.seconds).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(modelPath, 'utf8'))).toMatchObject({ format: 'unionml.model', model: 'digits_classifier' });

    const predicted = await unionml(['predict', 'app:model', '--local', '--model-path', modelPath, '-f', 'data/sample_features.json', '--json'], {
      cwd: DIGITS,
    });
    expect(predicted.code, predicted.stderr).toBe(0);
    const { predictions } = onlyJson(predicted) as { predictions: unknown[] };
    expect(predictions).toHaveLength(5);
    for (const p of predictions) {
      expect(Number.isInteger(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(9);
    }
  }, 120_000);
});
