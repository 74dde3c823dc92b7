// The remote model's test app: a tabular dataset with a reader argument and a model around @unionml/testing's
// nearest-centroid classifier, with a training and a prediction schedule.
import { Dataset, Model, silentLogger, type Logger } from '@unionml/core';
import { accuracy, Centroid, labelledRows } from '@unionml/testing';
import { z } from 'zod';

/** A complete app; `messages` collects what the model logs. */
export function makeApp(options: { logger?: Logger } = {}) {
  const dataset = new Dataset({
    name: 'test_dataset',
    features: ['x', 'x2'],
    targets: ['y'],
    testSize: 0.2,
    randomState: 123,
    readerArgs: z.object({ n: z.int().min(10).default(100) }),
  });
  dataset.reader(({ n }) => labelledRows(n));
  const model = new Model({
    name: 'test_model',
    dataset,
    hyperparameters: z.object({ shift: z.number().default(0) }),
    prediction: z.array(z.number()),
    init: Centroid,
    logger: options.logger ?? silentLogger,
  });
  model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
  model.predictor((m, features) => m.predict(features.toMatrix()));
  model.evaluator((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));
  model.scheduleTraining('nightly', { expression: '0 2 * * *', hyperparameters: { shift: 0 } });
  model.scheduleTraining('weekly', { expression: '0 3 * * 0', activateOnDeploy: false });
  model.schedulePrediction('hourly_predictions', { fixedRate: { value: 1, unit: 'hour' }, modelUri: 's3://bucket/model.json' });
  return { dataset, model };
}

/** A logger that keeps its messages. */
export function memoryLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, info: (m) => messages.push(m), warn: (m) => messages.push(`warning: ${m}`), error: (m) => messages.push(`error: ${m}`) };
}
