/**
 * UnionML core: declare a {@link Dataset} and a {@link Model}, then train, predict, save and load in this process.
 * The same objects are served over HTTP by `@unionml/server` and driven by the `unionml` CLI.
 *
 * @example
 * ```ts
 * import { Dataset, Model } from '@unionml/core';
 * import { readCsv } from '@unionml/data';
 * import { z } from 'zod';
 *
 * export const dataset = new Dataset({ name: 'iris_dataset', targets: ['species'] });
 * dataset.reader(() => readCsv('iris.csv'));
 *
 * export const model = new Model({
 *   name: 'iris_classifier',
 *   dataset,
 *   hyperparameters: z.object({ k: z.int().default(3) }),
 *   init: (hp) => new Knn(hp.k),
 * });
 * model.trainer((knn, features, target) => knn.fit(features.toMatrix(), target.toVector()));
 * model.predictor((knn, features) => knn.predict(features.toMatrix()));
 * model.evaluator((knn, features, target) => accuracy(knn.predict(features.toMatrix()), target.toVector()));
 *
 * const { metrics } = await model.train();
 * await model.save('model.json');
 * ```
 * @module
 */
export { Dataset } from './dataset.js';
export type { DataKwargs, DataSplits, DatasetOptions, FeatureContext, FeatureLoader, FeatureTransformer, Loader, Parser, Reader, Splitter } from './dataset.js';
export { Model } from './model.js';
export { flattenMetrics, MODEL_FILE_FORMAT, MODEL_FILE_VERSION, normalizeMetrics, unflattenMetrics } from './model-file.js';
export type { ModelFile, ModelObjectEntry, ModelSample, Payload, PayloadEntry } from './model-file.js';
export { evaluatePredictions } from './evaluation.js';
export type { Task } from './evaluation.js';
export type {
  AnyModel,
  Evaluator,
  EvaluatorOptions,
  Init,
  LoadOptions,
  ModelArtifact,
  ModelClass,
  ModelLoader,
  ModelOptions,
  ModelSchedule,
  PredictInput,
  PredictOptions,
  PredictionCallback,
  Predictor,
  PredictorOptions,
  Saver,
  ScheduleOptions,
  Trainer,
  TrainOnOptions,
  TrainOptions,
  TrainResult,
} from './model.js';
export type {
  ClassLabel,
  DataOf,
  DatasetSpec,
  Evaluation,
  FeaturesOf,
  FittedTransformer,
  MaybePromise,
  Metrics,
  MetricValues,
  NoArgs,
  ParsedOf,
  ParserKwargs,
  RawFeaturesOf,
  RawOf,
  Resources,
  SplitterKwargs,
  TaskOptions,
} from './types.js';
export {
  AppCodeError,
  AppLoadError,
  ArgumentsError,
  ComponentError,
  CORE_ERRORS,
  DatasetColumnsError,
  fromAppCode,
  HyperparametersError,
  ModelFileError,
  ModelNotTrainedError,
  OutputPathError,
  PredictInputError,
  PredictionError,
  ScheduleError,
  SerializationError,
} from './errors.js';
export type { CoreErrorCode } from './errors.js';
export { importAppModule, loadModel, parseAppAddress, resolveAppModule } from './load-app.js';
export type { AppAddress } from './load-app.js';
export { check, closest, describeSchema, jsonSchemaOf } from './schema.js';
export type { CheckResult, Schema } from './schema.js';
export { silentLogger, stderrLogger } from './log.js';
export type { Logger } from './log.js';
export { VERSION } from './version.js';
export { UnionMLError, isUnionMLError } from '@unionml/errors';
