// A tiny tabular app for the server's tests: features x and x2, target y = x >= 50, a nearest-centroid model.
// Special rows drive the predictor: x = FAIL_X throws, x = SLOW_X waits, x = BAD_PREDICTION_X breaks the schema.
import { setTimeout as sleep } from 'node:timers/promises';
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { Centroid } from '@unionml/testing';
import { z } from 'zod';

export { Centroid };

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
