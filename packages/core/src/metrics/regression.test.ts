import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricError } from '../test-support/metric-error.js';
import { meanAbsoluteError, meanSquaredError, r2, rootMeanSquaredError } from './index.js';

// scikit-learn's docstring examples: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8].
const yTrue = [3, -0.5, 2, 7];
const yPred = [2.5, 0.0, 2, 8];

describe('regression metrics', () => {
  it("give scikit-learn's docstring values", () => {
    expect(r2(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 15);
    expect(meanSquaredError(yTrue, yPred)).toBe(0.375);
    expect(rootMeanSquaredError(yTrue, yPred)).toBeCloseTo(0.6123724356957945, 15);
    expect(meanAbsoluteError(yTrue, yPred)).toBe(0.5);
  });

  it('take typed arrays', () => {
    expect(r2(Float64Array.from(yTrue), Float32Array.from(yPred))).toBe(r2(yTrue, yPred));
    expect(meanAbsoluteError(Int32Array.from([1, 2, 3]), [2, 2, 2])).toBe(2 / 3);
  });

  it('r2 of a constant yTrue is 1 for perfect predictions and 0 otherwise (force_finite)', () => {
    expect(r2([5, 5, 5], [5, 5, 5])).toBe(1);
    expect(r2([5, 5, 5], [5, 5, 6])).toBe(0);
    expect(r2([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(r2([1, 2, 3], [3, 2, 1])).toBe(-3);
  });

  it('refuse lengths that differ, no rows, values that are not finite numbers, and r2 of one row', () => {
    for (const [metric, fn] of Object.entries({ r2, meanSquaredError, rootMeanSquaredError, meanAbsoluteError })) {
      metricError(() => fn([1, 2], [1]), metric, /yTrue has 2 values but yPred has 1/);
      metricError(() => fn([], []), metric, /empty/);
      metricError(() => fn([1, NaN], [1, 2]), metric, /yTrue\[1\] is NaN, not a finite number/);
      metricError(() => fn([1, 2], [1, Infinity]), metric, /yPred\[1\] is Infinity/);
      metricError(() => fn([1, 2], [1, '2'] as unknown as number[]), metric, /yPred\[1\] is "2", not a finite number/);
    }
    metricError(() => r2([1], [1]), 'r2', /not defined for one row/);
  });
});

describe('@unionml/core/metrics', () => {
  it('is the subpath export of the package, as Node resolves it', async () => {
    // A Node process resolves the package name through package.json "exports" (the sources, by the workspace's
    // condition), as an app that imports it does.
    const script = `const m = await import('@unionml/core/metrics'); console.log(JSON.stringify(Object.keys(m).sort()));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@unionml/source', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(result.status, result.stderr).toBe(0);
    const exported = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as string[];
    expect(exported).toEqual(Object.keys(await import('./index.js')).sort());
    expect(exported).toEqual(
      [
        'MetricInputError',
        'accuracy',
        'confusionMatrix',
        'f1',
        'logLoss',
        'meanAbsoluteError',
        'meanSquaredError',
        'precision',
        'r2',
        'recall',
        'rocAuc',
        'rootMeanSquaredError',
      ].sort(),
    );
  });
});
