// A small, fast app for the CLI tests: a nearest-centroid classifier in plain JavaScript on a generated table.
// It writes to stdout on purpose (console.log, console.info, process.stdout.write), as apps and libraries do, to
// prove that the CLI keeps stdout for its results.
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { z } from 'zod';

console.log('tiny app: console.log while loading');
process.stdout.write('tiny app: process.stdout.write while loading\n');

/** n rows: x in 0..n-1, x2 = 2x, label y = x >= n/2. */
export function rows(n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({ x: i + offset, x2: 2 * (i + offset), y: i + offset >= n / 2 ? 1 : 0 }));
}

export const dataset = new Dataset({
  name: 'tiny_dataset',
  features: ['x', 'x2'],
  targets: ['y'],
  testSize: 0.2,
  randomState: 123,
  readerArgs: z.object({ n: z.int().min(10).default(100), offset: z.number().default(0) }),
});
dataset.reader(({ n, offset }) => DataFrame.fromRecords(rows(n, offset)));

export const Hyperparameters = z.object({ shift: z.number().default(0) });

/** Predicts the label of the nearest class centroid. */
export class Centroid {
  constructor(
    readonly hyperparameters: z.infer<typeof Hyperparameters>,
    public centroids: Record<string, number[]> = {},
  ) {}

  fit(X: number[][], y: number[], epochs = 1): this {
    const sums: Record<string, { sum: number[]; n: number }> = {};
    X.forEach((row, i) => {
      const s = (sums[String(y[i])] ??= { sum: row.map(() => 0), n: 0 });
      row.forEach((v, j) => (s.sum[j]! += v));
      s.n++;
    });
    this.centroids = Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.sum.map((v) => v / s.n + this.hyperparameters.shift * epochs)]));
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
    return { hyperparameters: this.hyperparameters, centroids: this.centroids };
  }

  static fromJSON(json: { hyperparameters: { shift: number }; centroids: Record<string, number[]> }): Centroid {
    return new Centroid(json.hyperparameters, json.centroids);
  }
}

const accuracy = (predicted: number[], actual: number[]) => predicted.filter((p, i) => p === actual[i]).length / actual.length;

export const model = new Model({
  name: 'tiny_classifier',
  dataset,
  hyperparameters: Hyperparameters,
  trainerKwargs: z.object({ epochs: z.int().min(1).default(1), explode: z.boolean().default(false) }),
  prediction: z.array(z.number()),
  init: Centroid,
});
model.trainer((m, features, target, { epochs, explode }) => {
  if (explode) throw new Error('the trainer exploded');
  console.info('tiny app: console.info while training');
  console.debug('tiny app: console.debug while training');
  return m.fit(features.toMatrix(), target.toVector(), epochs);
});
model.predictor((m, features) => {
  console.log('tiny app: console.log while predicting');
  if (features.column('x').includes(13)) throw new TypeError('the predictor exploded on x = 13');
  return m.predict(features.toMatrix());
});
model.evaluator((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));

/** Another model of the same app, for model files saved for a different model. */
export const other = new Model({ name: 'other_classifier', dataset, hyperparameters: Hyperparameters, init: Centroid });
other.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
other.predictor((m, features) => m.predict(features.toMatrix()));

export const notAModel = { name: 'not a model' };
