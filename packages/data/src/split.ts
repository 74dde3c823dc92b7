import { InvalidDataError } from './errors.js';
import { RandomState } from './random.js';
import type { DataFrame } from './dataframe.js';

/** How to split rows into train and test sets; the defaults are Python UnionML's. */
export interface SplitOptions {
  /** A fraction in (0, 1) of the rows, or a whole number of rows, for the test set. Default 0.2. */
  testSize?: number;
  /** Shuffle the rows before splitting. Default true. */
  shuffle?: boolean;
  /** The seed of the shuffle. Default 12345. */
  randomState?: number;
}

/** Row indices of a split. */
export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Train and test row indices with scikit-learn's `train_test_split` semantics: `ceil(testSize · n)` test rows;
 * with `shuffle`, the rows of `RandomState(randomState).permutation(n)` (test first), so the same seed selects
 * the same rows as scikit-learn; without it, the last rows are the test set.
 */
export function splitIndices(n: number, options: SplitOptions = {}): SplitIndices {
  const { testSize = 0.2, shuffle = true, randomState = 12345 } = options;
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else throw new InvalidDataError(`testSize must be a fraction in (0, 1) or a whole number of rows, got ${testSize}`);
  const nTrain = n - nTest;
  if (nTest > n || nTrain <= 0) {
    throw new InvalidDataError(`cannot split ${n} rows with testSize ${testSize}: the train set would be empty`, 'use a smaller testSize or more rows');
  }
  if (!shuffle) {
    return { train: range(0, nTrain), test: range(nTrain, n) };
  }
  const permutation = new RandomState(randomState).permutation(n);
  return { test: permutation.slice(0, nTest), train: permutation.slice(nTest, nTest + nTrain) };
}

/** Splits a frame into `[train, test]`; see {@link splitIndices} for the semantics. */
export function trainTestSplit(frame: DataFrame, options: SplitOptions = {}): [DataFrame, DataFrame] {
  const { train, test } = splitIndices(frame.length, options);
  return [frame.take(train), frame.take(test)];
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
