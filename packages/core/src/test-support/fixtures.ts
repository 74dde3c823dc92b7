// Shared test fixtures: a small tabular dataset and a nearest-centroid classifier (plain JS, deterministic).
import { DataFrame } from '@unionml/data';
import { z } from 'zod';
import { Dataset } from '../dataset.js';
import { Model } from '../model.js';

/** 100 rows: x in 0..99, x2 = 2x, label y = x >= 50. */
export function frame(n = 100): DataFrame {
  return DataFrame.fromRecords(Array.from({ length: n }, (_, i) => ({ x: i, x2: 2 * i, noise: i % 7, y: i >= 50 ? 1 : 0 })));
}

export class Centroid {
  constructor(
    readonly hp: { shift: number },
    public centroids: Record<string, number[]> = {},
  ) {}

  fit(X: number[][], y: number[]): this {
    const sums: Record<string, { sum: number[]; n: number }> = {};
    X.forEach((row, i) => {
      const k = String(y[i]);
      const s = (sums[k] ??= { sum: row.map(() => 0), n: 0 });
      row.forEach((v, j) => (s.sum[j]! += v));
      s.n++;
    });
    this.centroids = Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.sum.map((v) => v / s.n + this.hp.shift)]));
    return this;
  }

  predict(X: number[][]): number[] {
    return X.map((row) => {
      let best = '';
      let bestDistance = Infinity;
      for (const [k, c] of Object.entries(this.centroids)) {
        const d = row.reduce((s, v, j) => s + (v - c[j]!) ** 2, 0);
        if (d < bestDistance) [best, bestDistance] = [k, d];
      }
      return Number(best);
    });
  }

  toJSON() {
    return { hp: this.hp, centroids: this.centroids };
  }

  static fromJSON<T extends typeof Centroid>(this: T, json: { hp: { shift: number }; centroids: Record<string, number[]> }): InstanceType<T> {
    return new this(json.hp, json.centroids) as InstanceType<T>;
  }
}

export const accuracy = (predicted: number[], actual: number[]) => predicted.filter((p, i) => p === actual[i]).length / actual.length;

/** A complete tabular app: features x and x2, target y, reader args { n }. */
export function makeApp(options: { features?: string[]; name?: string } = {}) {
  const dataset = new Dataset({
    name: 'test_dataset',
    features: options.features ?? ['x', 'x2'],
    targets: ['y'],
    testSize: 0.2,
    randomState: 123,
    readerArgs: z.object({ n: z.int().min(10).default(100) }),
  });
  dataset.reader(({ n }) => frame(n));
  const model = new Model({
    name: options.name ?? 'test_model',
    dataset,
    hyperparameters: z.object({ shift: z.number().default(0) }),
    prediction: z.array(z.number()),
    init: Centroid,
  });
  model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
  model.predictor((m, features) => m.predict(features.toMatrix()));
  model.evaluator((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));
  return { dataset, model };
}
