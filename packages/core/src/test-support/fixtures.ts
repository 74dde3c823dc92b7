// Shared test fixtures: a small tabular dataset and an app around a nearest-centroid classifier (./centroid.ts).
import { DataFrame } from '@unionml/data';
import { Centroid, accuracy } from './centroid.js';
import { z } from 'zod';
import { Dataset } from '../dataset.js';
import { Model } from '../model.js';

/** 100 rows: x in 0..99, x2 = 2x, label y = x >= 50. */
export function frame(n = 100): DataFrame {
  return DataFrame.fromRecords(Array.from({ length: n }, (_, i) => ({ x: i, x2: 2 * i, noise: i % 7, y: i >= 50 ? 1 : 0 })));
}

export { Centroid, accuracy };

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
