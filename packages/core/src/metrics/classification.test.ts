import { isUnionMLError } from '@unionml/errors';
import { describe, expect, it } from 'vitest';
import { metricError } from '../test-support/metric-error.js';
import { CORE_ERRORS, MetricInputError } from '../errors.js';
import { accuracy, confusionMatrix, f1, precision, recall } from './index.js';

describe('MetricInputError', () => {
  it('is a registered UnionML error of kind app', () => {
    expect(CORE_ERRORS.METRIC_INPUT_INVALID.kind).toBe('app');
    const error = new MetricInputError('f1', 'something is wrong');
    expect(isUnionMLError(error)).toBe(true);
    expect(error.toJSON()).toEqual({ code: 'METRIC_INPUT_INVALID', message: 'f1: something is wrong', hint: expect.any(String) as string });
  });
});

describe('accuracy', () => {
  it('is the fraction of equal labels, for numbers, strings, booleans and typed arrays', () => {
    expect(accuracy([0, 1, 2, 2], [0, 2, 2, 2])).toBe(0.75);
    expect(accuracy(['cat', 'dog'], ['cat', 'cat'])).toBe(0.5);
    expect(accuracy([true, false, true], [true, true, true])).toBe(2 / 3);
    expect(accuracy(Int32Array.from([1, 2, 3]), Float64Array.from([1, 2, 4]))).toBe(2 / 3);
  });

  it('refuses lengths that differ, no rows, NaN, continuous values and mixed types', () => {
    metricError(() => accuracy([1, 2], [1]), 'accuracy', /yTrue has 2 values but yPred has 1/);
    metricError(() => accuracy([], []), 'accuracy', /empty/);
    metricError(() => accuracy([1, NaN], [1, 1]), 'accuracy', /yTrue\[1\] is NaN/);
    metricError(() => accuracy([1, 2], [1, NaN]), 'accuracy', /yPred\[1\] is NaN/);
    metricError(() => accuracy([0.5, 1], [0.5, 1]), 'accuracy', /yTrue\[0\] is 0\.5, not a class label.*integer, string or boolean/);
    metricError(
      () => accuracy([1, 0], [true, false] as unknown as number[]),
      'accuracy',
      /labels must all be numbers, all strings or all booleans, but yTrue\[0\] is a number and yPred\[0\] is true/,
    );
    metricError(() => accuracy(['1', '2'], [1, 2] as unknown as string[]), 'accuracy', /yPred\[0\] is 1/);
    metricError(() => accuracy([null, 1] as unknown as number[], [1, 1]), 'accuracy', /yTrue\[0\] is null, not a class label/);
    metricError(() => accuracy(5 as unknown as number[], [1]), 'accuracy', /yTrue is 5, not an array/);
  });
});

describe('precision, recall, f1', () => {
  it('score the positive class 1 by default (binary), as scikit-learn does', () => {
    expect(precision([0, 1, 1, 0], [1, 1, 1, 0])).toBe(2 / 3);
    expect(recall([0, 1, 1, 0], [1, 1, 0, 0])).toBe(0.5);
    expect(f1([0, 1, 1, 0], [1, 1, 0, 0])).toBe(0.5);
  });

  it('take posLabel for other labels, and true by default for booleans', () => {
    expect(precision(['spam', 'ham', 'spam'], ['spam', 'spam', 'spam'], { posLabel: 'spam' })).toBe(2 / 3);
    expect(f1(['benign', 'malignant', 'malignant'], ['benign', 'malignant', 'benign'], { posLabel: 'malignant' })).toBe(2 / 3);
    expect(recall([true, true, false], [true, false, false])).toBe(0.5);
    expect(recall([true, true, false], [true, false, false], { posLabel: false })).toBe(1);
  });

  it('average macro, micro and weighted over the sorted classes', () => {
    const yTrue = [0, 1, 2, 2];
    const yPred = [0, 2, 2, 2];
    expect(precision(yTrue, yPred, { average: 'macro' })).toBeCloseTo((1 + 0 + 2 / 3) / 3, 15);
    expect(f1(yTrue, yPred, { average: 'macro' })).toBeCloseTo((1 + 0 + 0.8) / 3, 15);
    expect(recall(['a', 'b', 'c', 'c'], ['a', 'c', 'c', 'c'], { average: 'weighted' })).toBe(0.75);
    for (const metric of [precision, recall, f1]) expect(metric(yTrue, yPred, { average: 'micro' })).toBe(accuracy(yTrue, yPred));
  });

  it('count 0/0 as 0 (scikit-learn zero_division="warn")', () => {
    // Class 1 is never predicted: its precision is 0/0.
    expect(precision([0, 1, 1], [0, 0, 0])).toBe(0);
    expect(precision([0, 1, 2], [0, 0, 2], { average: 'macro' })).toBeCloseTo((0.5 + 0 + 1) / 3, 15);
    // One class only, and it is not the positive one: precision, recall and F1 of class 1 are all 0/0.
    expect(precision([0, 0], [0, 0])).toBe(0);
    expect(recall([0, 0], [0, 0])).toBe(0);
    expect(f1([0, 0], [0, 0])).toBe(0);
    // One class only, and it is the positive one.
    expect(f1([1, 1], [1, 1])).toBe(1);
  });

  it("refuses average 'binary' on more than two classes, naming them", () => {
    const error = metricError(() => f1([0, 1, 2], [0, 1, 1]), 'f1', /average 'binary'.*3 classes \(0, 1, 2\)/);
    expect(error.hint).toMatch(/average: 'macro'/);
    metricError(() => precision(['a', 'b', 'c'], ['a', 'b', 'b']), 'precision', /3 classes \("a", "b", "c"\)/);
  });

  it('refuses a posLabel that is not one of two classes, and suggests one', () => {
    const error = metricError(() => f1(['benign', 'malignant'], ['benign', 'benign']), 'f1', /posLabel 1 is not one of the classes \("benign", "malignant"\)/);
    expect(error.hint).toMatch(/posLabel: "malignant"/);
    metricError(() => recall([0, 2], [0, 2], { posLabel: 1 }), 'recall', /posLabel 1/);
  });

  it('refuses an unknown average and bad labels', () => {
    metricError(() => f1([0, 1], [0, 1], { average: 'samples' as 'macro' }), 'f1', /options.average is "samples"/);
    metricError(() => precision([0, 1], [0, 1, 1]), 'precision', /2 values but yPred has 3/);
    metricError(() => recall([0, 1.5], [0, 1]), 'recall', /yTrue\[1\] is 1\.5/);
  });
});

describe('confusionMatrix', () => {
  it('has actual classes as rows and predicted classes as columns, sorted', () => {
    expect(confusionMatrix(['cat', 'dog', 'dog'], ['cat', 'cat', 'dog'])).toEqual({
      labels: ['cat', 'dog'],
      matrix: [
        [1, 0],
        [1, 1],
      ],
    });
    expect(confusionMatrix([10, 2, 2], [2, 2, 1])).toEqual({
      labels: [1, 2, 10],
      matrix: [
        [0, 0, 0],
        [1, 1, 0],
        [0, 1, 0],
      ],
    });
    expect(confusionMatrix([true, false], [true, true]).labels).toEqual([false, true]);
  });

  it('sorts strings by code point, as numpy does (not by UTF-16 code unit)', () => {
    // U+1F600 is a surrogate pair in UTF-16 (0xD83D...), which sorts before U+FFFD by code unit but after it by code point.
    const labels = ['b', '\u{1F600}', '\uFFFD', 'a', 'B'];
    expect(confusionMatrix(labels, labels).labels).toEqual(['B', 'a', 'b', '\uFFFD', '\u{1F600}']);
  });

  it('takes the classes and their order from options.labels, leaving other rows out', () => {
    expect(confusionMatrix([0, 1, 2, 2, 3], [0, 2, 2, 1, 3], { labels: [2, 1] })).toEqual({
      labels: [2, 1],
      matrix: [
        [1, 1],
        [1, 0],
      ],
    });
  });

  it('refuses options.labels that is empty, repeats a class or names none of yTrue', () => {
    metricError(() => confusionMatrix([0, 1], [0, 1], { labels: [] }), 'confusionMatrix', /options.labels is empty/);
    metricError(() => confusionMatrix([0, 1], [0, 1], { labels: [1, 1] }), 'confusionMatrix', /names 1 twice/);
    metricError(() => confusionMatrix([0, 1], [0, 1], { labels: [5, 6] }), 'confusionMatrix', /none of options.labels \(5, 6\) occurs in yTrue/);
    metricError(() => confusionMatrix([0, NaN], [0, 1], { labels: [0, 1] }), 'confusionMatrix', /yTrue\[1\] is NaN/);
  });
});
