// A tiny app for the server app's tests: features x and x2, target y = x >= 50, a nearest-centroid model.
import { Dataset, Model } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { Centroid, accuracy, labelledRows } from '@unionml/testing';
import { z } from 'zod';

export const dataset = new Dataset({ name: 'tiny_dataset', features: ['x', 'x2'], targets: ['y'] });
dataset.reader(() => DataFrame.fromRecords(labelledRows(100)));

export const model = new Model({ name: 'tiny_classifier', dataset, init: Centroid, prediction: z.array(z.number()) });
model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
model.predictor((m, features) => m.predict(features.toMatrix()));
model.evaluator((m, features, target) => accuracy(m.predict(features.toMatrix()), target.toVector()));
