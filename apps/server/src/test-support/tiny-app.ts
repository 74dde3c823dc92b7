// A tiny tabular app for the server's tests: features x and x2, target y = x >= 50, a nearest-centroid model.
// Special rows drive the predictor: x = FAIL_X throws, x = SLOW_X waits, x = BAD_PREDICTION_X breaks the schema.
import { setTimeout as sleep } from 'node:timers/promises';
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { z } from 'zod';

/** A row with this x makes the predictor throw a plain Error. */
export const FAIL_X = 13;
/** A row with this x makes the predictor wait `slowMs`. */
export const SLOW_X = -1;
/** A row with this x makes the predictor return a value that breaks the prediction schema. */
export const BAD_PREDICTION_X = 777;

/** `n` labelled rows starting at x = offset: x, x2 = 2x, y = x >= 50. */
export function rows(n = 100, offset = 0): { x: number; x2: number; y: number }[] {
  return Array.from({ length: n }, (_, i) => ({ x: offset + i, x2: 2 * (offset + i), y: offset + i >= 50 ? 1 : 0 }));
}

/** A nearest-centroid classifier in plain JS (deterministic, saved with toJSON/fromJSON). */
export class Centroid {
  constructor(
    _hyperparameters: object = {},
    public centroids: Record<string, number[]> = {},
  ) {}

  fit(X: number[][], y: number[]): this {
    const sums: Record<string, { sum: number[]; n: number }> = {};
    X.forEach((row, i) => {
      const s = (sums[String(y[i])] ??= { sum: row.map(() => 0), n: 0 });
      row.forEach((v, j) => (s.sum[j]! += v));
      s.n++;
    });
    this.centroids = Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.sum.map((v) => v / s.n)]));
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
    return { centroids: this.centroids };
  }

  static fromJSON(json: { centroids: Record<string, number[]> }): Centroid {
    return new Centroid({}, json.centroids);
  }
}

/** Options of {@link makeTinyApp}. */
export interface TinyAppOptions {
  name?: string;
  /** Declare the feature columns (default true); false leaves them to the trained artifact. */
  declareFeatures?: boolean;
  /** How long a row with x = SLOW_X makes the predictor wait. Default 300 ms. */
  slowMs?: number;
}

/** The tiny app: reader arguments `{ n, offset }`, prediction `number[]`. */
export function makeTinyApp(options: TinyAppOptions = {}) {
  const dataset = new Dataset({
    name: 'tiny_dataset',
    features: options.declareFeatures === false ? [] : ['x', 'x2'],
    targets: ['y'],
    testSize: 0.2,
    randomState: 123,
    readerArgs: z.object({ n: z.int().min(1).default(100), offset: z.int().default(0) }),
  });
  dataset.reader(({ n, offset }) => DataFrame.fromRecords(rows(n, offset)));
  const model = new Model({
    name: options.name ?? 'tiny_model',
    dataset,
    prediction: z.array(z.number()),
    init: Centroid,
  });
  model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
  model.predictor(async (m, features) => {
    const X = features.toMatrix();
    if (X.some((r) => r[0] === FAIL_X)) throw new Error(`cannot predict x = ${FAIL_X}`);
    if (X.some((r) => r[0] === SLOW_X)) await sleep(options.slowMs ?? 300);
    if (X.some((r) => r[0] === BAD_PREDICTION_X)) return ['not a number'] as unknown as number[];
    return m.predict(X);
  });
  return { dataset, model };
}

/** The tiny app, trained. */
export async function trainedTinyApp(options: TinyAppOptions = {}) {
  const app = makeTinyApp(options);
  await app.model.train();
  return app;
}
