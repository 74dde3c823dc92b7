import { describe, expect, it } from 'vitest';
import { DataFrame } from './dataframe.js';
import { splitIndices, trainTestSplit } from './split.js';

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
