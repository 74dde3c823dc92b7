// A small, fast app for the CLI tests: a nearest-centroid classifier in plain JavaScript on a generated table.
// It writes to stdout on purpose (console.log, console.info, process.stdout.write), as apps and libraries do, to
// prove that the CLI keeps stdout for its results.
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { Centroid, accuracy } from '@unionml/testing';
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
export { Centroid };

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
  if (features.column('x').includes(-13)) throw new TypeError('the predictor exploded on x = -13');
  return m.predict(features.toMatrix());
});
model.evaluator((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));

/** Another model of the same app, for model files saved for a different model. */
export const other = new Model({ name: 'other_classifier', dataset, hyperparameters: Hyperparameters, init: Centroid });
other.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
other.predictor((m, features) => m.predict(features.toMatrix()));

/** A model whose saver fails (a full disk, say): the training succeeds, the model file cannot be written. */
export const unsaveable = new Model({ name: 'unsaveable', dataset, hyperparameters: Hyperparameters, init: Centroid });
unsaveable.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
unsaveable.evaluator({ metric: 'accuracy' })((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));
unsaveable.saver(() => {
  throw new Error('ENOSPC: no space left on device');
});

export const notAModel = { name: 'not a model' };
