import { describe, expect, it } from 'vitest';
import { RandomState } from './random.js';

// Expected values were printed by NumPy 2 on this machine:
//   list(numpy.random.RandomState(seed).permutation(n))
describe('RandomState (NumPy MT19937 compatible)', () => {
  it('matches numpy.random.RandomState(12345).permutation(10)', () => {
    expect(new RandomState(12345).permutation(10)).toEqual([0, 7, 3, 9, 6, 4, 1, 8, 5, 2]);
  });

  it('matches numpy.random.RandomState(0).permutation(20)', () => {
    expect(new RandomState(0).permutation(20)).toEqual([18, 1, 19, 8, 10, 17, 6, 13, 4, 2, 5, 14, 9, 7, 16, 11, 3, 0, 15, 12]);
  });

  it('matches numpy.random.RandomState(123).permutation(100)[:20]', () => {
    expect(new RandomState(123).permutation(100).slice(0, 20)).toEqual([8, 70, 82, 28, 63, 0, 5, 50, 81, 4, 23, 65, 76, 60, 24, 42, 77, 38, 56, 75]);
  });

  it('gives the reference MT19937 output for seed 5489', () => {
    // First outputs of the reference implementation (mt19937ar.c, init_genrand(5489)).
    const rs = new RandomState(5489);
    expect([rs.nextUint32(), rs.nextUint32(), rs.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
  });

  it('draws floats in [0, 1) and rejects bad seeds', () => {
    const rs = new RandomState(1);
    for (let i = 0; i < 1000; i++) {
      const x = rs.random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(() => new RandomState(-1)).toThrow(RangeError);
    expect(() => new RandomState(1.5)).toThrow(RangeError);
  });
});
