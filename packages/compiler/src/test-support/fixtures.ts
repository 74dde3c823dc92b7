// The compiler's test app: a tabular dataset and a model around @unionml/testing's nearest-centroid classifier.
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { Centroid, accuracy, labelledRows } from '@unionml/testing';
import { z } from 'zod';

export { Centroid };

/** A complete tabular app: features x and x2 (and a column `noise` that is neither), target y, reader args { n }. */
export function makeApp(options: { name?: string } = {}) {
  const dataset = new Dataset({
    name: 'test_dataset',
    features: ['x', 'x2'],
    targets: ['y'],
    testSize: 0.2,
    randomState: 123,
    readerArgs: z.object({ n: z.int().min(10).default(100) }),
  });
  dataset.reader(({ n }) => DataFrame.fromRecords(labelledRows(n).map((row, i) => ({ ...row, noise: i % 7 }))));
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
