// Classification metrics on predicted labels: accuracy, precision, recall, F1 and the confusion matrix, with
// scikit-learn's semantics (sklearn.metrics 1.7).
import type { ClassLabel } from '../types.js';
import { checkGivenLabels, checkLabel, checkLabels, checkLengths, encodeLabels, fail, kindOfFirst, list, show } from './checks.js';

/**
 * How {@link precision}, {@link recall} and {@link f1} combine the classes (scikit-learn's `average`):
 *
 * - `binary` (the default): the score of the positive class `posLabel` only. Needs at most two classes in
 *   `yTrue` and `yPred` together.
 * - `macro`: the unweighted mean of each class's score.
 * - `micro`: the score of the summed true positives, false positives and false negatives of all classes (for
 *   single-label data, micro precision, recall and F1 all equal the accuracy).
 * - `weighted`: the mean of each class's score weighted by its support (its number of rows in `yTrue`).
 */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

/** Options of {@link precision}, {@link recall} and {@link f1}. */
export interface ClassificationOptions<L extends ClassLabel = ClassLabel> {
  /** How to combine the classes; `binary` by default (see {@link Average}). */
  average?: Average;
  /**
   * The positive class when `average` is `binary`: `1` by default (`true` when the labels are booleans), as in
   * scikit-learn. Ignored by the other averages.
   */
  posLabel?: L;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions<L extends ClassLabel = ClassLabel> {
  /**
   * The classes, in the order of the rows and columns. By default the classes of `yTrue` and `yPred` together,
   * sorted. Rows whose actual or predicted label is not listed are left out, as in scikit-learn.
   */
  labels?: readonly L[];
}

/** A confusion matrix: `matrix[i][j]` counts the rows of actual class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix<L extends ClassLabel = ClassLabel> {
  /** The classes, in the order of the rows (actual) and the columns (predicted). */
  labels: L[];
  matrix: number[][];
}

/**
 * The fraction of rows whose predicted label equals the actual label (scikit-learn's `accuracy_score`).
 *
 * Labels are numbers (integers), strings or booleans, all of one type; `yTrue` and `yPred` may be arrays or typed
 * arrays of the same length.
 *
 * @param yTrue the actual labels
 * @param yPred the predicted labels, one per row of `yTrue`
 * @returns a number in [0, 1]
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) when the lengths differ, there are no rows, or a value is
 *   NaN, not an integer, or of another type than the others
 *
 * @example
 * ```ts
 * import { accuracy } from '@unionml/core/metrics';
 *
 * accuracy([0, 1, 2, 2], [0, 2, 2, 2]); // 0.75
 * accuracy(['cat', 'dog'], ['cat', 'cat']); // 0.5
 * ```
 */
export function accuracy<L extends ClassLabel>(yTrue: ArrayLike<L>, yPred: ArrayLike<L>): number {
  const metric = 'accuracy';
  const n = checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  const kind = kindOfFirst(metric, yTrue, 'yTrue');
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (typeof t !== kind || (kind === 'number' && !Number.isInteger(t))) checkLabel(metric, t, kind, 'yTrue[0]', 'yTrue', i);
    // A predicted value equal to a checked actual one is a label too.
    if (t === p) correct++;
    else if (typeof p !== kind || (kind === 'number' && !Number.isInteger(p))) checkLabel(metric, p, kind, 'yTrue[0]', 'yPred', i);
  }
  return correct / n;
}

/**
 * Precision: of the rows predicted as a class, the fraction that are of that class, tp / (tp + fp)
 * (scikit-learn's `precision_score`). See {@link Average} for the averages over classes.
 *
 * When a class is never predicted, its precision is 0/0: like scikit-learn's default `zero_division='warn'`, it
 * counts as 0 (scikit-learn also warns; this returns quietly).
 *
 * @param yTrue the actual labels
 * @param yPred the predicted labels, one per row of `yTrue`
 * @param options `average` (`binary` by default) and `posLabel` (`1`, or `true` for boolean labels)
 * @returns a number in [0, 1]
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) for bad labels (see {@link accuracy}); with
 *   `average: 'binary'`, when there are more than two classes or `posLabel` is not one of two classes present
 *
 * @example
 * ```ts
 * import { precision } from '@unionml/core/metrics';
 *
 * precision([0, 1, 1, 0], [1, 1, 1, 0]); // 2/3: positive class 1
 * precision(['spam', 'ham', 'spam'], ['spam', 'spam', 'spam'], { posLabel: 'spam' }); // 2/3
 * precision([0, 1, 2, 2], [0, 2, 2, 2], { average: 'macro' }); // (1 + 0 + 2/3) / 3
 * ```
 */
export function precision<L extends ClassLabel>(yTrue: ArrayLike<L>, yPred: ArrayLike<L>, options: ClassificationOptions<L> = {}): number {
  return setWiseScore('precision', yTrue, yPred, options);
}

/**
 * Recall: of the rows of a class, the fraction predicted as that class, tp / (tp + fn) (scikit-learn's
 * `recall_score`). See {@link Average} for the averages over classes.
 *
 * When a class has no rows in `yTrue` (possible for the positive class of `binary`), its recall is 0/0 and counts
 * as 0, like scikit-learn's default `zero_division='warn'`.
 *
 * @param yTrue the actual labels
 * @param yPred the predicted labels, one per row of `yTrue`
 * @param options `average` (`binary` by default) and `posLabel` (`1`, or `true` for boolean labels)
 * @returns a number in [0, 1]
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) as {@link precision}
 *
 * @example
 * ```ts
 * import { recall } from '@unionml/core/metrics';
 *
 * recall([0, 1, 1, 0], [1, 1, 0, 0]); // 0.5
 * recall(['a', 'b', 'c', 'c'], ['a', 'c', 'c', 'c'], { average: 'weighted' }); // (1 + 0 + 2) / 4
 * ```
 */
export function recall<L extends ClassLabel>(yTrue: ArrayLike<L>, yPred: ArrayLike<L>, options: ClassificationOptions<L> = {}): number {
  return setWiseScore('recall', yTrue, yPred, options);
}

/**
 * F1: the harmonic mean of precision and recall, 2·tp / (2·tp + fp + fn) (scikit-learn's `f1_score`). See
 * {@link Average} for the averages over classes.
 *
 * When a class has no rows in `yTrue` and is never predicted, its F1 is 0/0 and counts as 0, like scikit-learn's
 * default `zero_division='warn'`.
 *
 * @param yTrue the actual labels
 * @param yPred the predicted labels, one per row of `yTrue`
 * @param options `average` (`binary` by default) and `posLabel` (`1`, or `true` for boolean labels)
 * @returns a number in [0, 1]
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) as {@link precision}
 *
 * @example
 * ```ts
 * import { f1 } from '@unionml/core/metrics';
 *
 * f1(['benign', 'malignant', 'malignant'], ['benign', 'malignant', 'benign'], { posLabel: 'malignant' }); // 2/3
 * f1([0, 1, 2, 2], [0, 2, 2, 2], { average: 'macro' }); // (1 + 0 + 0.8) / 3
 * ```
 */
export function f1<L extends ClassLabel>(yTrue: ArrayLike<L>, yPred: ArrayLike<L>, options: ClassificationOptions<L> = {}): number {
  return setWiseScore('f1', yTrue, yPred, options);
}

type SetWise = 'precision' | 'recall' | 'f1';

/** tp / (tp + fp), tp / (tp + fn) or 2tp / (2tp + fp + fn) from the counts; 0 when the denominator is 0. */
function score(metric: SetWise, tp: number, predicted: number, actual: number): number {
  const denominator = metric === 'precision' ? predicted : metric === 'recall' ? actual : actual + predicted;
  if (denominator === 0) return 0;
  return metric === 'f1' ? (2 * tp) / denominator : tp / denominator;
}

function setWiseScore<L extends ClassLabel>(metric: SetWise, yTrue: ArrayLike<L>, yPred: ArrayLike<L>, options: ClassificationOptions<L>): number {
  const average = options.average ?? 'binary';
  if (!['binary', 'macro', 'micro', 'weighted'].includes(average)) {
    fail(metric, `options.average is ${show(average)}`, "pass average: 'binary', 'macro', 'micro' or 'weighted'");
  }
  checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  const {
    labels,
    kind,
    codes: [t, p],
  } = encodeLabels(metric, [
    ['yTrue', yTrue],
    ['yPred', yPred],
  ]);
  const k = labels.length;
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const actual = new Float64Array(k);
  for (let i = 0; i < t!.length; i++) {
    const a = t![i]!;
    const b = p![i]!;
    actual[a]!++;
    predicted[b]!++;
    if (a === b) tp[a]!++;
  }

  if (average === 'binary') {
    if (k > 2) {
      fail(
        metric,
        `average 'binary' scores one positive class of two, but yTrue and yPred hold ${k} classes (${list(labels)})`,
        "pass { average: 'macro' } (or 'micro', 'weighted') for more than two classes",
      );
    }
    const posLabel: ClassLabel = options.posLabel ?? (kind === 'boolean' ? true : 1);
    const c = labels.indexOf(posLabel as L);
    if (c < 0) {
      if (k === 2) {
        fail(
          metric,
          `posLabel ${show(posLabel)} is not one of the classes (${list(labels)})`,
          `name the positive class: { posLabel: ${show(labels[1])} } (or ${show(labels[0])})`,
        );
      }
      // One class present and it is not the positive one: no positives at all, 0/0 (scikit-learn: 0 and a warning).
      return 0;
    }
    return score(metric, tp[c]!, predicted[c]!, actual[c]!);
  }
  if (average === 'micro') {
    let sumTp = 0;
    for (let c = 0; c < k; c++) sumTp += tp[c]!;
    // Every row is one prediction and one actual label: the summed predicted and actual counts are both n.
    return score(metric, sumTp, t!.length, t!.length);
  }
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < k; c++) {
    const w = average === 'weighted' ? actual[c]! : 1;
    sum += w * score(metric, tp[c]!, predicted[c]!, actual[c]!);
    weights += w;
  }
  return sum / weights;
}

/**
 * The confusion matrix (scikit-learn's `confusion_matrix`): rows are the actual classes, columns the predicted
 * ones, both in the order of `labels`: the classes of `yTrue` and `yPred` together, sorted as scikit-learn sorts
 * them (numbers ascending, strings by code point, `false` before `true`), unless `options.labels` names them.
 *
 * @param yTrue the actual labels
 * @param yPred the predicted labels, one per row of `yTrue`
 * @param options `labels`: the classes and their order (rows with other labels are left out)
 * @returns `{ labels, matrix }` where `matrix[i][j]` counts rows of actual `labels[i]` predicted as `labels[j]`
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) for bad labels (see {@link accuracy}), or `options.labels`
 *   that is empty, names a class twice, or names no class of `yTrue`
 *
 * @example
 * ```ts
 * import { confusionMatrix } from '@unionml/core/metrics';
 *
 * confusionMatrix(['cat', 'dog', 'dog'], ['cat', 'cat', 'dog']);
 * // { labels: ['cat', 'dog'], matrix: [[1, 0], [1, 1]] }
 * ```
 */
export function confusionMatrix<L extends ClassLabel>(yTrue: ArrayLike<L>, yPred: ArrayLike<L>, options: ConfusionMatrixOptions<L> = {}): ConfusionMatrix<L> {
  const metric = 'confusionMatrix';
  const n = checkLengths(metric, yTrue, 'yTrue', yPred, 'yPred');
  if (options.labels === undefined) {
    const {
      labels,
      codes: [t, p],
    } = encodeLabels(metric, [
      ['yTrue', yTrue],
      ['yPred', yPred],
    ]);
    const k = labels.length;
    const counts = new Float64Array(k * k);
    for (let i = 0; i < n; i++) counts[t![i]! * k + p![i]!]!++;
    return { labels, matrix: rows(counts, k) };
  }
  const { labels, index } = checkGivenLabels(metric, options.labels, false);
  // Check every value (the lookups below skip unknown labels without looking at them).
  checkLabels(metric, [
    ['yTrue', yTrue],
    ['yPred', yPred],
  ]);
  const k = labels.length;
  const counts = new Float64Array(k * k);
  let inTrue = false;
  for (let i = 0; i < n; i++) {
    const a = index.get(yTrue[i]!);
    if (a === undefined) continue;
    inTrue = true;
    const b = index.get(yPred[i]!);
    if (b !== undefined) counts[a * k + b]!++;
  }
  if (!inTrue) {
    fail(metric, `none of options.labels (${list(labels)}) occurs in yTrue`, 'name at least one class of yTrue in options.labels, or leave it out');
  }
  return { labels, matrix: rows(counts, k) };
}

function rows(counts: Float64Array, k: number): number[][] {
  const matrix: number[][] = [];
  for (let r = 0; r < k; r++) matrix.push(Array.from(counts.subarray(r * k, (r + 1) * k)));
  return matrix;
}
