import { describeValue, SplitError } from './errors.js';
import { RandomState } from './random.js';
import type { DataFrame, Scalar } from './dataframe.js';

/** How to split rows into train and test sets; the defaults are Python UnionML's. */
export interface SplitOptions {
  /** A fraction in (0, 1) of the rows, or a whole number of rows, for the test set. Default 0.2. */
  testSize?: number;
  /** Shuffle the rows before splitting. Default true (a stratified split needs it). */
  shuffle?: boolean;
  /** The seed of the shuffle: an integer in `[0, 2**32)`. Default 12345. */
  randomState?: number;
  /**
   * Class labels, one per row: the split keeps each class's share of the rows in both sets, as scikit-learn's
   * `train_test_split(..., stratify=y)` does (and selects the same rows). Labels are numbers, strings or booleans,
   * all of one type; every class needs at least 2 rows.
   */
  stratify?: readonly Scalar[];
}

/** Options of {@link trainTestSplit}: those of {@link SplitOptions}, and `stratify` may name a column. */
export interface TrainTestSplitOptions extends Omit<SplitOptions, 'stratify'> {
  /** A column of the frame whose values are the class labels, or the labels themselves (one per row). */
  stratify?: string | readonly Scalar[];
}

/** Row indices of a split. */
export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Train and test row indices with scikit-learn's `train_test_split` semantics, in scikit-learn's order.
 *
 * - `ceil(testSize · n)` test rows for a fraction, `testSize` rows for a whole number; the others are the train set.
 * - With `shuffle` (the default), the rows of `RandomState(randomState).permutation(n)`, test rows first, so the same
 *   seed selects the same rows as scikit-learn's `ShuffleSplit`. Without it, the last rows are the test set.
 * - With `stratify` (labels, one per row), scikit-learn's `StratifiedShuffleSplit`: each class gets its share of
 *   the train and test rows (`_approximate_mode`, ties broken by the seeded generator), classes in sorted order
 *   (`np.unique`: numbers ascending, strings by code point, `false` before `true`), and the very rows, in the very
 *   order, that `train_test_split(X, y, test_size=testSize, random_state=randomState, stratify=y)` returns.
 *
 * @throws {@link SplitError} (`DATA_SPLIT_INVALID`) when scikit-learn refuses the split: a `testSize` that leaves
 * a set empty; `stratify` without shuffle, with a label count other than `n`, with a class of one row, or with
 * fewer test or train rows than classes.
 * @example
 * ```ts
 * const y = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'b'];
 * const { train, test } = splitIndices(y.length, { testSize: 0.2, randomState: 42, stratify: y });
 * // test holds one 'a' row and one 'b' row: the indices sklearn's train_test_split gives
 * ```
 */
export function splitIndices(n: number, options: SplitOptions = {}): SplitIndices {
  const { testSize = 0.2, shuffle = true, randomState = 12345, stratify } = options;
  if (!Number.isInteger(n) || n < 0) throw new SplitError(`cannot split ${describeValue(n)} rows: the row count must be a whole number`);
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (typeof testSize === 'number' && testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else
    throw new SplitError(
      `testSize must be a fraction in (0, 1) or a whole number of rows, got ${describeValue(testSize)}`,
      'e.g. testSize: 0.2 or testSize: 30',
    );
  const nTrain = n - nTest;
  if (nTest > n || nTrain <= 0) {
    throw new SplitError(`cannot split ${n} rows with testSize ${testSize}: the train set would be empty`, 'use a smaller testSize or more rows');
  }
  if (stratify !== undefined && !shuffle) {
    throw new SplitError(
      'a stratified split needs shuffle: scikit-learn does not implement stratify with shuffle=False',
      'leave shuffle on (the default), or split without stratify',
    );
  }
  if (!shuffle) return { train: range(0, nTrain), test: range(nTrain, n) };
  if (!Number.isInteger(randomState) || randomState < 0 || randomState > 0xffffffff) {
    throw new SplitError(`randomState must be an integer in [0, 2**32), got ${describeValue(randomState)}`, 'e.g. randomState: 42');
  }
  const rng = new RandomState(randomState);
  if (stratify !== undefined) return stratifiedIndices(n, nTrain, nTest, stratify, rng);
  const permutation = rng.permutation(n);
  return { test: permutation.slice(0, nTest), train: permutation.slice(nTest, nTest + nTrain) };
}

/**
 * Splits a frame into `[train, test]`; see {@link splitIndices} for the semantics. `stratify` may name a column of
 * the frame (e.g. the target), whose values are then the class labels.
 *
 * @example
 * ```ts
 * const [train, test] = trainTestSplit(df, { testSize: 0.25, randomState: 0, stratify: 'species' });
 * // the rows of sklearn's train_test_split(df, test_size=0.25, random_state=0, stratify=df['species'])
 * ```
 */
export function trainTestSplit(frame: DataFrame, options: TrainTestSplitOptions = {}): [DataFrame, DataFrame] {
  const { stratify, ...rest } = options;
  const labels = typeof stratify === 'string' ? frame.column(stratify) : stratify;
  const { train, test } = splitIndices(frame.length, labels === undefined ? rest : { ...rest, stratify: labels });
  return [frame.take(train), frame.take(test)];
}

/** scikit-learn's `StratifiedShuffleSplit._iter_indices`, first split, with its `RandomState` draws in order. */
function stratifiedIndices(n: number, nTrain: number, nTest: number, labels: readonly Scalar[], rng: RandomState): SplitIndices {
  if (!Array.isArray(labels)) throw new SplitError(`stratify must be an array of labels (or, for trainTestSplit, a column name), got ${describeValue(labels)}`);
  if (labels.length !== n) {
    throw new SplitError(`stratify has ${labels.length} labels for ${n} rows; it needs one label per row`, 'pass the label column of the same rows');
  }
  const { counts, members } = classesOf(labels);
  const nClasses = counts.length;
  let smallest = 0;
  for (let i = 1; i < nClasses; i++) if (counts[i]! < counts[smallest]!) smallest = i;
  if (counts[smallest]! < 2) {
    throw new SplitError(
      `the least populated class in stratify, ${describeValue(labels[members[smallest]![0]!])}, has only 1 member, which is too few: every class needs at least 2 rows (one for each set)`,
      'remove or merge the rare classes, or split without stratify',
    );
  }
  if (nTrain < nClasses) {
    throw new SplitError(`the train set would have ${nTrain} rows, fewer than the ${nClasses} classes of stratify`, 'use a smaller testSize');
  }
  if (nTest < nClasses) {
    throw new SplitError(`the test set would have ${nTest} rows, fewer than the ${nClasses} classes of stratify`, 'use a larger testSize');
  }
  const trainCounts = approximateMode(counts, nTrain, rng);
  const testCounts = approximateMode(
    counts.map((c, i) => c - trainCounts[i]!),
    nTest,
    rng,
  );
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < nClasses; i++) {
    const rows = members[i]!;
    const permutation = rng.permutation(rows.length);
    const nTrainI = trainCounts[i]!;
    const end = nTrainI + testCounts[i]!;
    for (let k = 0; k < nTrainI; k++) train.push(rows[permutation[k]!]!);
    for (let k = nTrainI; k < end; k++) test.push(rows[permutation[k]!]!);
  }
  return { train: rng.shuffle(train), test: rng.shuffle(test) };
}

/**
 * The classes of the labels in `np.unique` order, with their sizes and member rows (ascending, as scikit-learn's
 * stable argsort gives them).
 */
function classesOf(labels: readonly Scalar[]): { counts: number[]; members: number[][] } {
  const byLabel = new Map<Scalar, number[]>();
  let type: string | undefined;
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r]!;
    const t = typeof label;
    if (label === null || (t !== 'number' && t !== 'string' && t !== 'boolean') || Number.isNaN(label)) {
      throw new SplitError(
        `stratify label ${r} is ${describeValue(label)}; labels must be numbers, strings or booleans (not null or NaN)`,
        'fill or drop the rows without a label before a stratified split',
      );
    }
    if (type === undefined) type = t;
    else if (t !== type) {
      throw new SplitError(
        `stratify label ${r} is a ${t} (${describeValue(label)}) but the labels before it are ${type}s; all labels must have one type`,
        'convert the labels to one type, e.g. all strings',
      );
    }
    const rows = byLabel.get(label);
    if (rows) rows.push(r);
    else byLabel.set(label, [r]);
  }
  const classes = [...byLabel.keys()].sort(type === 'string' ? (a, b) => compareCodePoints(a as string, b as string) : (a, b) => Number(a) - Number(b));
  const members = classes.map((c) => byLabel.get(c)!);
  return { counts: members.map((m) => m.length), members };
}

/** Compares strings by Unicode code point, as NumPy and Python sort them (not by UTF-16 code unit). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Code units differ: surrogates (0xD800-0xDFFF) stand for code points above 0xFFFF, so they sort after the rest.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * scikit-learn's `_approximate_mode(class_counts, n_draws, rng)`: how many of `nDraws` rows each class gets, the
 * floors of the proportional shares plus one for the largest remainders, ties broken by `rng.choice(..., replace=False)`
 * (NumPy's legacy `choice` is `permutation(len)[:size]`).
 */
export function approximateMode(classCounts: readonly number[], nDraws: number, rng: RandomState): number[] {
  let total = 0;
  for (const c of classCounts) total += c;
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let needToAdd = nDraws;
  for (const f of floored) needToAdd -= f;
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds: number[] = [];
      for (let i = 0; i < remainder.length; i++) if (remainder[i] === value) inds.push(i);
      const addNow = Math.min(inds.length, needToAdd);
      const chosen = rng.permutation(inds.length);
      for (let k = 0; k < addNow; k++) floored[inds[chosen[k]!]!]! += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
