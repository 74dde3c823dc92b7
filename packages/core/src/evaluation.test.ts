import { DataFrame } from '@unionml/data';
import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from './evaluation.js';

describe('evaluatePredictions', () => {
  it('gives a confusion matrix for string labels, sorted, rows actual', () => {
    const target = DataFrame.fromColumns({ diagnosis: ['malignant', 'benign', 'benign', 'malignant'] });
    expect(evaluatePredictions(target, ['malignant', 'benign', 'malignant', 'benign'], 'test')).toEqual({
      kind: 'classification',
      split: 'test',
      target: 'diagnosis',
      labels: ['benign', 'malignant'],
      matrix: [
        [1, 1],
        [1, 1],
      ],
    });
  });

  it('samples predicted against actual for a regression, leaving out non-finite pairs', () => {
    const actual = Array.from({ length: 5000 }, (_, i) => i / 7);
    const predicted = actual.map((v, i) => (i === 3 ? Number.NaN : v + 0.5));
    const evaluation = evaluatePredictions(actual, new Float64Array(predicted), 'train');
    expect(evaluation).toMatchObject({ kind: 'regression', split: 'train', target: 'target', rows: 5000 });
    if (evaluation?.kind !== 'regression') throw new Error('expected a regression');
    expect(evaluation.actual).toHaveLength(2000);
    expect(evaluation.predicted.every(Number.isFinite)).toBe(true);
  });

  it('gives nothing it cannot compare: several target columns, other lengths, probabilities, mixed label types', () => {
    const two = DataFrame.fromColumns({ a: [1, 2], b: [1, 2] });
    expect(evaluatePredictions(two, [1, 2], 'test')).toBeUndefined();
    expect(evaluatePredictions([1, 2, 3], [1, 2], 'test')).toBeUndefined();
    expect(
      evaluatePredictions(
        [0, 1],
        [
          [0.2, 0.8],
          [0.9, 0.1],
        ],
        'test',
      ),
    ).toBeUndefined();
    expect(evaluatePredictions(['a', 1], ['a', 1], 'test', 'classification')).toBeUndefined();
    expect(evaluatePredictions([1, 2, 3], [1.5, 2, 3], 'test', 'regression')).toMatchObject({ kind: 'regression' });
    expect(evaluatePredictions([[3], [5]].flat(), [[3], [4]], 'test')).toMatchObject({ kind: 'classification', labels: [3, 4, 5] });
  });
});
