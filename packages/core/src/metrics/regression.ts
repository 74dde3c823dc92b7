// Regression metrics: R², mean squared error, its root and mean absolute error, with scikit-learn's semantics
// (sklearn.metrics 1.7, one output).
import { checkLengths, fail, finiteAt } from './checks.js';

/**
 * The coefficient of determination R² (scikit-learn's `r2_score`): 1 − Σ(y − ŷ)² / Σ(y − ȳ)². 1 is perfect, 0 is
 * as good as predicting the mean of `yTrue`, and it is negative for worse predictions.
 *
 * When `yTrue` is constant (Σ(y − ȳ)² = 0), R² is 1 for perfect predictions and 0 otherwise, as scikit-learn's
 * default `force_finite=True` gives.
 *
 * @param yTrue the actual values
 * @param yPred the predicted values, one per row of `yTrue`
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) when the lengths differ, a value is not a finite number,
 *   or there are fewer than two rows (scikit-learn returns NaN and warns: R² is not defined for one row)
 *
 * @example
 * ```ts
 * import { r2 } from '@unionml/core/metrics';
 *
 * r2([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]); // 0.9486081370449679
 * r2(new Float64Array([1, 2, 3]), [2, 2, 2]); // 0
 * ```
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const metric = 'r2';
  const n = checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  if (n < 2) fail(metric, 'R² is not defined for one row', 'score at least two rows');
  let sum = 0;
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const t = finiteAt(metric, yTrue, 'yTrue', i);
    const d = t - finiteAt(metric, yPred, 'yPred', i);
    sum += t;
    residual += d * d;
  }
  const mean = sum / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i]! - mean;
    total += d * d;
  }
  if (residual === 0) return 1;
  if (total === 0) return 0;
  return 1 - residual / total;
}

/**
 * The mean squared error (scikit-learn's `mean_squared_error`): the mean of (y − ŷ)².
 *
 * @param yTrue the actual values
 * @param yPred the predicted values, one per row of `yTrue`
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) when the lengths differ, there are no rows, or a value is
 *   not a finite number
 *
 * @example
 * ```ts
 * import { meanSquaredError } from '@unionml/core/metrics';
 *
 * meanSquaredError([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]); // 0.375
 * ```
 */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return squaredError('meanSquaredError', yTrue, yPred);
}

/**
 * The root mean squared error (scikit-learn's `root_mean_squared_error`): √(mean of (y − ŷ)²), in the unit of the
 * target.
 *
 * @param yTrue the actual values
 * @param yPred the predicted values, one per row of `yTrue`
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) as {@link meanSquaredError}
 *
 * @example
 * ```ts
 * import { rootMeanSquaredError } from '@unionml/core/metrics';
 *
 * rootMeanSquaredError([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]); // 0.6123724356957945
 * ```
 */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(squaredError('rootMeanSquaredError', yTrue, yPred));
}

/**
 * The mean absolute error (scikit-learn's `mean_absolute_error`): the mean of |y − ŷ|.
 *
 * @param yTrue the actual values
 * @param yPred the predicted values, one per row of `yTrue`
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) as {@link meanSquaredError}
 *
 * @example
 * ```ts
 * import { meanAbsoluteError } from '@unionml/core/metrics';
 *
 * meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]); // 0.5
 * ```
 */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const metric = 'meanAbsoluteError';
  const n = checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(finiteAt(metric, yTrue, 'yTrue', i) - finiteAt(metric, yPred, 'yPred', i));
  return sum / n;
}

function squaredError(metric: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = finiteAt(metric, yTrue, 'yTrue', i) - finiteAt(metric, yPred, 'yPred', i);
    sum += d * d;
  }
  return sum / n;
}
