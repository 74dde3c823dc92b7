import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ColumnSchema } from '@unionml/data';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import type { z } from 'zod';
import { Dataset, taskOptions } from './dataset.js';
import { evaluatePredictions, type Task } from './evaluation.js';
import {
  ArgumentsError,
  ComponentError,
  HyperparametersError,
  ModelFileError,
  ModelNotTrainedError,
  OutputPathError,
  PredictInputError,
  PredictionError,
  ScheduleError,
  SerializationError,
} from './errors.js';
import { inspectOutputFile, withTempDir, writeFileAtomic } from './files.js';
import { stderrLogger, type Logger } from './log.js';
import {
  decodeJsonValue,
  encodeJsonValue,
  integrityProblem,
  looksLikeEnvelope,
  MODEL_FILE_FORMAT,
  MODEL_FILE_VERSION,
  modelFileText,
  normalizeMetrics,
  predictionData,
  predictionDifference,
  readPayload,
  writePayload,
  type ModelFile,
  type ModelObjectEntry,
  type ModelSample,
} from './model-file.js';
import { check, describeSchema, isPlainObject, kind, type Schema } from './schema.js';
import { isLayersModel, loadLayersModel, saveLayersModel } from './tfjs.js';
import type {
  DatasetSpec,
  Evaluation,
  FeaturesOf,
  MaybePromise,
  Metrics,
  MetricValues,
  NoArgs,
  ParsedOf,
  ParserKwargs,
  RawFeaturesOf,
  RawOf,
  SplitterKwargs,
  TaskOptions,
} from './types.js';
import { VERSION } from './version.js';

/** Makes a model object from hyperparameters: a function, or a class whose constructor takes them. */
export type Init<THyper, TModel> = ((hyperparameters: THyper) => MaybePromise<TModel>) | (new (hyperparameters: THyper) => TModel);

/** Trains a model object on the train split (`features, target` for tables), with the trainer's keyword arguments last. */
export type Trainer<TModel, TParsed extends readonly unknown[], TTrainerKwargs> = (
  modelObject: TModel,
  ...args: [...TParsed, TTrainerKwargs]
) => MaybePromise<TModel>;
/** Predicts from features. */
export type Predictor<TModel, TFeatures, TPrediction> = (modelObject: TModel, features: TFeatures) => MaybePromise<TPrediction>;
/**
 * Scores a model object on a split (`features, target` for tables): one number (named by the evaluator's `metric`
 * option, else its function name, else `score`), or named numbers such as `{ f1: 0.91, auc: 0.97 }`.
 */
export type Evaluator<TModel, TParsed extends readonly unknown[]> = (modelObject: TModel, ...args: TParsed) => MaybePromise<number | MetricValues>;

/** Options of the evaluator's options form, `model.evaluator({ metric: 'accuracy' })(fn)`. */
export interface EvaluatorOptions {
  /** The name of the number the evaluator returns. Default: the evaluator function's name, else `score`. */
  metric?: string;
}
/** Called after every prediction; its errors are logged, never thrown. */
export type PredictionCallback<TModel, TFeatures, TPrediction> = (modelObject: TModel, features: TFeatures, prediction: TPrediction) => MaybePromise<void>;
/**
 * Writes a model object to `file`, a path in a fresh temporary folder: write a file there, or make a folder there
 * and fill it. UnionML puts what was written into the model file, inside its envelope (feature columns, metrics,
 * hyperparameters, versions), so a custom saver writes only the model object.
 */
export type Saver<TModel, THyper> = (modelObject: TModel, hyperparameters: THyper | undefined, file: string) => MaybePromise<void>;
/**
 * Reads a model object from `file`: the file or folder the saver wrote, restored to a temporary path (removed once
 * the loader's promise settles, so read everything it needs before).
 */
export type ModelLoader<TModel> = (file: string) => MaybePromise<TModel>;

/** Options of {@link Model}. */
export interface ModelOptions<
  THyper extends object,
  THyperInput,
  TModel,
  TReaderArgs extends object,
  S extends DatasetSpec,
  TPrediction,
  TTrainerKwargs extends object,
  TReaderInput = TReaderArgs,
> {
  /** Used in workflow and task names (`{name}.train`). Default `"model"`. */
  name?: string;
  /** The dataset the model trains on. */
  dataset: Dataset<TReaderArgs, S, TReaderInput>;
  /** Makes a fresh model object from the hyperparameters. */
  init?: Init<THyper, TModel>;
  /** A zod object schema of the hyperparameters: their types, defaults and checks. */
  hyperparameters?: z.ZodType<THyper, THyperInput>;
  /** A zod schema of the trainer's keyword arguments. */
  trainerKwargs?: Schema<TTrainerKwargs>;
  /** A zod schema of what the predictor returns; it types the predictor and documents the HTTP API. */
  prediction?: Schema<TPrediction>;
  /**
   * Classes with a static `fromJSON(json)` or `load(json)` (the mljs libraries' way) that the default loader may
   * rebuild model objects as (by class name). A class given as `init`, or made by an `init` function, needs no listing.
   */
  modelClasses?: readonly ModelClass[];
  /**
   * Whether the model classifies or regresses, for the report of its predictions on the test split (a confusion
   * matrix or predicted against actual values). Default: guessed from the target (strings, booleans or at most 50
   * distinct integers are classes).
   */
  task?: Task;
  /** Where the model logs (e.g. errors of post-prediction callbacks). Default {@link stderrLogger}. */
  logger?: Logger;
}

/**
 * A class whose instances the default saver writes with `toJSON()` and the default loader rebuilds with its static
 * `fromJSON(json)` or `load(json)`.
 */
export type ModelClass = (abstract new (...args: never[]) => unknown) & ({ fromJSON(json: never): unknown } | { load(json: never): unknown });

/** Options of {@link Model.predict} and {@link Model.predictFromFeatures}. */
export interface PredictOptions {
  /** Where to log errors of post-prediction callbacks. Default: the model's logger. */
  logger?: Logger;
}

/** A trained model object with what produced it. */
export interface ModelArtifact<TModel = unknown, THyper = unknown> {
  modelObject: TModel;
  hyperparameters?: THyper | undefined;
  metrics?: Metrics | undefined;
  /** The training features' columns and types (tables), used to check prediction requests. */
  featureSchema?: ColumnSchema[] | undefined;
  /** What the dataset's fitted feature transformer learned on the train split. */
  transformerState?: unknown;
  /** The predictions on the test split against the truth (a confusion matrix or predicted-vs-actual values). */
  evaluation?: Evaluation | undefined;
  /** When the model file was saved (loaded artifacts). */
  savedAt?: string | undefined;
  /**
   * The model file's content hash, `sha256:<hex>` (the envelope's integrity hash, checked at load; set by save and
   * load).
   */
  contentHash?: string | undefined;
  /** Where and when the artifact was loaded from a model file (loaded artifacts). */
  loadedFrom?: { path: string; at: string } | undefined;
  /** The first test rows as a request sends them and their predictions, to check the model when it is loaded. */
  sample?: ModelSample | undefined;
}

/** Options of {@link Model.load}. */
export interface LoadOptions {
  /**
   * Check the model file's integrity hash and predict the sample rows it keeps, refusing a file that fails either
   * (`MODEL_FILE_INTEGRITY`, `MODEL_CHECK_FAILED`). Default true; false loads a file as it is (to inspect a damaged
   * one); `'integrity'` refuses a damaged file but only warns when the sample rows are predicted otherwise (what a
   * compiled task does: a deployed patch may change the predictor on purpose and still use the model versions it has).
   */
  verify?: boolean | 'integrity';
}

/** What {@link Model.train} returns. */
export interface TrainResult<TModel, THyper> {
  modelObject: TModel;
  hyperparameters: THyper;
  metrics: Metrics;
}

/** Options of {@link Model.train}: hyperparameters, component overrides and the reader's arguments. */
export type TrainOptions<THyperInput, TTrainerKwargs, TReaderArgs> = {
  hyperparameters?: THyperInput;
  loaderKwargs?: Record<string, unknown>;
  splitterKwargs?: Partial<SplitterKwargs> & Record<string, unknown>;
  parserKwargs?: Partial<ParserKwargs> & Record<string, unknown>;
  trainerKwargs?: Partial<TTrainerKwargs>;
} & TReaderArgs;

/** The options of {@link Model.trainOn}: hyperparameters and the components' keyword arguments. */
export interface TrainOnOptions<THyperInput, TTrainerKwargs> {
  hyperparameters?: THyperInput;
  loaderKwargs?: Record<string, unknown>;
  splitterKwargs?: Record<string, unknown>;
  parserKwargs?: Record<string, unknown>;
  trainerKwargs?: Partial<TTrainerKwargs>;
}

/** When a schedule runs: exactly one of a cron `expression` and a `fixedRate`. */
export interface ScheduleOptions {
  /** A cron expression (5 fields, or `@daily`-style), e.g. `0 2 * * *`. */
  expression?: string;
  /** A fixed rate, e.g. `{ value: 1, unit: 'day' }`. */
  fixedRate?: { value: number; unit: 'minute' | 'hour' | 'day' };
  /** An offset for cron schedules (an ISO 8601 duration, e.g. `PT1H`). */
  offset?: string;
  /** The reader argument that receives the scheduled time (a date). */
  readerTimeArg?: string;
  /** Activate the schedule when the app is deployed. Default true. */
  activateOnDeploy?: boolean;
}

/** A schedule declared with {@link Model.scheduleTraining} or {@link Model.schedulePrediction}. */
export interface ModelSchedule extends ScheduleOptions {
  kind: 'training' | 'prediction';
  name: string;
  activateOnDeploy: boolean;
  /** The launch plan's fixed inputs: hyperparameters, component kwargs, reader arguments, `modelUri`. */
  inputs: Record<string, unknown>;
}

/** What {@link Model.predict} takes: `{ features }`, `{ inputs }` (the reader's arguments), or the reader's arguments. */
export type PredictInput<TRawFeatures, TReaderArgs> =
  { features: TRawFeatures; inputs?: never } | { inputs: TReaderArgs; features?: never } | (TReaderArgs & { features?: never; inputs?: never });

/** Options of the predictor's options form. */
export interface PredictorOptions<TModel, TFeatures, TPrediction> extends TaskOptions {
  /** Called after every prediction with `(modelObject, features, prediction)`; errors are logged, not thrown. */
  callbacks?: PredictionCallback<TModel, TFeatures, TPrediction>[];
}

type AnyFn = (...args: never[]) => unknown;
type ClassLike = { fromJSON?: (json: never) => unknown; load?: (json: never) => unknown; name?: string };

const BRAND = Symbol.for('unionml.model');

/**
 * A model: how to make, train, evaluate and use a model object on a {@link Dataset}.
 *
 * Types flow from the options: the hyperparameters from their schema, the model object from `init`, the data
 * from the dataset. A trainer or predictor that does not fit them is a compile error.
 *
 * @example
 * ```ts
 * const model = new Model({
 *   name: 'digits_classifier',
 *   dataset,
 *   hyperparameters: z.object({ learningRate: z.number().default(0.5) }),
 *   init: (hp) => new SoftmaxRegression(hp),
 * });
 * model.trainer((est, features, target) => est.fit(features.toMatrix(), target.toVector()));
 * model.predictor((est, features) => est.predict(features.toMatrix()));
 * model.evaluator((est, features, target) => accuracy(est.predict(features.toMatrix()), target.toVector()));
 * const { metrics } = await model.train({ hyperparameters: { learningRate: 0.1 } });
 * ```
 */
export class Model<
  THyper extends object = Record<string, unknown>,
  TModel = unknown,
  TReaderArgs extends object = NoArgs,
  S extends DatasetSpec = DatasetSpec,
  TPrediction = unknown,
  TTrainerKwargs extends object = Record<string, unknown>,
  THyperInput = THyper,
  TReaderInput = TReaderArgs,
> {
  readonly name: string;
  readonly dataset: Dataset<TReaderArgs, S, TReaderInput>;
  readonly hyperparameterSchema: z.ZodType<THyper, THyperInput> | undefined;
  readonly trainerKwargsSchema: Schema<TTrainerKwargs> | undefined;
  readonly predictionSchema: Schema<TPrediction> | undefined;
  /** Flyte task settings given through the components' options forms. */
  readonly taskOptions: { trainer?: TaskOptions; predictor?: TaskOptions } = {};
  #init: Init<THyper, TModel> | undefined;
  #trainer: AnyFn | undefined;
  #predictor: AnyFn | undefined;
  #evaluator: AnyFn | undefined;
  #saver: Saver<TModel, THyper> | undefined;
  #loader: ModelLoader<TModel> | undefined;
  #metricName: string | undefined;
  readonly #task: Task | undefined;
  #callbacks: PredictionCallback<TModel, FeaturesOf<S>, TPrediction>[] = [];
  #artifact: ModelArtifact<TModel, THyper> | undefined;
  readonly #schedules: ModelSchedule[] = [];
  readonly #modelClasses = new Map<string, ClassLike>();
  /** Where the model logs. */
  readonly logger: Logger;

  constructor(options: ModelOptions<THyper, THyperInput, TModel, TReaderArgs, S, TPrediction, TTrainerKwargs, TReaderInput>) {
    if (!options || !Dataset.isDataset(options.dataset)) {
      throw new ComponentError(
        `new Model({ dataset }) needs a Dataset, got ${kind(options?.dataset)}`,
        'create one with new Dataset({...}) and pass it as dataset',
      );
    }
    this.name = options.name ?? 'model';
    this.dataset = options.dataset;
    this.hyperparameterSchema = options.hyperparameters;
    this.trainerKwargsSchema = options.trainerKwargs;
    this.predictionSchema = options.prediction;
    this.logger = options.logger ?? stderrLogger;
    if (options.task !== undefined && options.task !== 'classification' && options.task !== 'regression') {
      throw new ComponentError(`new Model({ task }) of model '${this.name}' must be 'classification' or 'regression', got ${JSON.stringify(options.task)}`);
    }
    this.#task = options.task;
    for (const cls of options.modelClasses ?? []) {
      if (typeof cls !== 'function' || !rebuildMethod(cls)) {
        throw new ComponentError(
          `new Model({ modelClasses }) of model '${this.name}': ${(typeof cls === 'function' && cls.name) || describeType(cls)} has no static fromJSON(json) or load(json) method`,
          'list classes with a static fromJSON(json) or load(json)',
        );
      }
      this.#modelClasses.set(cls.name, cls);
    }
    if (options.init !== undefined) this.init(options.init);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a Model of any copy of this package. */
  static isModel(value: unknown): value is AnyModel {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The latest trained or loaded model object, with its hyperparameters and metrics. */
  get artifact(): ModelArtifact<TModel, THyper> | undefined {
    return this.#artifact;
  }

  set artifact(artifact: ModelArtifact<TModel, THyper> | undefined) {
    this.#artifact = artifact;
  }

  /** Workflow names on Flyte (Python UnionML's). */
  get trainWorkflowName(): string {
    return `${this.name}.train`;
  }
  get predictWorkflowName(): string {
    return `${this.name}.predict`;
  }
  get predictFromFeaturesWorkflowName(): string {
    return `${this.name}.predict_from_features`;
  }

  /** The post-prediction callbacks. */
  get predictCallbacks(): readonly PredictionCallback<TModel, FeaturesOf<S>, TPrediction>[] {
    return this.#callbacks;
  }

  /** Registers (or replaces) the function or class that makes a model object from hyperparameters. */
  init<F extends Init<THyper, TModel>>(fn: F): F {
    this.#init = this.#fn('init', fn);
    return fn;
  }

  /** Registers the trainer: `(modelObject, features, target, trainerKwargs) => trained modelObject`. */
  trainer<F extends Trainer<TModel, ParsedOf<S>, TTrainerKwargs>>(fn: F): F;
  trainer(options: TaskOptions): <F extends Trainer<TModel, ParsedOf<S>, TTrainerKwargs>>(fn: F) => F;
  trainer(arg: AnyFn | TaskOptions): unknown {
    if (typeof arg === 'function') return (this.#trainer = this.#fn('trainer', arg));
    this.taskOptions.trainer = taskOptions('model.trainer', arg);
    return (fn: AnyFn) => (this.#trainer = this.#fn('trainer', fn));
  }

  /** Registers the predictor: `(modelObject, features) => prediction`. The options form takes `callbacks`. */
  predictor<F extends Predictor<TModel, FeaturesOf<S>, TPrediction>>(fn: F): F;
  predictor(options: PredictorOptions<TModel, FeaturesOf<S>, TPrediction>): <F extends Predictor<TModel, FeaturesOf<S>, TPrediction>>(fn: F) => F;
  predictor(arg: AnyFn | PredictorOptions<TModel, FeaturesOf<S>, TPrediction>): unknown {
    if (typeof arg === 'function') return (this.#predictor = this.#fn('predictor', arg));
    const { callbacks = [], ...task } = taskOptions<PredictorOptions<TModel, FeaturesOf<S>, TPrediction>>('model.predictor', arg);
    if (!Array.isArray(callbacks)) throw new ComponentError(`predictor({ callbacks }) expects an array of functions, got ${kind(callbacks)}`);
    callbacks.forEach((cb, i) => this.#fn(`predictor callback[${i}]`, cb));
    this.#callbacks = [...callbacks];
    this.taskOptions.predictor = task;
    return (fn: AnyFn) => (this.#predictor = this.#fn('predictor', fn));
  }

  /**
   * Registers the evaluator, run on each split after training: `(modelObject, features, target) => number`, or
   * named numbers (`{ f1, auc }`). The options form names a single number: `model.evaluator({ metric: 'r2' })(fn)`;
   * else it is named after the function (`function accuracy(...)`), else `score`.
   */
  evaluator<F extends Evaluator<TModel, ParsedOf<S>>>(fn: F): F;
  evaluator(options: EvaluatorOptions): <F extends Evaluator<TModel, ParsedOf<S>>>(fn: F) => F;
  evaluator(arg: AnyFn | EvaluatorOptions): unknown {
    if (typeof arg === 'function') {
      this.#metricName = undefined;
      return (this.#evaluator = this.#fn('evaluator', arg));
    }
    const { metric, ...rest } = taskOptions<EvaluatorOptions>('model.evaluator', arg);
    const unknown = Object.keys(rest);
    if (unknown.length)
      throw new ComponentError(`model.evaluator({...}) of model '${this.name}' has unknown option(s) ${unknown.join(', ')}`, 'the only option is metric');
    if (metric !== undefined && (typeof metric !== 'string' || metric === '')) {
      throw new ComponentError(`model.evaluator({ metric }) of model '${this.name}' must be a non-empty string, got ${kind(metric)}`);
    }
    return (fn: AnyFn) => {
      this.#evaluator = this.#fn('evaluator', fn);
      this.#metricName = metric;
      return fn;
    };
  }

  /** The name of the evaluator's number when it returns one: its `metric` option, its function's name, or `score`. */
  get metricName(): string {
    const fnName = this.#evaluator?.name.replace(/^bound /, '');
    return this.#metricName ?? (fnName && fnName !== 'evaluator' ? fnName : 'score');
  }

  /** Registers a custom saver, replacing the default JSON model file. */
  saver<F extends Saver<TModel, THyper>>(fn: F): F {
    return (this.#saver = this.#fn('saver', fn));
  }

  /** Registers a custom loader, replacing the default JSON model file. */
  loader<F extends ModelLoader<TModel>>(fn: F): F {
    return (this.#loader = this.#fn('loader', fn));
  }

  /** Validates hyperparameters against the schema (unknown keys are errors) and applies its defaults. */
  checkHyperparameters(input: unknown = {}): THyper {
    if (!this.hyperparameterSchema) {
      if (!isPlainObject(input)) throw new HyperparametersError(this.name, [`expected an object, got ${kind(input)}`], 'an object');
      return input as THyper;
    }
    const result = check(this.hyperparameterSchema, input);
    if (!result.ok) throw new HyperparametersError(this.name, result.problems, describeSchema(this.hyperparameterSchema));
    return result.value;
  }

  /** Makes a fresh model object with `init`. */
  async createModelObject(hyperparameters: THyper): Promise<TModel> {
    const init = this.#init;
    if (!init) throw new ComponentError(`model '${this.name}' has no init`, 'pass init to new Model({ init: (hp) => ... }) or register model.init(...)');
    const modelObject = isClass(init) ? new init(hyperparameters) : await init(hyperparameters);
    if (modelObject === undefined) throw new ComponentError(`the init of model '${this.name}' returned undefined`, 'return the new model object from init');
    return modelObject;
  }

  /**
   * Trains in this process: reads the data, splits and parses it, makes a model object from the hyperparameters,
   * trains it, evaluates it on each split and sets {@link Model.artifact}.
   */
  async train(
    ...[options]: NoArgs extends TReaderInput
      ? [options?: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput>]
      : [options: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput>]
  ): Promise<TrainResult<TModel, THyper>> {
    const { hyperparameters, loaderKwargs, splitterKwargs, parserKwargs, trainerKwargs, ...readerArgs } = (options ?? {}) as TrainOptions<
      unknown,
      unknown,
      Record<string, unknown>
    >;
    // Checked before reading: a typo in a hyperparameter should not cost a data load.
    this.checkHyperparameters(hyperparameters);
    this.#checkTrainerKwargs(trainerKwargs ?? {});
    this.#requireTrainer();
    const raw = await this.dataset.read(readerArgs);
    return this.trainOn(raw, { hyperparameters, loaderKwargs, splitterKwargs, parserKwargs, trainerKwargs } as TrainOnOptions<THyperInput, TTrainerKwargs>);
  }

  /**
   * Trains on data the reader has already read (what the train task does on Flyte, where the reader runs in the
   * dataset task): loads, splits and parses it, makes a model object, trains and evaluates it, and sets
   * {@link Model.artifact}.
   */
  async trainOn(raw: RawOf<S>, options: TrainOnOptions<THyperInput, TTrainerKwargs> = {}): Promise<TrainResult<TModel, THyper>> {
    const hyperparameters = this.checkHyperparameters(options.hyperparameters);
    const trainerKwargs = this.#checkTrainerKwargs(options.trainerKwargs ?? {});
    const trainer = this.#requireTrainer();
    const data = await this.dataset.getData(raw, {
      loaderKwargs: options.loaderKwargs,
      splitterKwargs: options.splitterKwargs,
      parserKwargs: options.parserKwargs,
    });
    const initial = await this.createModelObject(hyperparameters);
    const modelObject = await trainer(initial, ...(data.train as readonly unknown[]), trainerKwargs);
    if (modelObject === undefined)
      throw new ComponentError(`the trainer of model '${this.name}' returned undefined`, 'return the trained model object from the trainer');

    const metrics: Metrics = {};
    if (this.#evaluator) {
      metrics.train = await this.#evaluate(modelObject, data.train, 'train');
      if (data.test) metrics.test = await this.#evaluate(modelObject, data.test, 'test');
    }
    const evaluation = await this.#checkPredictor(modelObject, data.test ?? data.train, data.test ? 'test' : 'train');
    const artifact: ModelArtifact<TModel, THyper> = {
      modelObject,
      hyperparameters,
      metrics,
      featureSchema: data.featureSchema,
      transformerState: data.transformerState,
      evaluation,
    };
    artifact.sample = await this.#sampleOf(artifact, data.sample);
    this.#artifact = artifact;
    return { modelObject, hyperparameters, metrics };
  }

  /**
   * The sample rows and what the model predicts for them through the request path (feature loader, transformer,
   * predictor), for the model file. A failure only means no check at load: it is logged, not thrown.
   */
  async #sampleOf(artifact: ModelArtifact<TModel, THyper>, rows: Record<string, unknown>[] | undefined): Promise<ModelSample | undefined> {
    if (!rows?.length || !this.#predictor) return undefined;
    try {
      const features = await this.dataset.getFeatures(rows as RawFeaturesOf<S>, artifact);
      const predictions = predictionData(await this.#runPredictor(artifact.modelObject, features));
      encodeJsonValue(predictions, 'the sample predictions'); // refuses what a model file could not keep
      return { features: rows, predictions };
    } catch (error) {
      this.logger.warn(
        `model '${this.name}': the sample rows could not be predicted through the request path (${errorMessage(error)}); the model file will not be checked at load`,
      );
      return undefined;
    }
  }

  /**
   * Runs the predictor once on a split at the end of training, so that a predictor that breaks the prediction schema
   * fails the training, not the first request; and compares its predictions with the target, for reports.
   */
  async #checkPredictor(modelObject: TModel, parsed: ParsedOf<S>, split: 'train' | 'test'): Promise<Evaluation | undefined> {
    if (!this.#predictor) return undefined;
    const args = parsed as readonly unknown[];
    const prediction = await this.#runPredictor(modelObject, args[this.dataset.featureKey] as FeaturesOf<S>, split);
    const target = args.length === 2 ? args[1 - this.dataset.featureKey] : undefined;
    return target === undefined ? undefined : evaluatePredictions(target, prediction, split, this.#task);
  }

  #requireTrainer(): (m: TModel, ...args: unknown[]) => MaybePromise<TModel> {
    const trainer = this.#trainer as ((m: TModel, ...args: unknown[]) => MaybePromise<TModel>) | undefined;
    if (!trainer) throw new ComponentError(`model '${this.name}' has no trainer`, 'register one: model.trainer((modelObject, features, target) => ...)');
    return trainer;
  }

  /**
   * Schedules training on Flyte: a launch plan named `name` that runs `{model}.train` on a cron `expression` or a
   * `fixedRate`, with these inputs. Deployed with the app (issue-level: compiled into the bundle by `package`).
   */
  scheduleTraining(name: string, options: ScheduleOptions & TrainOptions<THyperInput, TTrainerKwargs, Partial<TReaderInput>>): this {
    this.#addSchedule('training', name, options);
    return this;
  }

  /**
   * Schedules batch prediction on Flyte: a launch plan named `name` that runs `{model}.predict` with the reader's
   * arguments and a model file already in Flyte's storage (`modelUri`, e.g. an `s3://` uri).
   */
  schedulePrediction(name: string, options: ScheduleOptions & { modelUri?: string } & Partial<TReaderInput>): this {
    this.#addSchedule('prediction', name, options);
    return this;
  }

  /** The declared schedules, in the order they were added. */
  get schedules(): readonly ModelSchedule[] {
    return this.#schedules;
  }

  #addSchedule(kind: ModelSchedule['kind'], name: string, options: ScheduleOptions & Record<string, unknown>): void {
    const { expression, fixedRate, offset, readerTimeArg, activateOnDeploy = true, ...inputs } = options ?? {};
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw new ScheduleError(`a schedule name must be a non-empty string of letters, digits, '_', '-' or '.', got ${JSON.stringify(name)}`);
    }
    if (expression !== undefined && fixedRate !== undefined) throw new ScheduleError("You must specify exactly one of 'expression' or 'fixedRate', not both.");
    if (expression === undefined && fixedRate === undefined) throw new ScheduleError("You must specify exactly one of 'expression' or 'fixedRate'.");
    if (fixedRate !== undefined && !(Number.isInteger(fixedRate.value) && fixedRate.value > 0 && ['minute', 'hour', 'day'].includes(fixedRate.unit))) {
      throw new ScheduleError(`fixedRate must be { value: a positive integer, unit: 'minute' | 'hour' | 'day' }, got ${JSON.stringify(fixedRate)}`);
    }
    const existing = this.#schedules.filter((s) => s.kind === kind).map((s) => s.name);
    if (existing.includes(name) || name === this.trainWorkflowName || name === this.predictWorkflowName) {
      throw new ScheduleError(`Scheduled job ${name} must have a unique name. Existing schedules: [${existing.join(', ')}]`);
    }
    this.#schedules.push({ kind, name, expression, fixedRate, offset, readerTimeArg, activateOnDeploy, inputs });
  }

  /**
   * Predicts with the current artifact: from `{ features }` (feature loader → transformer → predictor), or from
   * the reader's arguments (reader → loader → parser → transformer → predictor). Callbacks run after it.
   */
  async predict(input: PredictInput<RawFeaturesOf<S>, TReaderInput>, options: PredictOptions = {}): Promise<TPrediction> {
    if (input === undefined || input === null || typeof input !== 'object') {
      throw new PredictInputError(
        'predict needs features or reader arguments',
        'call model.predict({ features: [...] }) or model.predict({ inputs: { ...readerArgs } })',
      );
    }
    const artifact = this.#artifact;
    if (!artifact) throw new ModelNotTrainedError(this.name, 'predict');
    let features: FeaturesOf<S>;
    if ('features' in input && input.features !== undefined) {
      // Synchronous for the default feature loader without a transformer: no promise per request on the way.
      const loaded = this.dataset.loadFeatures(input.features, artifact);
      features = loaded instanceof Promise ? await loaded : loaded;
    } else {
      const args = 'inputs' in input && input.inputs !== undefined ? input.inputs : input;
      if (!isPlainObject(args))
        throw new ArgumentsError(`reader arguments for model '${this.name}'`, [`expected an object, got ${kind(args)}`], 'an object of reader arguments');
      features = await this.dataset.getFeaturesFromReader(args, artifact);
    }
    return this.#predictLoaded(artifact.modelObject, features, options);
  }

  /** Runs the predictor and the callbacks on features that are already loaded and transformed. */
  async predictFromFeatures(modelObject: TModel, features: FeaturesOf<S>, options: PredictOptions = {}): Promise<TPrediction> {
    return this.#predictLoaded(modelObject, features, options);
  }

  /**
   * The predictor, the check of what it returns and the callbacks: synchronous when the predictor is and there are no
   * callbacks (the callers are async functions, which turn a throw into a rejection).
   */
  #predictLoaded(modelObject: TModel, features: FeaturesOf<S>, options: PredictOptions): TPrediction | Promise<TPrediction> {
    const result = this.#runPredictor(modelObject, features);
    if (this.#callbacks.length === 0) return result;
    return (async () => {
      const prediction = await result;
      for (const [i, callback] of this.#callbacks.entries()) {
        try {
          await callback(modelObject, features, prediction);
        } catch (error) {
          (options.logger ?? this.logger).error(`error in post-prediction callback[${callback.name || i}]: ${errorMessage(error)}`);
        }
      }
      return prediction;
    })();
  }

  /**
   * Runs the predictor and checks what it returns against the prediction schema (the parsed value is returned).
   * @param split the split of the check at the end of training, named in the messages; none for predictions
   */
  #runPredictor(modelObject: TModel, features: FeaturesOf<S>, split?: 'train' | 'test'): TPrediction | Promise<TPrediction> {
    const predictor = this.#predictor as Predictor<TModel, FeaturesOf<S>, TPrediction> | undefined;
    if (!predictor) throw new ComponentError(`model '${this.name}' has no predictor`, 'register one: model.predictor((modelObject, features) => ...)');
    const prediction = predictor(modelObject, features);
    // A predictor that returns a promise (or any thenable) is awaited; a synchronous one is checked at once.
    if (isThenable(prediction)) return Promise.resolve(prediction).then((p) => this.#checkPrediction(p, split));
    return this.#checkPrediction(prediction, split);
  }

  /** Checks what the predictor returned against the prediction schema; returns the parsed value. */
  #checkPrediction(prediction: TPrediction, split: 'train' | 'test' | undefined): TPrediction {
    if (prediction === undefined) {
      const where = split ? ` (on the ${split} split, after training)` : '';
      throw new ComponentError(`the predictor of model '${this.name}' returned undefined${where}`, 'return the predictions from the predictor');
    }
    if (!this.predictionSchema) return prediction;
    const result = check(this.predictionSchema, prediction);
    if (!result.ok) {
      const where = split ? ` (checked on the ${split} split after training)` : '';
      throw new PredictionError(this.name, result.problems, `${describeSchema(this.predictionSchema)}${where}`);
    }
    return result.value;
  }

  /**
   * Saves the current artifact to `file`, atomically (a temporary file renamed into place), as a model file: UnionML's
   * envelope (feature columns, metrics, hyperparameters, the fitted transformer's state, versions) around the model
   * object. The default saver stores objects with `toJSON()` (rebuilt by a static `fromJSON` or `load`),
   * TensorFlow.js LayersModels and plain JSON data; a {@link Model.saver} stores anything else.
   * @returns the absolute path written
   */
  async save(file: string): Promise<string> {
    const artifact = this.#artifact;
    if (!artifact) throw new ModelNotTrainedError(this.name, 'be saved');
    const target = resolve(file);
    // A folder, a device, a FIFO... is refused before the model object is encoded (which may take a while).
    const { problem } = await inspectOutputFile(target);
    if (problem) {
      throw new ModelFileError('MODEL_FILE_WRITE', target, `cannot write the model file ${target}: ${problem.text}`, { hint: problem.hint });
    }
    const modelFile = await this.#toModelFile(artifact, basename(target));
    // bigints (z.bigint() hyperparameters): numbers within 2^53, decimal strings beyond; load revives them.
    const { text, integrity } = modelFileText(modelFile);
    try {
      await writeFileAtomic(target, text);
    } catch (error) {
      const why = error instanceof OutputPathError ? error.problem : errorMessage(error);
      throw new ModelFileError('MODEL_FILE_WRITE', target, `cannot write the model file ${target}: ${why}`, {
        cause: error,
        hint: error instanceof OutputPathError ? (error.hint ?? 'choose another path') : 'check that the folder exists and is writable',
      });
    }
    this.#artifact = { ...artifact, savedAt: modelFile.savedAt, contentHash: integrity };
    return target;
  }

  /**
   * Loads a model file and sets {@link Model.artifact}: the envelope is checked first (format, model name), then the
   * model object is rebuilt by the default loader or the {@link Model.loader}. A missing, corrupt or foreign file
   * gives a {@link ModelFileError} that names it. Files of a custom saver from before the envelope still load
   * (without the feature columns and metrics, which they never held).
   * @returns the model object
   */
  async load(file: string, options: LoadOptions = {}): Promise<TModel> {
    const verify = options.verify !== false;
    const sampleCheck = options.verify === 'integrity' ? 'warn' : verify ? 'refuse' : 'skip';
    const target = resolve(file);
    const info = await stat(target).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      if (info.code === 'ENOENT' || info.code === 'ENOTDIR')
        throw new ModelFileError('MODEL_FILE_NOT_FOUND', target, `model file not found: ${target}`, {
          hint: 'train and save one first: unionml train APP:MODEL --local -o FILE',
        });
      const why = info.code === 'ELOOP' ? 'its symlinks form a loop' : info.code === 'EACCES' ? 'permission denied' : errorMessage(info);
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot read the model file ${target}: ${why}`, {
        cause: info,
        hint: info.code === 'ELOOP' ? 'point the symlink at the model file' : 'check the path and its permissions',
      });
    }
    if (info.isDirectory()) {
      if (!this.#loader)
        throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot read the model file ${target}: it is a folder`, {
          hint: 'pass the model file (e.g. model.json), not its folder',
        });
    }
    if (this.#loader && !(info.isFile() && (await looksLikeEnvelope(target).catch(() => false)))) {
      const modelObject = await this.#runLoader(target, target);
      this.logger.warn(
        `${target} was written by a custom saver without UnionML's envelope (an earlier version): it holds no feature columns or metrics, so requests are not checked against the training columns; save it again to upgrade it`,
      );
      this.#artifact = { modelObject };
      return modelObject;
    }
    const modelFile = await this.#readModelFile(target, verify);
    const revived =
      this.hyperparameterSchema && modelFile.hyperparameters !== undefined ? check(this.hyperparameterSchema, modelFile.hyperparameters) : undefined;
    if (revived && !revived.ok) {
      // Never handed to init as they are (its own validation would speak instead, in its own words).
      throw new ModelFileError(
        'MODEL_FILE_MISMATCH',
        target,
        `the hyperparameters in ${target} do not fit the hyperparameter schema of model '${this.name}':\n${revived.problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${describeSchema(this.hyperparameterSchema!)}`,
        { hint: 'the file was saved by another version of the app: load it with that version, or train and save the model again' },
      );
    }
    const hyperparameters = (revived?.ok ? revived.value : modelFile.hyperparameters) as THyper | undefined;
    const modelObject = await this.#fromModelFile({ ...modelFile, hyperparameters }, target);
    const artifact: ModelArtifact<TModel, THyper> = {
      modelObject,
      hyperparameters,
      metrics: normalizeMetrics(modelFile.metrics, this.metricName),
      featureSchema: modelFile.featureSchema,
      transformerState: modelFile.transformerState,
      evaluation: modelFile.evaluation,
      savedAt: modelFile.savedAt,
      contentHash: modelFile.integrity,
      sample: modelFile.sample,
      loadedFrom: { path: target, at: new Date().toISOString() },
    };
    if (sampleCheck !== 'skip' && modelFile.sample) {
      try {
        await this.#checkSample(artifact, target);
      } catch (error) {
        if (sampleCheck === 'refuse') throw error;
        this.logger.warn(errorMessage(error));
      }
    }
    this.#artifact = artifact;
    return modelObject;
  }

  /** Predicts the model file's sample rows again: a failure or another answer is `MODEL_CHECK_FAILED`. */
  async #checkSample(artifact: ModelArtifact<TModel, THyper>, target: string): Promise<void> {
    const sample = artifact.sample!;
    const failed = (why: string, cause?: unknown) =>
      new ModelFileError(
        'MODEL_CHECK_FAILED',
        target,
        `the model in ${target} fails its check at load: ${why}. The file is damaged, or the app's predictor, feature transformer or libraries changed since it was trained`,
        { cause, hint: 'train and save the model again with the current app, or run the app version that trained it' },
      );
    let prediction: unknown;
    try {
      const features = await this.dataset.getFeatures(sample.features as RawFeaturesOf<S>, artifact);
      prediction = await this.#runPredictor(artifact.modelObject, features);
    } catch (error) {
      throw failed(`predicting the ${sample.features.length} sample rows it keeps failed: ${errorMessage(error)}`, error);
    }
    const difference = predictionDifference(sample.predictions, prediction);
    if (difference) throw failed(`for the ${sample.features.length} sample rows it keeps, the model now predicts ${difference}`);
  }

  /** Loads the model file named by an environment variable (default `UNIONML_MODEL_PATH`). */
  async loadFromEnv(variable = 'UNIONML_MODEL_PATH'): Promise<TModel> {
    const path = process.env[variable];
    if (!path) {
      throw new ModelFileError(
        'MODEL_PATH_NOT_SET',
        undefined,
        `model artifact path not specified: pass --model-path or set the ${variable} environment variable`,
        {
          hint: 'train and save a model first (unionml train APP:MODEL --local -o model.json), then serve it with --model-path model.json',
        },
      );
    }
    return this.load(path);
  }

  async #evaluate(modelObject: TModel, parsed: ParsedOf<S>, split: 'train' | 'test'): Promise<MetricValues> {
    const value = await (this.#evaluator as (m: TModel, ...args: unknown[]) => MaybePromise<unknown>)(modelObject, ...(parsed as readonly unknown[]));
    if (typeof value === 'number') return { [this.metricName]: value };
    const expected = 'return one number (e.g. the accuracy) or named numbers, e.g. { f1: 0.91, auc: 0.97 }';
    if (!isPlainObject(value) || Object.keys(value).length === 0) {
      throw new ComponentError(`the evaluator of model '${this.name}' returned ${kind(value)} on the ${split} split`, expected);
    }
    for (const [name, v] of Object.entries(value)) {
      if (typeof v !== 'number')
        throw new ComponentError(`the evaluator of model '${this.name}' returned ${kind(v)} for metric '${name}' on the ${split} split`, expected);
    }
    return { ...(value as MetricValues) };
  }

  #checkTrainerKwargs(input: unknown): TTrainerKwargs {
    if (!this.trainerKwargsSchema) {
      if (!isPlainObject(input))
        throw new ArgumentsError(`trainer arguments for model '${this.name}'`, [`expected an object, got ${kind(input)}`], 'an object');
      return input as TTrainerKwargs;
    }
    const result = check(this.trainerKwargsSchema, input);
    if (!result.ok) throw new ArgumentsError(`trainer arguments for model '${this.name}'`, result.problems, describeSchema(this.trainerKwargsSchema));
    return result.value;
  }

  async #toModelFile(artifact: ModelArtifact<TModel, THyper>, payloadName: string): Promise<ModelFile> {
    let tagged = false;
    const encode = (value: unknown, what: string): unknown => {
      if (value === undefined) return undefined;
      const encoded = encodeJsonValue(value, what);
      tagged ||= encoded.tagged;
      return encoded.value;
    };
    const modelObject = await this.#encodeModelObject(artifact, payloadName, encode);
    return {
      format: MODEL_FILE_FORMAT,
      formatVersion: MODEL_FILE_VERSION,
      model: this.name,
      savedAt: new Date().toISOString(),
      unionml: VERSION,
      hyperparameters: artifact.hyperparameters,
      metrics: encode(artifact.metrics, 'the metrics') as Metrics | undefined,
      featureSchema: artifact.featureSchema,
      transformerState: encode(artifact.transformerState, "the fitted feature transformer's state"),
      evaluation: artifact.evaluation,
      sample: encode(artifact.sample, 'the sample rows') as ModelSample | undefined,
      ...(tagged ? { tagged } : {}),
      modelObject,
    };
  }

  async #encodeModelObject(
    artifact: ModelArtifact<TModel, THyper>,
    payloadName: string,
    encode: (value: unknown, what: string) => unknown,
  ): Promise<ModelObjectEntry> {
    const object = artifact.modelObject as unknown;
    if (this.#saver) {
      const saver = this.#saver;
      return withTempDir('unionml-save-', async (dir) => {
        const path = join(dir, payloadName);
        try {
          await saver(artifact.modelObject, artifact.hyperparameters, path);
        } catch (error) {
          if (isUnionMLError(error)) throw error;
          throw new ModelFileError('MODEL_FILE_WRITE', undefined, `the saver of model '${this.name}' failed: ${errorMessage(error)}`, {
            cause: error,
            hint: 'fix the saver registered with model.saver(...)',
          });
        }
        return { encoding: 'custom', payload: await readPayload(path, payloadName, `the saver of model '${this.name}'`) };
      });
    }
    if (isLayersModel(object)) return { encoding: 'tfjs-layers', artifacts: await saveLayersModel(object) };
    const ways = (cls: string) =>
      `give ${cls} a static fromJSON(json) (or load(json)) that rebuilds it and list it in new Model({ modelClasses: [${cls}] }), or register model.saver(...) and model.loader(...)`;
    if (object !== null && typeof object === 'object' && typeof (object as { toJSON?: unknown }).toJSON === 'function' && !ArrayBuffer.isView(object)) {
      const cls = (object as { constructor?: ClassLike }).constructor;
      const className = cls?.name || undefined;
      const found = await this.#modelClass(className, artifact.hyperparameters as THyper);
      if (!found || found.name !== className) {
        const why =
          !cls || !rebuildMethod(cls)
            ? 'has no static fromJSON(json) or load(json) to rebuild it'
            : 'is not init, not made by init, and not listed in modelClasses';
        throw new SerializationError(
          `the default saver cannot save the model object of model '${this.name}': its class ${className ?? '(anonymous)'} has toJSON() but ${why}, so the model file could not be loaded`,
          ways(className ?? 'the class'),
        );
      }
      const value = encode(object, 'the model object');
      return { encoding: 'toJSON', className, rebuild: rebuildMethod(found), value };
    }
    if (object === null || typeof object !== 'object' || Array.isArray(object) || isPlainObject(object)) {
      return { encoding: 'json', value: encode(object, 'the model object') };
    }
    const type = describeType(object);
    throw new SerializationError(
      `the default saver cannot save the model object of model '${this.name}': a ${type} has no toJSON() and is not plain JSON data`,
      `add toJSON() to ${type} and ${ways(type).replace(/^give /, 'give it ')}`,
    );
  }

  async #readModelFile(target: string, verify: boolean): Promise<ModelFile> {
    let text: string;
    try {
      text = await readFile(target, 'utf8');
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot read the model file ${target}: ${errorMessage(error)}`, { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `${target} is not a valid model file: its JSON is truncated or corrupt (${errorMessage(error)})`, {
        cause: error,
        hint: 'train and save the model again',
      });
    }
    if (!isPlainObject(value) || value['format'] !== MODEL_FILE_FORMAT) {
      throw new ModelFileError('MODEL_FILE_FOREIGN', target, `${target} is not a UnionML model file (it has no "format": "${MODEL_FILE_FORMAT}" header)`, {
        hint: 'pass a file written by model.save() or unionml train -o, or register model.loader(...) for other formats',
      });
    }
    if (value['formatVersion'] !== 1 && value['formatVersion'] !== MODEL_FILE_VERSION) {
      throw new ModelFileError(
        'MODEL_FILE_FOREIGN',
        target,
        `${target} has model file format version ${String(value['formatVersion'])}, which this version of UnionML (${VERSION}) cannot read`,
        { hint: 'upgrade @unionml/core' },
      );
    }
    if (value['model'] !== this.name) {
      throw new ModelFileError('MODEL_FILE_MISMATCH', target, `${target} holds model '${String(value['model'])}', not '${this.name}'`, {
        hint: 'pass the file saved for this model',
      });
    }
    const corrupt = (what: string) =>
      new ModelFileError('MODEL_FILE_CORRUPT', target, `${target} is not a valid model file: ${what}`, { hint: 'train and save the model again' });
    const integrity = verify ? integrityProblem(value) : undefined;
    if (integrity === 'malformed') throw corrupt('its "integrity" field is not sha256:<64 hex digits>');
    if (integrity) {
      throw new ModelFileError(
        'MODEL_FILE_INTEGRITY',
        target,
        `${target} was changed or damaged after it was saved: its content hash is ${integrity.actual}, the file says ${integrity.stored}`,
        { hint: 'train and save the model again, or restore the file from where it was published' },
      );
    }
    const modelObject = value['modelObject'];
    if (!isPlainObject(modelObject) || !ENCODINGS.has(modelObject['encoding'] as string)) throw corrupt('its modelObject entry is missing or malformed');
    const encoding = modelObject['encoding'];
    if ((encoding === 'json' || encoding === 'toJSON') && !('value' in modelObject)) throw corrupt('its modelObject entry has no value');
    if (encoding === 'tfjs-layers' && !(isPlainObject(modelObject['artifacts']) && typeof modelObject['artifacts']['weightData'] === 'string'))
      throw corrupt('its TensorFlow.js artifacts are missing or malformed');
    if (encoding === 'custom' && !isPlainObject(modelObject['payload'])) throw corrupt('its custom payload is missing');
    const schema = value['featureSchema'];
    if (
      schema !== undefined &&
      !(Array.isArray(schema) && schema.every((c) => isPlainObject(c) && typeof c['name'] === 'string' && typeof c['type'] === 'string'))
    )
      throw corrupt('its featureSchema is not a list of { name, type } columns');
    if (value['tagged'] === true) {
      if ('value' in modelObject) modelObject['value'] = decodeJsonValue(modelObject['value']);
      value['metrics'] = decodeJsonValue(value['metrics']);
      if (value['transformerState'] !== undefined) value['transformerState'] = decodeJsonValue(value['transformerState']);
      if (value['sample'] !== undefined) value['sample'] = decodeJsonValue(value['sample']);
    }
    const sample = value['sample'];
    if (
      sample !== undefined &&
      !(isPlainObject(sample) && Array.isArray(sample['features']) && sample['features'].every(isPlainObject) && 'predictions' in sample)
    )
      throw corrupt('its sample is not { features: [rows], predictions }');
    if (this.dataset.hasFittedTransformer && value['transformerState'] === undefined) {
      this.logger.warn(
        `${target} has no state for the fitted feature transformer of dataset '${this.dataset.name}': predictions will fail until the model is trained again`,
      );
    }
    return value as unknown as ModelFile;
  }

  async #fromModelFile(file: ModelFile, target: string): Promise<TModel> {
    const entry = file.modelObject;
    switch (entry.encoding) {
      case 'json':
        return entry.value as TModel;
      case 'custom': {
        if (!this.#loader) {
          throw new SerializationError(
            `${target} holds a model object written by a custom saver, and model '${this.name}' has no loader to read it`,
            'register the loader that matches the saver: model.loader((file) => ...)',
          );
        }
        return withTempDir('unionml-load-', async (dir) => {
          let path: string;
          try {
            path = await writePayload(entry.payload, dir);
          } catch (error) {
            throw new ModelFileError('MODEL_FILE_CORRUPT', target, `${target} is not a valid model file: ${errorMessage(error)}`, {
              cause: error,
              hint: 'train and save the model again',
            });
          }
          return this.#runLoader(path, target);
        });
      }
      case 'tfjs-layers':
        try {
          return (await loadLayersModel(entry.artifacts)) as TModel;
        } catch (error) {
          if (isUnionMLError(error)) throw error;
          throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot rebuild the TensorFlow.js model of ${target}: ${errorMessage(error)}`, {
            cause: error,
            hint: 'train and save the model again',
          });
        }
      case 'toJSON':
        break;
    }
    const { className, value } = entry;
    const cls = await this.#modelClass(className, file.hyperparameters as THyper);
    const method = cls && (entry.rebuild && typeof cls[entry.rebuild] === 'function' ? entry.rebuild : rebuildMethod(cls));
    if (!cls || !method) {
      throw new SerializationError(
        `cannot rebuild the model object of ${target}: no static fromJSON(json) or load(json) was found for class ${className ?? '(unknown)'}`,
        'give the class a static fromJSON(json) and use it as init, list it in new Model({ modelClasses: [Class] }), or register model.loader(...)',
      );
    }
    try {
      return (await cls[method]!(value as never)) as TModel;
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot rebuild the model object from ${target}: ${errorMessage(error)}`, {
        cause: error,
        hint: 'train and save the model again',
      });
    }
  }

  async #runLoader(path: string, target: string): Promise<TModel> {
    let modelObject: TModel;
    try {
      modelObject = await this.#loader!(path);
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot load the model file ${target}: ${errorMessage(error)}`, { cause: error });
    }
    if (modelObject === undefined) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `the loader of model '${this.name}' returned undefined for ${target}`, {
        hint: 'return the model object from the loader',
      });
    }
    return modelObject;
  }

  readonly #classCache = new Map<string, ClassLike | null>();

  async #modelClass(className: string | undefined, hyperparameters: THyper): Promise<ClassLike | undefined> {
    const init = this.#init as unknown as ClassLike | undefined;
    if (init && isClass(init) && rebuildMethod(init) && (className === undefined || init.name === className)) return init;
    const registered = className ? this.#modelClasses.get(className) : undefined;
    if (registered) return registered;
    if (this.#init && !isClass(this.#init)) {
      // An init function: make a throw-away instance to find its class's static fromJSON or load (once per class name).
      const key = className ?? '';
      if (!this.#classCache.has(key)) {
        const instance = (await this.createModelObject(hyperparameters ?? ({} as THyper))) as { constructor?: ClassLike } | null;
        const cls = instance?.constructor;
        this.#classCache.set(key, cls && rebuildMethod(cls) ? cls : null);
      }
      const cls = this.#classCache.get(key);
      if (cls && (className === undefined || cls.name === className)) return cls;
    }
    return undefined;
  }

  #fn<F>(what: string, fn: F): F {
    if (typeof fn !== 'function') throw new ComponentError(`model.${what}(...) of model '${this.name}' expects a function, got ${kind(fn)}`);
    return fn;
  }
}

/** A Model of any types, as the CLI and server handle them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an existential: Model is invariant in its type parameters, so only any accepts every Model
export type AnyModel = Model<any, any, any, any, any, any, any, any>;

/** A promise, or anything with a `then` method, as `await` takes it. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function isClass(fn: unknown): fn is new (...args: never[]) => unknown {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

const ENCODINGS = new Set(['json', 'toJSON', 'tfjs-layers', 'custom']);

/** The static method that rebuilds instances of a class from their toJSON(): `fromJSON`, else `load` (mljs). */
function rebuildMethod(cls: ClassLike): 'fromJSON' | 'load' | undefined {
  if (typeof cls.fromJSON === 'function') return 'fromJSON';
  if (typeof cls.load === 'function') return 'load';
  return undefined;
}

function describeType(value: unknown): string {
  if (value !== null && typeof value === 'object') return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return kind(value);
}
