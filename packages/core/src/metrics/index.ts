/**
 * `@unionml/core/metrics`: the metrics an app's evaluator needs, with scikit-learn's semantics and argument order
 * (the actual values `yTrue` first), checked against scikit-learn 1.7 on real models' predictions.
 *
 * - Classification, on predicted labels: {@link accuracy}, {@link precision}, {@link recall}, {@link f1},
 *   {@link confusionMatrix}. Labels are integers, strings or booleans, all of one type; classes are sorted as
 *   scikit-learn sorts them (numbers ascending, strings by code point, `false` before `true`).
 * - Classification, on scores or probabilities: {@link rocAuc}, {@link logLoss}. Binary: one number per row for the
 *   positive class, the greater of the two; multiclass: a probability matrix, one column per class in sorted order.
 * - Regression: {@link r2}, {@link meanSquaredError}, {@link rootMeanSquaredError}, {@link meanAbsoluteError}.
 *
 * Values may be arrays or typed arrays. Input that cannot be scored (lengths that differ, no rows, NaN, mixed
 * label types, one class only for ROC AUC, probabilities that do not fit the classes) throws a
 * {@link MetricInputError} (code `METRIC_INPUT_INVALID`) whose message names the metric and what was wrong.
 * Undefined ratios (0/0, e.g. the precision of a class never predicted) count as 0, as scikit-learn's default
 * `zero_division` gives (scikit-learn also warns; these functions return quietly).
 *
 * @example
 * ```ts
 * import { accuracy, f1 } from '@unionml/core/metrics';
 *
 * model.evaluator((classifier, features, target) => {
 *   const predicted = classifier.predict(features.toMatrix());
 *   const actual = target.toVector();
 *   return { accuracy: accuracy(actual, predicted), f1: f1(actual, predicted, { average: 'macro' }) };
 * });
 * ```
 * @module
 */
export { accuracy, confusionMatrix, f1, precision, recall } from './classification.js';
export type { Average, ClassificationOptions, ConfusionMatrix, ConfusionMatrixOptions } from './classification.js';
export { logLoss, rocAuc } from './probabilistic.js';
export type { LogLossOptions, RocAucOptions, Scores } from './probabilistic.js';
export { meanAbsoluteError, meanSquaredError, r2, rootMeanSquaredError } from './regression.js';
export { MetricInputError } from '../errors.js';
export type { ClassLabel } from '../types.js';
