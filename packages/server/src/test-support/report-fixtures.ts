// Inputs of model reports (packages/server/src/report.ts) for its unit and browser tests.
import type { ReportInput } from '../report.js';

/** A deterministic pseudo-random sequence in [0, 1) (Park-Miller), so that the fixtures are the same on every run. */
export function seeded(seed = 1): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** A classifier's report: `n` classes whose labels are `label(i)`; every row of class 0 is predicted right. */
export function classificationInput(n = 3, label: (i: number) => string = (i) => `class_${i}`): ReportInput {
  const labels = Array.from({ length: n }, (_, i) => label(i));
  const matrix = labels.map((_, i) => labels.map((_, j) => (i === j ? 20 + (i % 7) : i === 0 ? 0 : (i + 2 * j) % 5 === 0 ? 2 : 0)));
  return {
    model: 'iris_classifier',
    savedAt: '2024-05-01T12:34:56.789Z',
    unionml: '0.1.0',
    hyperparameters: { C: 1, solver: 'lbfgs', maxIter: 200 },
    metrics: { train: { accuracy: 0.9833333333, f1: 0.98 }, test: { accuracy: 0.9666666667, f1: 0.965 } },
    evaluation: { kind: 'classification', split: 'test', target: 'species', labels, matrix },
  };
}

/** A regression's report: `n` points around predicted = actual, actual values from `low` to `high`. */
export function regressionInput(n = 2000, low = -50, high = 250): ReportInput {
  const random = seeded(7);
  const actual = Array.from({ length: n }, () => low + random() * (high - low));
  const predicted = actual.map((a) => a + (random() - 0.5) * 0.2 * (high - low));
  return {
    model: 'diabetes_regressor',
    savedAt: '2024-05-01T12:34:56Z',
    unionml: '0.1.0',
    hyperparameters: { alpha: 0.001 },
    metrics: { train: { r2: 0.51, mse: 2890.1234 }, test: { r2: 0.48, mse: 2900.5 } },
    evaluation: { kind: 'regression', split: 'test', target: 'progression', actual, predicted, rows: 5 * n },
  };
}
