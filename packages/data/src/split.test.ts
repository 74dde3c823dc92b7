import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFrame, type Scalar } from './dataframe.js';
import { ColumnsMissingError, SplitError } from './errors.js';
import { RandomState } from './random.js';
import { approximateMode, compareCodePoints, splitIndices, trainTestSplit } from './split.js';

describe('splitIndices', () => {
  it('selects the same rows as scikit-learn train_test_split(random_state=12345) on 1797 rows', () => {
    // Printed by scikit-learn 1.x: train_test_split(np.arange(1797), test_size=0.2, random_state=12345, shuffle=True)
    const { train, test } = splitIndices(1797, { testSize: 0.2, shuffle: true, randomState: 12345 });
    expect([train.length, test.length]).toEqual([1437, 360]);
    expect(test.slice(0, 10)).toEqual([622, 1705, 973, 1349, 201, 1353, 1421, 171, 1018, 305]);
    expect(train.slice(0, 10)).toEqual([1065, 1686, 663, 1617, 423, 1085, 799, 486, 1434, 1224]);
    expect(new Set([...train, ...test]).size).toBe(1797);
  });

  it('uses ceil(testSize * n) test rows (100 rows at 0.2 -> 80/20)', () => {
    expect(splitIndices(100).test).toHaveLength(20);
    expect(splitIndices(101).test).toHaveLength(21);
    expect(splitIndices(10, { testSize: 3 }).test).toHaveLength(3);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(splitIndices(50, { randomState: 7 })).toEqual(splitIndices(50, { randomState: 7 }));
    expect(splitIndices(50, { randomState: 7 }).test).not.toEqual(splitIndices(50, { randomState: 8 }).test);
  });

  it('takes the last rows as the test set without shuffle', () => {
    expect(splitIndices(5, { testSize: 0.4, shuffle: false })).toEqual({ train: [0, 1, 2], test: [3, 4] });
  });

  it('rejects sizes that leave no training rows', () => {
    expect(() => splitIndices(3, { testSize: 3 })).toThrow('the train set would be empty');
    expect(() => splitIndices(3, { testSize: 0 })).toThrow('testSize must be a fraction');
    expect(() => splitIndices(3, { testSize: 1.5 })).toThrow('testSize must be a fraction');
  });
});

describe('trainTestSplit', () => {
  it('splits frames by those indices', () => {
    const df = DataFrame.fromColumns({ i: Array.from({ length: 10 }, (_, i) => i) });
    const [train, test] = trainTestSplit(df, { testSize: 0.2, randomState: 12345 });
    expect(test.toVector('i')).toEqual([0, 7]);
    expect(train.toVector('i')).toEqual([3, 9, 6, 4, 1, 8, 5, 2]);
  });
});

interface GoldenSplit {
  name: string;
  n: number;
  testSize: number;
  randomState: number;
  stratify: boolean;
  labels?: Scalar[];
  train?: number[];
  test?: number[];
  error?: string;
}

const goldens = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/stratified-splits.json'), 'utf8')) as {
  versions: { sklearn: string };
  cases: GoldenSplit[];
};

describe('splitIndices against scikit-learn (fixtures/stratified-splits.json)', () => {
  it('has many cases, from scikit-learn 1.7', () => {
    expect(goldens.versions.sklearn).toMatch(/^1\.7\./);
    expect(goldens.cases.filter((c) => c.stratify && c.train).length).toBeGreaterThan(120);
    expect(goldens.cases.filter((c) => c.error).length).toBeGreaterThanOrEqual(4);
  });

  const ok = goldens.cases.filter((c) => !c.error);
  it.each(ok.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { train, test } = splitIndices(c.n, { testSize: c.testSize, randomState: c.randomState, ...(c.stratify ? { stratify: c.labels! } : {}) });
    expect(test).toEqual(c.test);
    expect(train).toEqual(c.train);
  });

  const failing = goldens.cases.filter((c) => c.error);
  it.each(failing.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const call = () => splitIndices(c.n, { testSize: c.testSize, randomState: c.randomState, stratify: c.labels! });
    expect(call).toThrow(SplitError);
    // The same rule as scikit-learn's message.
    const rule = /least populated class/.test(c.error!)
      ? /has only 1 member/
      : /test_size/.test(c.error!)
        ? /the test set would have \d+ rows/
        : /the train set would have/;
    expect(call).toThrow(rule);
  });
});

describe('stratified splits', () => {
  const labels = ['b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'b'];

  it('keeps the class shares in both sets and covers every row once', () => {
    const { train, test } = splitIndices(labels.length, { testSize: 0.4, randomState: 3, stratify: labels });
    expect(test.map((i) => labels[i]).sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(train.map((i) => labels[i]).sort()).toEqual(['a', 'a', 'b', 'b', 'b', 'b']);
    expect([...train, ...test].sort((x, y) => x - y)).toEqual(range(10));
  });

  it('takes a column name or labels in trainTestSplit', () => {
    const df = DataFrame.fromColumns({ i: range(10), y: labels });
    const [train, test] = trainTestSplit(df, { testSize: 0.4, randomState: 3, stratify: 'y' });
    const expected = splitIndices(10, { testSize: 0.4, randomState: 3, stratify: labels });
    expect(train.toVector('i')).toEqual(expected.train);
    expect(test.toVector('i')).toEqual(expected.test);
    const [train2] = trainTestSplit(df, { testSize: 0.4, randomState: 3, stratify: labels });
    expect(train2.toVector('i')).toEqual(expected.train);
    expect(() => trainTestSplit(df, { stratify: 'nope' })).toThrow(ColumnsMissingError);
  });

  it('refuses what scikit-learn refuses, with typed errors', () => {
    const err = (options: Parameters<typeof splitIndices>[1], n = labels.length) => {
      try {
        splitIndices(n, options);
      } catch (error) {
        return error as SplitError;
      }
      throw new Error('no error');
    };
    expect(err({ stratify: labels, shuffle: false })).toMatchObject({
      code: 'DATA_SPLIT_INVALID',
      message: expect.stringContaining('needs shuffle') as string,
    });
    expect(err({ stratify: labels.slice(1) })).toMatchObject({ message: 'stratify has 9 labels for 10 rows; it needs one label per row' });
    expect(err({ stratify: [...labels.slice(1), 'c'] }).message).toContain(`the least populated class in stratify, "c", has only 1 member`);
    expect(err({ stratify: labels, testSize: 1 }).message).toBe('the test set would have 1 rows, fewer than the 2 classes of stratify');
    expect(err({ stratify: labels, testSize: 9 }).message).toBe('the train set would have 1 rows, fewer than the 2 classes of stratify');
    expect(err({ stratify: [...labels.slice(1), null] }).message).toContain('stratify label 9 is null');
    expect(err({ stratify: [...labels.slice(1), 1] }).message).toContain('stratify label 9 is a number (1) but the labels before it are strings');
    expect(err({ stratify: [...labels.slice(1), Number.NaN] }).message).toContain('stratify label 9 is NaN');
    expect(err({ randomState: -1 }).message).toBe('randomState must be an integer in [0, 2**32), got -1');
    expect(err({ stratify: 'y' as never }).message).toContain('stratify must be an array of labels');
  });

  it('sorts string classes by code point, as NumPy does', () => {
    const sorted = ['', '10', '9', 'B', 'Z', 'a', 'b', 'é', '\uff01', '\u{1f600}'];
    expect([...sorted].reverse().sort(compareCodePoints)).toEqual(sorted);
    // UTF-16 order (JavaScript's default sort) puts the emoji before U+FF01.
    expect([...sorted].reverse().sort()).not.toEqual(sorted);
  });

  it('reproduces _approximate_mode, ties included (scikit-learn docstring examples)', () => {
    expect(approximateMode([4, 2], 3, new RandomState(0))).toEqual([2, 1]);
    expect(approximateMode([5, 2], 4, new RandomState(0))).toEqual([3, 1]);
    expect(approximateMode([2, 2, 2, 1], 2, new RandomState(0))).toEqual([0, 1, 1, 0]);
    expect(approximateMode([2, 2, 2, 1], 2, new RandomState(42))).toEqual([1, 1, 0, 0]);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
