// Metrics on scores and probabilities: ROC AUC and log loss, with scikit-learn's semantics (sklearn.metrics 1.7).
import type { ClassLabel } from '../types.js';
import { checkGivenLabels, checkLabel, checkLengths, encodeLabels, fail, finiteAt, kindOfFirst, list, show } from './checks.js';

/**
 * Scores or probabilities, one entry per row: a number per row (binary: the score or probability of the positive
 * class, the greater of the two classes), or a row of one number per class (a probability matrix whose columns are
 * the classes in sorted order, as scikit-learn's `predict_proba` returns them).
 */
export type Scores = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Options of {@link rocAuc}. */
export interface RocAucOptions<L extends ClassLabel = ClassLabel> {
  /**
   * How the one-vs-rest scores of a probability matrix are combined: `macro` (the default), their mean, or
   * `weighted`, their mean weighted by each class's number of rows in `yTrue`. Binary scores have one score only.
   */
  average?: 'macro' | 'weighted';
  /**
   * The classes, sorted as scikit-learn sorts them (numbers ascending, strings by code point, `false` before
   * `true`): the columns of a probability matrix in order; with one score per row, two classes of which the second
   * is the positive one. By default the classes of `yTrue`.
   */
  labels?: readonly L[];
}

/** Options of {@link logLoss}. */
export interface LogLossOptions<L extends ClassLabel = ClassLabel> {
  /**
   * All the classes, sorted as scikit-learn sorts them: the columns of a probability matrix in order (with one
   * probability per row, two classes of which the second is the positive one). Needed when `yTrue` lacks some
   * classes, e.g. a small test split. By default the classes of `yTrue`.
   */
  labels?: readonly L[];
}

/** How a scikit-learn check on rows of probabilities tolerates a sum that is not exactly 1 (`np.allclose`). */
const ROC_SUM_RTOL = 1e-5;
const SUM_ATOL = 1e-8;
/** log_loss's tolerance: sqrt of float64's machine epsilon. */
const LOG_LOSS_SUM_RTOL = Math.sqrt(Number.EPSILON);
/** log_loss clips probabilities to [eps, 1 - eps]. */
const EPS = Number.EPSILON;

/**
 * The area under the ROC curve (scikit-learn's `roc_auc_score`): the probability that a random row of the
 * positive class scores higher than a random row of the negative class, tied scores counting one half (exactly
 * the area of scikit-learn's ROC curve, ties included).
 *
 * - Binary: `scores` has one number per row, the score of the positive class: the greater of the two classes of
 *   `yTrue` (1 of 0/1, `true` of booleans, "malignant" of "benign"/"malignant"). Any scores work, not only
 *   probabilities. A probability matrix of two columns is also accepted: its second column is used.
 * - Multiclass: `scores` is a probability matrix, one column per class in sorted order (as `predict_proba`
 *   returns it), each row summing to 1. The result is the one-vs-rest AUC of each class (scikit-learn's
 *   `multi_class='ovr'`), averaged by `options.average`: `macro` (default) or `weighted` by class size.
 *
 * Runs in O(n log n) (one native sort per class); the input is not modified.
 *
 * @param yTrue the actual labels
 * @param scores one score per row (binary), or one row of class probabilities per row (multiclass)
 * @param options `average` (`macro` or `weighted`) and `labels` (the sorted classes, i.e. the columns)
 * @returns a number in [0, 1]
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) when `yTrue` holds one class only (AUC is undefined),
 *   lengths differ, a score is not a finite number, the columns do not match the classes, a probability row does not
 *   sum to 1 (within 1e-5), or a class of the columns has no rows in `yTrue`
 *
 * @example
 * ```ts
 * import { rocAuc } from '@unionml/core/metrics';
 *
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * rocAuc(['benign', 'malignant', 'malignant'], [0.2, 0.9, 0.2]); // 0.75: P(malignant), ties count one half
 * rocAuc([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]]); // 1
 * ```
 */
export function rocAuc<L extends ClassLabel>(yTrue: ArrayLike<L>, scores: Scores, options: RocAucOptions<L> = {}): number {
  const metric = 'rocAuc';
  const n = checkLengths(metric, yTrue, 'yTrue', scores, 'scores');
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'weighted') fail(metric, `options.average is ${show(average)}`, "pass average: 'macro' or 'weighted'");
  const columns = columnsOf(metric, scores, 'scores');
  const { labels, codes } = classesOf(metric, yTrue, options.labels);
  const k = labels.length;
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) counts[codes[i]!]!++;
  let present = 0;
  for (let c = 0; c < k; c++) if (counts[c]! > 0) present++;
  if (present < 2) {
    fail(
      metric,
      `yTrue holds one class only (${show(labels[codes[0]!])}): ROC AUC is not defined without rows of another class`,
      'score a split that has rows of every class (e.g. a stratified split), or a larger one',
    );
  }
  const buffer = new Float64Array(n);

  if (columns === 0 || (columns === 2 && k === 2)) {
    if (k !== 2) {
      fail(
        metric,
        `scores has one score per row, which fits two classes, but there are ${k} (${list(labels)})`,
        `pass a probability matrix: one row per row of yTrue, one column per class in the order [${list(labels)}]`,
      );
    }
    const column = columns === 0 ? -1 : 1;
    return binaryAuc(metric, scores, column, codes, 1, counts[1]!, buffer);
  }
  if (columns !== k) {
    fail(
      metric,
      `scores has ${columns} columns but there are ${k} classes (${list(labels)})`,
      options.labels === undefined
        ? 'pass one column per class; when yTrue lacks some classes, name all of them (sorted) in options.labels'
        : 'pass one column per class of options.labels',
    );
  }
  const matrix = scores as ArrayLike<ArrayLike<number>>;
  for (let i = 0; i < n; i++) {
    const row = matrix[i]!;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += finiteCell(metric, row, 'scores', i, c);
    if (!(Math.abs(1 - sum) <= SUM_ATOL + ROC_SUM_RTOL * Math.abs(sum))) {
      fail(
        metric,
        `the row scores[${i}] sums to ${sum}, not 1: multiclass ROC AUC needs class probabilities`,
        'pass the probabilities of each class (e.g. predict_proba or a softmax output), rows summing to 1',
      );
    }
  }
  let total = 0;
  let weights = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) {
      fail(
        metric,
        `class ${show(labels[c])} has no rows in yTrue: its one-vs-rest ROC AUC is not defined`,
        'score a split that has rows of every class, or leave the class out of options.labels and scores',
      );
    }
    const w = average === 'weighted' ? counts[c]! : 1;
    total += w * binaryAuc(metric, matrix, c, codes, c, counts[c]!, buffer);
    weights += w;
  }
  return total / weights;
}

/**
 * The AUC of the positive class `positive` (rows whose code is it) against all others, by the scores of `column`
 * of a matrix (or of a vector when `column` is -1). `buffer` (n numbers) is scratch space.
 */
function binaryAuc(metric: string, scores: Scores, column: number, codes: Int32Array, positive: number, positives: number, buffer: Float64Array): number {
  const n = codes.length;
  // Positives fill the buffer from the front, negatives from the back; each part is then sorted in place.
  let front = 0;
  let back = n;
  for (let i = 0; i < n; i++) {
    const s =
      column < 0
        ? finiteAt(metric, scores as ArrayLike<number>, 'scores', i)
        : finiteCell(metric, (scores as ArrayLike<ArrayLike<number>>)[i]!, 'scores', i, column);
    if (codes[i] === positive) buffer[front++] = s;
    else buffer[--back] = s;
  }
  const pos = buffer.subarray(0, positives).sort();
  const neg = buffer.subarray(positives).sort();
  // Twice the Mann-Whitney U statistic: for each positive, 2 × (negatives scored lower) + (negatives scored equal).
  let u2 = 0;
  let j = 0;
  for (let i = 0; i < pos.length;) {
    const v = pos[i]!;
    let same = 0;
    while (i < pos.length && pos[i] === v) {
      i++;
      same++;
    }
    while (j < neg.length && neg[j]! < v) j++;
    let k = j;
    while (k < neg.length && neg[k] === v) k++;
    u2 += same * (2 * j + (k - j));
    j = k;
  }
  return u2 / (2 * pos.length * neg.length);
}

/**
 * The log loss, or cross-entropy, of predicted probabilities (scikit-learn's `log_loss`): the mean over rows of
 * −log(p), p the probability given to the row's actual class.
 *
 * - Binary: `probabilities` has one number per row, the probability of the positive class, the greater of the two
 *   classes (1 of 0/1, `true` of booleans, "malignant" of "benign"/"malignant").
 * - Multiclass: a probability matrix, one column per class in sorted order (as `predict_proba` returns it).
 *
 * As in scikit-learn 1.7, probabilities are clipped to [ε, 1 − ε] (ε = 2.22e-16, float64's machine epsilon), so a
 * probability of 0 for the actual class costs −log(ε) ≈ 36.04 instead of infinity; they are NOT renormalised:
 * scikit-learn (since 1.5) warns when a row does not sum to 1 and scores it as it is, this function refuses it
 * (within the same tolerance, 1e-8 + 1.49e-8).
 *
 * @param yTrue the actual labels
 * @param probabilities P(positive class) per row (binary), or one row of class probabilities per row
 * @param options `labels`: every class, sorted (the columns), when `yTrue` lacks some
 * @returns a non-negative number (0 is perfect)
 * @throws {@link MetricInputError} (`METRIC_INPUT_INVALID`) when lengths differ, a probability is not a finite number
 *   in [0, 1], a row does not sum to 1, the columns do not match the classes, `yTrue` holds a class missing from
 *   `options.labels`, or there are fewer than two classes (name them in `options.labels`)
 *
 * @example
 * ```ts
 * import { logLoss } from '@unionml/core/metrics';
 *
 * logLoss([0, 1, 1], [0.1, 0.8, 0.6]); // (−log 0.9 − log 0.8 − log 0.6) / 3 ≈ 0.2798
 * logLoss(['spam', 'ham', 'ham', 'spam'], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]); // ≈ 0.21616
 * logLoss([1, 1], [0.9, 0.8], { labels: [0, 1] }); // one class in yTrue: name both
 * ```
 */
export function logLoss<L extends ClassLabel>(yTrue: ArrayLike<L>, probabilities: Scores, options: LogLossOptions<L> = {}): number {
  const metric = 'logLoss';
  const n = checkLengths(metric, yTrue, 'yTrue', probabilities, 'probabilities');
  const columns = columnsOf(metric, probabilities, 'probabilities');
  const { labels, codes } = classesOf(metric, yTrue, options.labels);
  const k = labels.length;
  if (k < 2) {
    fail(
      metric,
      options.labels === undefined
        ? `yTrue holds one class only (${show(labels[0])}), so the classes of the probabilities are unknown`
        : `options.labels names one class only (${show(labels[0])}); log loss needs at least two`,
      'name every class, sorted, in options.labels, e.g. { labels: [0, 1] }',
    );
  }
  let sum = 0;
  if (columns === 0 || columns === 1) {
    if (k !== 2) {
      fail(
        metric,
        `probabilities has one value per row (P of the positive class), which fits two classes, but there are ${k} (${list(labels)})`,
        `pass a probability matrix: one column per class in the order [${list(labels)}]`,
      );
    }
    const vector = probabilities as ArrayLike<number | ArrayLike<number>>;
    for (let i = 0; i < n; i++) {
      const p =
        columns === 0
          ? finiteAt(metric, vector as ArrayLike<number>, 'probabilities', i)
          : finiteCell(metric, vector[i] as ArrayLike<number>, 'probabilities', i, 0);
      if (p < 0 || p > 1) outOfRange(metric, p, i);
      sum -= Math.log(clip(codes[i] === 1 ? p : 1 - p));
    }
    return sum / n;
  }
  if (columns !== k) {
    fail(
      metric,
      `probabilities has ${columns} columns but there are ${k} classes (${list(labels)})`,
      options.labels === undefined
        ? 'pass one column per class; when yTrue lacks some classes, name all of them (sorted) in options.labels'
        : 'pass one column per class of options.labels',
    );
  }
  const matrix = probabilities as ArrayLike<ArrayLike<number>>;
  for (let i = 0; i < n; i++) {
    const row = matrix[i]!;
    let rowSum = 0;
    for (let c = 0; c < k; c++) {
      const p = finiteCell(metric, row, 'probabilities', i, c);
      if (p < 0 || p > 1) outOfRange(metric, p, i, c);
      rowSum += p;
    }
    if (!(Math.abs(rowSum - 1) <= SUM_ATOL + LOG_LOSS_SUM_RTOL)) {
      fail(
        metric,
        `the row probabilities[${i}] sums to ${rowSum}, not 1`,
        'pass probabilities (e.g. predict_proba or a softmax output); log loss does not renormalise rows',
      );
    }
    sum -= Math.log(clip(row[codes[i]!]!));
  }
  return sum / n;
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}

function outOfRange(metric: string, p: number, i: number, c?: number): never {
  return fail(
    metric,
    `probabilities${c === undefined ? `[${i}]` : `[${i}][${c}]`} is ${p}, not a probability in [0, 1]`,
    'pass probabilities (e.g. predict_proba or a sigmoid/softmax output), not raw scores',
  );
}

/** 0 when `scores` holds one number per row, else the number of columns of its rows (checked equal). */
function columnsOf(metric: string, scores: Scores, name: string): number {
  const first = scores[0];
  if (typeof first === 'number') return 0;
  if (typeof first !== 'object' || first === null || typeof first.length !== 'number') {
    fail(metric, `${name}[0] is ${show(first)}, neither a number nor a row of numbers`, `pass one number per row, or one row of class probabilities per row`);
  }
  const columns = first.length;
  if (columns === 0) fail(metric, `${name}[0] is an empty row`, 'pass one column per class');
  for (let i = 1; i < scores.length; i++) {
    const row = scores[i] as ArrayLike<number> | number | null | undefined;
    if (typeof row !== 'object' || row === null || row.length !== columns) {
      fail(
        metric,
        `${name}[${i}] is ${typeof row === 'object' && row !== null ? `a row of ${row.length}` : show(row)}, but ${name}[0] has ${columns} columns`,
        'pass rows of one length: one column per class',
      );
    }
  }
  return columns;
}

function finiteCell(metric: string, row: ArrayLike<number>, name: string, i: number, c: number): number {
  const v = row[c];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return fail(metric, `${name}[${i}][${c}] is ${show(v)}, not a finite number`, `remove or fill the missing and infinite values of ${name} first`);
}

/** The classes (given, or those of `yTrue`, sorted) and the class index of each row of `yTrue`. */
function classesOf<L extends ClassLabel>(metric: string, yTrue: ArrayLike<L>, given: readonly L[] | undefined): { labels: L[]; codes: Int32Array } {
  if (given === undefined) {
    const { labels, codes } = encodeLabels(metric, [['yTrue', yTrue]]);
    return { labels, codes: codes[0]! };
  }
  const { labels, index } = checkGivenLabels(metric, given, true);
  const kind = kindOfFirst(metric, labels, 'options.labels');
  const codes = new Int32Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const code = index.get(yTrue[i]!);
    if (code === undefined) {
      checkLabel(metric, yTrue[i], kind, 'options.labels[0]', 'yTrue', i);
      fail(metric, `yTrue[${i}] is ${show(yTrue[i])}, which is not in options.labels (${list(labels)})`, 'name every class of yTrue in options.labels');
    }
    codes[i] = code;
  }
  return { labels, codes };
}
