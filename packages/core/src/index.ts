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
export type { DataKwargs, DataSplits, DatasetOptions, FeatureLoader, FeatureTransformer, Loader, Parser, Reader, Splitter } from './dataset.js';
export { MODEL_FILE_FORMAT, Model, registerModelClass } from './model.js';
export type {
  AnyModel,
  Evaluator,
  Init,
  ModelArtifact,
  ModelFile,
  ModelLoader,
  ModelOptions,
  ModelSchedule,
  PredictInput,
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
export type { DataOf, DatasetSpec, FeaturesOf, MaybePromise, Metrics, NoArgs, ParsedOf, ParserKwargs, RawFeaturesOf, RawOf, Resources, SplitterKwargs, TaskOptions } from './types.js';
export { AppLoadError, ArgumentsError, ComponentError, HyperparametersError, ModelFileError, ModelNotTrainedError, PredictInputError, PredictionError, ScheduleError, SerializationError } from './errors.js';
export { importAppModule, loadModel, parseAppAddress, resolveAppModule } from './load-app.js';
export type { AppAddress } from './load-app.js';
export { check, describeSchema, jsonSchemaOf } from './schema.js';
export type { CheckResult, Schema } from './schema.js';
export { replaceAtomic, writeFileAtomic } from './files.js';
export { FlyteCompileError, compileModel, executeTaskFromArgs, packageModel, predictCompiled, trainCompiled } from './flyte-api.js';
export type { CompiledModel, CompiledPredictResult, CompiledTrainResult, CompileOptions, LocalRunOptions, TaskAddress } from './flyte-api.js';
export { appVersion } from './app-version.js';
export { buildAppImage } from './image/build.js';
export type { AppImage, BuildAppImageOptions } from './image/build.js';
export { ImageError } from './image/errors.js';
export { SANDBOX_REGISTRY, imageReference, registryFor } from './image/naming.js';
export type { ImageNameOptions } from './image/naming.js';
export { stageLocalPackages } from './image/stage.js';
export type { StagedContext } from './image/stage.js';
export { logger, setLogger } from './log.js';
export type { Logger } from './log.js';
export { VERSION } from './version.js';
export { UnionMLError, isUnionMLError } from '@unionml/errors';
