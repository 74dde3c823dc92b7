import { describe, expect, it } from 'vitest';
import { metricError } from '../test-support/metric-error.js';
import { logLoss, rocAuc } from './index.js';

describe('rocAuc', () => {
  it('is the probability that a positive row scores above a negative one, ties counting one half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc(['benign', 'malignant', 'malignant'], [0.2, 0.9, 0.2])).toBe(0.75);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 0, 1, 0], [3, 1, 2, 0])).toBe(1);
    expect(rocAuc([true, false], [-1, 5])).toBe(0);
  });

  it('takes the greater label as the positive class, whatever the order of the rows', () => {
    expect(rocAuc([1, 0], [0.9, 0.1])).toBe(1);
    expect(rocAuc(['yes', 'no'], [0.9, 0.1])).toBe(1); // 'yes' > 'no'
    expect(rocAuc([false, true], [0.9, 0.1])).toBe(0);
  });

  it('scores a probability matrix one-vs-rest, macro or weighted', () => {
    expect(
      rocAuc(
        [0, 1, 2],
        [
          [0.8, 0.1, 0.1],
          [0.2, 0.7, 0.1],
          [0.1, 0.2, 0.7],
        ],
      ),
    ).toBe(1);
    const yTrue = [0, 0, 1, 2];
    const proba = [
      [0.6, 0.3, 0.1],
      [0.3, 0.4, 0.3],
      [0.5, 0.4, 0.1],
      [0.2, 0.2, 0.6],
    ];
    // Class 0: positives 0.6, 0.3 vs negatives 0.5, 0.2 -> 3/4; class 1: 0.4 vs 0.3, 0.4, 0.2 -> 2.5/3; class 2: 1.
    expect(rocAuc(yTrue, proba)).toBeCloseTo((0.75 + 2.5 / 3 + 1) / 3, 15);
    expect(rocAuc(yTrue, proba, { average: 'weighted' })).toBeCloseTo((2 * 0.75 + 2.5 / 3 + 1) / 4, 15);
  });

  it('accepts a two-column matrix for binary labels (its second column) and labels for one score per row', () => {
    const yTrue = [0, 1, 1, 0, 1];
    const p = [0.2, 0.6, 0.4, 0.4, 0.9];
    expect(
      rocAuc(
        yTrue,
        p.map((v) => [1 - v, v]),
      ),
    ).toBe(rocAuc(yTrue, p));
    expect(rocAuc(yTrue, p, { labels: [0, 1] })).toBe(rocAuc(yTrue, p));
  });

  it('does not modify its input', () => {
    const scores = Float64Array.from([0.9, 0.1, 0.5, 0.3]);
    rocAuc([1, 0, 1, 0], scores);
    expect(Array.from(scores)).toEqual([0.9, 0.1, 0.5, 0.3]);
  });

  it('refuses yTrue of one class: AUC is not defined', () => {
    metricError(() => rocAuc([1, 1, 1], [0.1, 0.5, 0.9]), 'rocAuc', /yTrue holds one class only \(1\)/);
    metricError(
      () =>
        rocAuc(
          ['a', 'a'],
          [
            [1, 0],
            [0.5, 0.5],
          ],
          { labels: ['a', 'b'] },
        ),
      'rocAuc',
      /one class only \("a"\)/,
    );
  });

  it('refuses scores that do not fit the classes', () => {
    metricError(() => rocAuc([0, 1, 2], [0.1, 0.5, 0.9]), 'rocAuc', /one score per row, which fits two classes, but there are 3 \(0, 1, 2\)/);
    metricError(
      () =>
        rocAuc(
          [0, 1, 2],
          [
            [0.5, 0.5],
            [0.5, 0.5],
            [0.5, 0.5],
          ],
        ),
      'rocAuc',
      /2 columns but there are 3 classes/,
    );
    metricError(
      () =>
        rocAuc(
          [0, 1, 2],
          [
            [0.5, 0.5, 0.5],
            [0.2, 0.3, 0.5],
            [0.1, 0.1, 0.8],
          ],
        ),
      'rocAuc',
      /scores\[0\] sums to 1\.5, not 1/,
    );
    metricError(
      () =>
        rocAuc(
          [0, 1, 2],
          [
            [1, 0, 0],
            [0, 1],
            [0, 0, 1],
          ],
        ),
      'rocAuc',
      /scores\[1\] is a row of 2, but scores\[0\] has 3 columns/,
    );
    metricError(
      () =>
        rocAuc(
          [0, 1],
          [
            [1, 0, 0],
            [0, 1, 0],
          ],
          { labels: [0, 1, 2] },
        ),
      'rocAuc',
      /class 2 has no rows in yTrue/,
    );
    metricError(
      () =>
        rocAuc(
          [0, 1, 2],
          [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
          { labels: [2, 1, 0] },
        ),
      'rocAuc',
      /must be sorted/,
    );
    metricError(
      () =>
        rocAuc(
          [0, 1, 3],
          [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
          { labels: [0, 1, 2] },
        ),
      'rocAuc',
      /yTrue\[2\] is 3, which is not in options.labels/,
    );
  });

  it('refuses scores that are not finite numbers, lengths that differ, and unknown averages', () => {
    metricError(() => rocAuc([0, 1], [0.5, NaN]), 'rocAuc', /scores\[1\] is NaN, not a finite number/);
    metricError(() => rocAuc([0, 1], [0.5, Infinity]), 'rocAuc', /scores\[1\] is Infinity/);
    metricError(
      () =>
        rocAuc(
          [0, 1, 2],
          [
            [1, 0, 0],
            [0, NaN, 1],
            [0, 0, 1],
          ],
        ),
      'rocAuc',
      /scores\[1\]\[1\] is NaN/,
    );
    metricError(() => rocAuc([0, 1], [0.5]), 'rocAuc', /yTrue has 2 values but scores has 1/);
    metricError(() => rocAuc([0, 1], ['a', 'b'] as unknown as number[]), 'rocAuc', /scores\[0\] is "a", neither a number nor a row/);
    metricError(() => rocAuc([0, 1], [0, 1], { average: 'micro' as 'macro' }), 'rocAuc', /options.average is "micro"/);
  });
});

describe('logLoss', () => {
  it('is the mean of -log(p) of the actual class', () => {
    expect(logLoss([0, 1, 1], [0.1, 0.8, 0.6])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3, 15);
    // scikit-learn's docstring example.
    expect(
      logLoss(
        ['spam', 'ham', 'ham', 'spam'],
        [
          [0.1, 0.9],
          [0.9, 0.1],
          [0.8, 0.2],
          [0.35, 0.65],
        ],
      ),
    ).toBeCloseTo(0.21616, 5);
    expect(
      logLoss(
        [0, 2, 1],
        [
          [0.7, 0.2, 0.1],
          [0.1, 0.1, 0.8],
          [0.25, 0.5, 0.25],
        ],
      ),
    ).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.5)) / 3, 15);
    // One column: P(positive), as scikit-learn reads it.
    expect(logLoss([0, 1], [[0.2], [0.7]])).toBe(logLoss([0, 1], [0.2, 0.7]));
  });

  it('clips probabilities to [eps, 1 - eps] as scikit-learn 1.7 does', () => {
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(Number.EPSILON), 12); // 36.04...
    expect(logLoss([1, 0], [1, 0])).toBe(-Math.log(1 - Number.EPSILON));
  });

  it('takes the classes from options.labels when yTrue lacks some', () => {
    expect(logLoss([1, 1], [0.9, 0.8], { labels: [0, 1] })).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 15);
    expect(logLoss(['b'], [[0.2, 0.5, 0.3]], { labels: ['a', 'b', 'c'] })).toBe(-Math.log(0.5));
  });

  it('refuses fewer than two classes', () => {
    const error = metricError(() => logLoss([1, 1], [0.9, 0.8]), 'logLoss', /yTrue holds one class only \(1\)/);
    expect(error.hint).toMatch(/options.labels/);
    metricError(() => logLoss([1, 1], [0.9, 0.8], { labels: [1] }), 'logLoss', /options.labels names one class only/);
  });

  it('refuses probabilities that do not fit the classes or are not probabilities', () => {
    metricError(() => logLoss([0, 1, 2], [0.1, 0.2, 0.3]), 'logLoss', /one value per row .* but there are 3/);
    metricError(
      () =>
        logLoss(
          [0, 1, 2],
          [
            [0.5, 0.5],
            [0.5, 0.5],
            [0.5, 0.5],
          ],
        ),
      'logLoss',
      /2 columns but there are 3 classes/,
    );
    metricError(() => logLoss([0, 1], [0.5, 1.5]), 'logLoss', /probabilities\[1\] is 1\.5, not a probability in \[0, 1\]/);
    metricError(
      () =>
        logLoss(
          [0, 1],
          [
            [0.5, 0.5],
            [-0.1, 1.1],
          ],
        ),
      'logLoss',
      /probabilities\[1\]\[0\] is -0\.1/,
    );
    metricError(
      () =>
        logLoss(
          [0, 1],
          [
            [0.5, 0.5],
            [0.3, 0.3],
          ],
        ),
      'logLoss',
      /probabilities\[1\] sums to 0\.6, not 1/,
    );
    metricError(() => logLoss([0, 1], [0.5, NaN]), 'logLoss', /probabilities\[1\] is NaN/);
    metricError(() => logLoss([0, 2], [0.5, 0.5], { labels: [0, 1] }), 'logLoss', /yTrue\[1\] is 2, which is not in options.labels/);
    metricError(() => logLoss([0, 1], [0.5, 0.5], { labels: [1, 0] }), 'logLoss', /must be sorted/);
    metricError(() => logLoss([0, 1], [0.5, 0.5], { labels: [0, 0.5, 1] }), 'logLoss', /options.labels\[1\] is 0\.5, not a class label/);
  });

  it('accepts rows that sum to 1 within scikit-learn tolerance', () => {
    expect(() =>
      logLoss(
        [0, 1],
        [
          [0.5, 0.5 + 1e-9],
          [0.3, 0.7],
        ],
      ),
    ).not.toThrow();
  });
});
