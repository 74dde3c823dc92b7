import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ColumnSchema } from '@unionml/data';
import { errorMessage } from '@unionml/errors';
import type { z } from 'zod';
import { Dataset, taskOptions } from './dataset.js';
import {
  ArgumentsError,
  ComponentError,
  HyperparametersError,
  ModelFileError,
  ModelNotTrainedError,
  PredictInputError,
  PredictionError,
  ScheduleError,
  SerializationError,
} from './errors.js';
import { replaceAtomic, writeFileAtomic } from './files.js';
import { stderrLogger, type Logger } from './log.js';
import { check, describeSchema, isPlainObject, kind, type Schema } from './schema.js';
import type {
  DatasetSpec,
  FeaturesOf,
  MaybePromise,
  Metrics,
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
/** Scores a model object on a split (`features, target` for tables). */
export type Evaluator<TModel, TParsed extends readonly unknown[]> = (modelObject: TModel, ...args: TParsed) => MaybePromise<number>;
/** Called after every prediction; its errors are logged, never thrown. */
export type PredictionCallback<TModel, TFeatures, TPrediction> = (modelObject: TModel, features: TFeatures, prediction: TPrediction) => MaybePromise<void>;
/** Writes a model object to `file` (a temporary path that UnionML renames into place). */
export type Saver<TModel, THyper> = (modelObject: TModel, hyperparameters: THyper | undefined, file: string) => MaybePromise<void>;
/** Reads a model object from `file`. */
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
   * Classes with a static `fromJSON(json)` that the default loader may rebuild model objects as (by class name).
   * A class given as `init` needs no listing.
   */
  modelClasses?: readonly ModelClass[];
  /** Where the model logs (e.g. errors of post-prediction callbacks). Default {@link stderrLogger}. */
  logger?: Logger;
}

/** A class whose instances the default saver writes with `toJSON()` and the default loader rebuilds with `fromJSON(json)`. */
export type ModelClass = (abstract new (...args: never[]) => unknown) & { fromJSON(json: never): unknown };

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

/** The model file format written by the default saver. */
export interface ModelFile {
  format: typeof MODEL_FILE_FORMAT;
  formatVersion: 1;
  model: string;
  savedAt: string;
  unionml: string;
  hyperparameters?: unknown;
  metrics?: Metrics;
  featureSchema?: ColumnSchema[];
  modelObject: { encoding: 'json' | 'toJSON'; className?: string; value: unknown };
}

export const MODEL_FILE_FORMAT = 'unionml.model';

type AnyFn = (...args: never[]) => unknown;
type ClassLike = { fromJSON?: (json: never) => unknown; name?: string };

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
    for (const cls of options.modelClasses ?? []) {
      if (typeof cls !== 'function' || typeof (cls as ClassLike).fromJSON !== 'function') {
        throw new ComponentError(
          `new Model({ modelClasses }) of model '${this.name}': ${(typeof cls === 'function' && cls.name) || describeType(cls)} has no static fromJSON(json) method`,
          'list classes with a static fromJSON(json)',
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

  /** Registers the evaluator: `(modelObject, features, target) => number`, run on each split after training. */
  evaluator<F extends Evaluator<TModel, ParsedOf<S>>>(fn: F): F {
    return (this.#evaluator = this.#fn('evaluator', fn));
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
      metrics.train = await this.#evaluate(modelObject, data.train);
      if (data.test) metrics.test = await this.#evaluate(modelObject, data.test);
    }
    this.#artifact = { modelObject, hyperparameters, metrics, featureSchema: data.featureSchema };
    return { modelObject, hyperparameters, metrics };
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
      features = await this.dataset.getFeatures(input.features, { featureSchema: artifact.featureSchema });
    } else {
      const args = 'inputs' in input && input.inputs !== undefined ? input.inputs : input;
      if (!isPlainObject(args))
        throw new ArgumentsError(`reader arguments for model '${this.name}'`, [`expected an object, got ${kind(args)}`], 'an object of reader arguments');
      features = await this.dataset.getFeaturesFromReader(args);
    }
    return this.predictFromFeatures(artifact.modelObject, features, options);
  }

  /** Runs the predictor and the callbacks on features that are already loaded and transformed. */
  async predictFromFeatures(modelObject: TModel, features: FeaturesOf<S>, options: PredictOptions = {}): Promise<TPrediction> {
    const predictor = this.#predictor as Predictor<TModel, FeaturesOf<S>, TPrediction> | undefined;
    if (!predictor) throw new ComponentError(`model '${this.name}' has no predictor`, 'register one: model.predictor((modelObject, features) => ...)');
    let prediction: TPrediction = await predictor(modelObject, features);
    if (prediction === undefined)
      throw new ComponentError(`the predictor of model '${this.name}' returned undefined`, 'return the predictions from the predictor');
    if (this.predictionSchema) {
      const result = check(this.predictionSchema, prediction);
      if (!result.ok) throw new PredictionError(this.name, result.problems, describeSchema(this.predictionSchema));
      prediction = result.value;
    }
    for (const [i, callback] of this.#callbacks.entries()) {
      try {
        await callback(modelObject, features, prediction);
      } catch (error) {
        (options.logger ?? this.logger).error(`error in post-prediction callback[${callback.name || i}]: ${errorMessage(error)}`);
      }
    }
    return prediction;
  }

  /**
   * Saves the current artifact to `file`, atomically (a temporary file renamed into place). The default format is
   * a JSON model file for model objects with `toJSON()` or plain JSON data; register {@link Model.saver} for others.
   * @returns the absolute path written
   */
  async save(file: string): Promise<string> {
    const artifact = this.#artifact;
    if (!artifact) throw new ModelNotTrainedError(this.name, 'be saved');
    const target = resolve(file);
    try {
      if (this.#saver) {
        const saver = this.#saver;
        await replaceAtomic(target, (tmp) => Promise.resolve(saver(artifact.modelObject, artifact.hyperparameters, tmp)));
        return target;
      }
      // bigints (z.bigint() hyperparameters): numbers within 2^53, decimal strings beyond; load revives them.
      await writeFileAtomic(
        target,
        `${JSON.stringify(this.#toModelFile(artifact), (_key, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v))}\n`,
      );
      return target;
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      throw new ModelFileError('MODEL_FILE_WRITE', target, `cannot write the model file ${target}: ${errorMessage(error)}`, {
        cause: error,
        hint: 'check that the folder exists and is writable',
      });
    }
  }

  /**
   * Loads a model object from `file` and sets {@link Model.artifact}. A missing, corrupt or foreign file gives a
   * {@link ModelFileError} that names it.
   * @returns the model object
   */
  async load(file: string): Promise<TModel> {
    const target = resolve(file);
    const info = await stat(target).catch(() => undefined);
    if (!info)
      throw new ModelFileError('MODEL_FILE_NOT_FOUND', target, `model file not found: ${target}`, {
        hint: 'train and save one first: unionml train APP:MODEL --local -o FILE',
      });
    if (this.#loader) {
      let modelObject: TModel;
      try {
        modelObject = await this.#loader(target);
      } catch (error) {
        throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot load the model file ${target}: ${errorMessage(error)}`, { cause: error });
      }
      this.#artifact = { modelObject };
      return modelObject;
    }
    const modelFile = await this.#readModelFile(target);
    const revived =
      this.hyperparameterSchema && modelFile.hyperparameters !== undefined ? check(this.hyperparameterSchema, modelFile.hyperparameters) : undefined;
    const hyperparameters = (revived?.ok ? revived.value : modelFile.hyperparameters) as THyper | undefined;
    const modelObject = await this.#fromModelFile({ ...modelFile, hyperparameters }, target);
    this.#artifact = { modelObject, hyperparameters, metrics: modelFile.metrics, featureSchema: modelFile.featureSchema };
    return modelObject;
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

  async #evaluate(modelObject: TModel, parsed: ParsedOf<S>): Promise<number> {
    const value = await (this.#evaluator as (m: TModel, ...args: unknown[]) => MaybePromise<unknown>)(modelObject, ...(parsed as readonly unknown[]));
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new ComponentError(`the evaluator of model '${this.name}' must return a number, got ${kind(value)}`, 'return one score, e.g. the accuracy');
    }
    return value;
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

  #toModelFile(artifact: ModelArtifact<TModel, THyper>): ModelFile {
    const object = artifact.modelObject as { toJSON?: () => unknown; constructor?: { name?: string } } | null;
    let modelObject: ModelFile['modelObject'];
    if (object !== null && typeof object === 'object' && typeof object.toJSON === 'function') {
      modelObject = { encoding: 'toJSON', className: object.constructor?.name, value: object.toJSON() };
    } else if (isJsonData(object)) {
      modelObject = { encoding: 'json', value: object };
    } else {
      throw new SerializationError(
        `the default saver cannot save a model object of type ${describeType(object)}: it needs a toJSON() method or plain JSON data`,
        'add toJSON() and a static fromJSON(json) to the model class, or register model.saver(...) and model.loader(...)',
      );
    }
    assertFinite(modelObject.value);
    const file: ModelFile = {
      format: MODEL_FILE_FORMAT,
      formatVersion: 1,
      model: this.name,
      savedAt: new Date().toISOString(),
      unionml: VERSION,
      hyperparameters: artifact.hyperparameters,
      metrics: artifact.metrics,
      featureSchema: artifact.featureSchema,
      modelObject,
    };
    return file;
  }

  async #readModelFile(target: string): Promise<ModelFile> {
    let text: string;
    try {
      text = await readFile(target, 'utf8');
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot read the model file ${target}: ${errorMessage(error)}`, { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
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
    if (value['formatVersion'] !== 1) {
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
    const modelObject = value['modelObject'];
    if (!isPlainObject(modelObject) || !('value' in modelObject) || (modelObject['encoding'] !== 'json' && modelObject['encoding'] !== 'toJSON')) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `${target} is not a valid model file: its modelObject entry is missing or malformed`, {
        hint: 'train and save the model again',
      });
    }
    return value as unknown as ModelFile;
  }

  async #fromModelFile(file: ModelFile, target: string): Promise<TModel> {
    const { encoding, className, value } = file.modelObject;
    if (encoding === 'json') return value as TModel;
    const cls = await this.#modelClass(className, file.hyperparameters as THyper);
    if (!cls) {
      throw new SerializationError(
        `cannot rebuild the model object of ${target}: no static fromJSON(json) was found for class ${className ?? '(unknown)'}`,
        'give the class a static fromJSON(json) and use it as init, list it in new Model({ modelClasses: [Class] }), or register model.loader(...)',
      );
    }
    try {
      return (await cls.fromJSON!(value as never)) as TModel;
    } catch (error) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', target, `cannot rebuild the model object from ${target}: ${errorMessage(error)}`, {
        cause: error,
        hint: 'train and save the model again',
      });
    }
  }

  async #modelClass(className: string | undefined, hyperparameters: THyper): Promise<ClassLike | undefined> {
    const init = this.#init as unknown as ClassLike | undefined;
    if (init && isClass(init) && typeof init.fromJSON === 'function') return init;
    const registered = className ? this.#modelClasses.get(className) : undefined;
    if (registered) return registered;
    if (this.#init && !isClass(this.#init)) {
      // An init function: make a throw-away instance to find its class's static fromJSON.
      const instance = (await this.createModelObject(hyperparameters ?? ({} as THyper))) as { constructor?: ClassLike } | null;
      const cls = instance?.constructor;
      if (cls && typeof cls.fromJSON === 'function') return cls;
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

function isClass(fn: unknown): fn is new (...args: never[]) => unknown {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.every(isJsonData);
  if (isPlainObject(value)) return Object.values(value).every(isJsonData);
  return false;
}

function assertFinite(value: unknown): void {
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new SerializationError(
        `the model object contains ${v}, which JSON cannot store`,
        'check the training for divergence (NaN weights), or register model.saver(...)',
      );
    }
    return v;
  });
}

function describeType(value: unknown): string {
  if (value !== null && typeof value === 'object') return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return kind(value);
}
