import {
  ColumnTypeError,
  ColumnsMissingError,
  ColumnsUnexpectedError,
  DataFrame,
  InvalidDataError,
  NonNumericValueError,
  trainTestSplit,
  type ColumnSchema,
  type Scalar,
} from '@unionml/data';
import { ArgumentsError, ComponentError, DatasetColumnsError } from './errors.js';
import type { z } from 'zod';
import { check, closest, describeSchema, isPlainObject, kind, objectKeys } from './schema.js';
import type {
  DataOf,
  DatasetSpec,
  FeaturesOf,
  FittedTransformer,
  MaybePromise,
  NoArgs,
  ParsedOf,
  ParserKwargs,
  RawFeaturesOf,
  RawOf,
  SplitterKwargs,
  TaskOptions,
} from './types.js';

/** Options of {@link Dataset}. The defaults are Python UnionML's. */
export interface DatasetOptions<TReaderArgs extends object = NoArgs, TReaderInput = TReaderArgs> {
  /** Used in task names (`{name}.dataset_task`). Default `"dataset"`. */
  name?: string;
  /** Feature columns. Default: every column that is not a target. */
  features?: readonly string[];
  /** Target (label) columns. */
  targets?: readonly string[];
  /** Test split size: a fraction in (0, 1) or a row count. Default 0.2. */
  testSize?: number;
  /** Shuffle before splitting. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; the same seed selects the same rows as scikit-learn. Default 12345. */
  randomState?: number;
  /**
   * Keep the classes' proportions in both splits, as scikit-learn's `train_test_split(..., stratify=y)` does (and
   * with the same rows): `true` for the target column (of a single-target dataset), or a column name.
   */
  stratify?: boolean | string;
  /**
   * A zod schema of the reader's arguments. It types them, validates what the CLI and HTTP `inputs` pass, and
   * declares them to Flyte.
   */
  readerArgs?: z.ZodType<TReaderArgs, TReaderInput>;
  /**
   * Whether the data is a table (the default). Tables get the built-in loader (to {@link DataFrame}), splitter,
   * parser and feature loader; set `false` for other data, whose defaults pass values through.
   */
  tabular?: boolean;
}

/** Reads the raw data. */
export type Reader<TArgs, TRaw> = (args: TArgs) => MaybePromise<TRaw>;
/** Turns raw data into the dataset's data type. */
export type Loader<TRaw, TData, TKwargs = never> = (raw: TRaw, kwargs: TKwargs) => MaybePromise<TData>;
/** Splits data into `[train]` or `[train, test]`. */
export type Splitter<TData, TKwargs extends SplitterKwargs = SplitterKwargs> = (data: TData, kwargs: TKwargs) => MaybePromise<readonly TData[]>;
/** Parses a split into a tuple, features first (e.g. `[features, target]`). */
export type Parser<TData, TParsed, TKwargs extends ParserKwargs = ParserKwargs> = (data: TData, kwargs: TKwargs) => MaybePromise<TParsed>;
/** Turns the features of a prediction request into the predictor's features. */
export type FeatureLoader<TRawFeatures, TFeatures> = (raw: TRawFeatures) => MaybePromise<TFeatures>;
/** Transforms features, in training (after the parser) and prediction (after the feature loader). */
export type FeatureTransformer<TFeatures> = (features: TFeatures) => MaybePromise<TFeatures>;

/**
 * What the feature path needs from a trained model: the training features' columns (to check requests against)
 * and the fitted feature transformer's state. A {@link ModelArtifact} is one.
 */
export interface FeatureContext {
  featureSchema?: readonly ColumnSchema[] | undefined;
  transformerState?: unknown;
}

/** Keyword-argument overrides accepted by {@link Dataset.getData}. */
export interface DataKwargs {
  loaderKwargs?: Record<string, unknown> | undefined;
  splitterKwargs?: Record<string, unknown> | undefined;
  parserKwargs?: Record<string, unknown> | undefined;
}

/** The parsed splits of a dataset. */
export interface DataSplits<TParsed> {
  train: TParsed;
  test?: TParsed;
  /** Columns and types of the training features (tables only), before the feature transformer. */
  featureSchema?: ColumnSchema[];
  /** What a fitted feature transformer learned on the train split (it is kept in the model file). */
  transformerState?: unknown;
  /**
   * The first rows of the test split's features (the train split's without one), as a request sends them: tables
   * read by the default feature loader only. The model file keeps them, with their predictions, to check the model
   * when it is loaded.
   */
  sample?: Record<string, unknown>[];
}

/** How many rows {@link DataSplits.sample} keeps. */
export const SAMPLE_ROWS = 5;

type Slot = 'reader' | 'loader' | 'splitter' | 'parser' | 'featureLoader' | 'featureTransformer';
type AnyFn = (...args: never[]) => unknown;

const BRAND = Symbol.for('unionml.dataset');

/**
 * A dataset: how to read data, split it, parse features and targets, and load features for prediction.
 *
 * Register components with the methods named after them; each returns the function it was given, and each has an
 * options form that carries Flyte task settings: `dataset.reader({ cache: true })(fn)`.
 *
 * @typeParam TReaderArgs the reader's arguments (inferred from `readerArgs`)
 * @typeParam S the data types, for data that is not a table (see {@link DatasetSpec}; the default declares none: a table)
 * @typeParam TReaderInput what callers pass as reader arguments (schema defaults make fields optional)
 *
 * @example
 * ```ts
 * const dataset = new Dataset({ name: 'digits_dataset', targets: ['target'], testSize: 0.2 });
 * dataset.reader(() => readCsv('data/digits.csv'));
 * ```
 */
export class Dataset<TReaderArgs extends object = NoArgs, S extends DatasetSpec = DatasetSpec, TReaderInput = TReaderArgs> {
  readonly name: string;
  readonly features: readonly string[];
  readonly targets: readonly string[];
  readonly testSize: number;
  readonly shuffle: boolean;
  readonly randomState: number;
  /** The column the default split stratifies on, if any. */
  readonly stratify: string | undefined;
  readonly tabular: boolean;
  readonly readerArgsSchema: z.ZodType<TReaderArgs, TReaderInput> | undefined;
  /** Index of the features in the parser's output. */
  featureKey = 0;
  /** Flyte task settings given through the components' options forms. */
  readonly taskOptions: { reader?: TaskOptions } = {};
  readonly #components: Partial<Record<Slot, AnyFn>> = {};
  #fitted: FittedTransformer<unknown, unknown> | undefined;
  readonly #featurePlans = new WeakMap<object, FeaturePlan | null>();

  constructor(options: DatasetOptions<TReaderArgs, TReaderInput> = {}) {
    this.name = options.name ?? 'dataset';
    this.features = [...(options.features ?? [])];
    this.targets = [...(options.targets ?? [])];
    this.testSize = options.testSize ?? 0.2;
    this.shuffle = options.shuffle ?? true;
    this.randomState = options.randomState ?? 12345;
    if (options.stratify === true && this.targets.length !== 1) {
      throw new ComponentError(
        `Dataset '${this.name}': stratify: true stratifies on the target column, but the dataset has ${this.targets.length} targets`,
        "name the column instead: stratify: 'label'",
      );
    }
    this.stratify = options.stratify === true ? this.targets[0] : typeof options.stratify === 'string' ? options.stratify : undefined;
    this.tabular = options.tabular ?? true;
    this.readerArgsSchema = options.readerArgs;
    if (!(this.testSize > 0)) throw new ComponentError(`Dataset '${this.name}': testSize must be > 0, got ${this.testSize}`);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a Dataset of any copy of this package. */
  static isDataset(value: unknown): value is Dataset<object, DatasetSpec, unknown> {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Registers the reader, which returns the raw data. Its arguments are the `readerArgs`. */
  reader<F extends Reader<TReaderArgs, RawOf<S>>>(fn: F): F;
  reader(options: TaskOptions): <F extends Reader<TReaderArgs, RawOf<S>>>(fn: F) => F;
  reader(arg: AnyFn | TaskOptions): unknown {
    if (typeof arg === 'function') return this.#register('reader', arg);
    this.taskOptions.reader = taskOptions('dataset.reader', arg);
    return (fn: AnyFn) => this.#register('reader', fn);
  }

  /** Registers the loader, which turns the reader's output into the dataset's data. */
  loader<K extends object = never>(fn: Loader<RawOf<S>, DataOf<S>, K>): typeof fn {
    return this.#register('loader', fn);
  }

  /** Registers the splitter, which returns `[train]` or `[train, test]`. */
  splitter<K extends SplitterKwargs = SplitterKwargs>(fn: Splitter<DataOf<S>, K>): typeof fn {
    return this.#register('splitter', fn);
  }

  /** Registers the parser, which returns a tuple with the features at {@link Dataset.featureKey}. */
  parser<K extends ParserKwargs = ParserKwargs>(fn: Parser<DataOf<S>, ParsedOf<S>, K>, featureKey = 0): typeof fn {
    this.featureKey = featureKey;
    return this.#register('parser', fn);
  }

  /** Registers the feature loader, which turns a prediction request's `features` into the predictor's input. */
  featureLoader<F extends FeatureLoader<RawFeaturesOf<S>, FeaturesOf<S>>>(fn: F): F {
    return this.#register('featureLoader', fn);
  }

  /**
   * Registers the feature transformer, applied once to features in training and in prediction. Give a function for
   * a stateless transformation, or `{ fit, transform }` for preprocessing that learns from the data (standardisation,
   * encoders): `fit` runs on the train split's features, and what it returns is kept in the model file and passed
   * to `transform` for the train and test splits and every prediction, locally, served and on Flyte.
   *
   * @example
   * ```ts
   * import { standardScaler } from '@unionml/data';
   * dataset.featureTransformer(standardScaler());
   * // or by hand:
   * dataset.featureTransformer({
   *   fit: (features) => ({ max: Math.max(...features.toVector('x')) }),
   *   transform: (features, { max }) => features.assign('x', features.toVector('x').map((v) => v / max)),
   * });
   * ```
   */
  featureTransformer<F extends FeatureTransformer<FeaturesOf<S>>>(fn: F): F;
  featureTransformer<TState, T extends FittedTransformer<FeaturesOf<S>, TState> = FittedTransformer<FeaturesOf<S>, TState>>(transformer: T): T;
  featureTransformer(arg: AnyFn | FittedTransformer<unknown, unknown>): unknown {
    if (typeof arg === 'function') {
      this.#fitted = undefined;
      return this.#register('featureTransformer', arg);
    }
    const fitted = arg as Partial<FittedTransformer<unknown, unknown>> | null;
    if (fitted === null || typeof fitted !== 'object' || typeof fitted.fit !== 'function' || typeof fitted.transform !== 'function') {
      throw new ComponentError(
        `dataset.featureTransformer(...) of dataset '${this.name}' expects a function or { fit, transform } functions, got ${kind(arg)}`,
        'pass (features) => features, or { fit: (features) => state, transform: (features, state) => features }',
      );
    }
    delete this.#components.featureTransformer;
    this.#fitted = arg;
    return arg;
  }

  /** Whether the feature transformer is fitted (`{ fit, transform }`): its state then comes with the model. */
  get hasFittedTransformer(): boolean {
    return this.#fitted !== undefined;
  }

  /** The registered component, if any. */
  component(slot: Slot): AnyFn | undefined {
    return this.#components[slot];
  }

  /** The columns a prediction request must send, when they are known. */
  featureColumns(featureSchema?: readonly ColumnSchema[]): string[] | undefined {
    if (this.features.length) return [...this.features];
    if (featureSchema?.length) return featureSchema.map((c) => c.name);
    return undefined;
  }

  /**
   * The names of the reader's arguments, when they are known: the keys of `readerArgs`, or none for a reader without
   * a schema that takes no parameter. `undefined` when a reader takes arguments it does not declare.
   */
  get readerArgNames(): readonly string[] | undefined {
    if (this.readerArgsSchema) return objectKeys(this.readerArgsSchema);
    return this.#components.reader?.length === 0 ? [] : undefined;
  }

  /** Validates the reader arguments against `readerArgs` and runs the reader. */
  async read(args: Record<string, unknown> = {}): Promise<RawOf<S>> {
    const reader = this.#components.reader as Reader<unknown, RawOf<S>> | undefined;
    if (!reader) throw new ComponentError(`dataset '${this.name}' has no reader`, 'register one: dataset.reader(async (args) => readCsv(...))');
    const valid = this.checkReaderArgs(args);
    const raw = await reader(valid);
    if (raw === undefined) throw new ComponentError(`the reader of dataset '${this.name}' returned undefined`, 'return the data from the reader function');
    return raw;
  }

  /**
   * Validates reader arguments against `readerArgs`: unknown keys are errors that name the known ones. Without a
   * schema, a reader that takes no parameter accepts no arguments; one that takes a parameter gets them as given.
   */
  checkReaderArgs(args: Record<string, unknown>): TReaderArgs {
    if (!this.readerArgsSchema) {
      const keys = Object.keys(args);
      if (keys.length && this.readerArgNames?.length === 0) {
        throw new ArgumentsError(
          `reader arguments for dataset '${this.name}'`,
          keys.map((k) => `unknown key '${k}' (the reader takes no arguments)`),
          'none: declare them with new Dataset({ readerArgs: z.object({...}) }) to accept some',
        );
      }
      return args as TReaderArgs;
    }
    const result = check(this.readerArgsSchema, args);
    if (!result.ok) throw new ArgumentsError(`reader arguments for dataset '${this.name}'`, result.problems, describeSchema(this.readerArgsSchema));
    return result.value;
  }

  /**
   * Loads, splits and parses raw data, then applies the feature transformer to each split's features (once).
   * The `*Kwargs` override the loader's, splitter's and parser's arguments.
   */
  async getData(raw: RawOf<S>, kwargs: DataKwargs = {}): Promise<DataSplits<ParsedOf<S>>> {
    const data = await this.load(raw, kwargs.loaderKwargs);
    const splits = await this.split(data, kwargs.splitterKwargs);
    const parserKwargs = this.#parserKwargs(kwargs.parserKwargs);
    const result: DataSplits<ParsedOf<S>> = { train: undefined as never };
    if (!this.#components.parser && DataFrame.isDataFrame(data)) this.#checkColumns(data, parserKwargs);
    const keys = splits.length === 1 ? (['train'] as const) : (['train', 'test'] as const);
    const context: FeatureContext = {};
    for (const [i, key] of keys.entries()) {
      const parsed = await this.#parse(splits[i]!, parserKwargs);
      if (key === 'train') {
        if (DataFrame.isDataFrame(parsed[this.featureKey])) result.featureSchema = (parsed[this.featureKey] as DataFrame).schema();
        if (this.#fitted) {
          context.transformerState = await this.#fit(parsed[this.featureKey]);
          result.transformerState = context.transformerState;
        }
      }
      if (key === keys[keys.length - 1] && !this.#components.featureLoader && DataFrame.isDataFrame(parsed[this.featureKey])) {
        result.sample = (parsed[this.featureKey] as DataFrame).head(SAMPLE_ROWS).toRecords();
      }
      result[key] = await this.#transformParsed(parsed, context);
    }
    return result;
  }

  /**
   * The default parser needs the declared target and feature columns: a missing or misspelled one is named here,
   * before any training, with the columns the data has.
   */
  #checkColumns(data: DataFrame, { features, targets }: ParserKwargs): void {
    if (!targets.length) {
      throw new DatasetColumnsError(
        `dataset '${this.name}' declares no target columns, so the default parser has no target to give the trainer`,
        `declare them: new Dataset({ targets: ['label'] }) (the data has: ${listColumns(data.columns)}); for models without a target, register dataset.parser((data) => [data])`,
      );
    }
    for (const [role, names] of [
      ['target', targets],
      ['feature', features],
    ] as const) {
      const missing = names.filter((c) => !data.has(c));
      if (!missing.length) continue;
      const guesses = missing.map((c) => [c, closest(c, data.columns)] as const).filter(([, g]) => g !== undefined);
      throw new DatasetColumnsError(
        `the ${role} column${missing.length === 1 ? '' : 's'} ${missing.map((c) => `'${c}'`).join(', ')} of dataset '${this.name}' ${missing.length === 1 ? 'is' : 'are'} not in the data; it has: ${listColumns(data.columns)}`,
        guesses.length
          ? `did you mean ${guesses.map(([, g]) => `'${g}'`).join(', ')}? Fix ${role}s: [...] in new Dataset({...})`
          : `fix ${role}s: [...] in new Dataset({...}), or the reader, so that they name columns of the data`,
      );
    }
  }

  async #fit(features: unknown): Promise<unknown> {
    const state = await this.#fitted!.fit(features);
    if (state === undefined) {
      throw new ComponentError(
        `the fit of dataset '${this.name}''s feature transformer returned undefined`,
        'return what transform needs (e.g. { mean, scale }); it is kept in the model file',
      );
    }
    return state;
  }

  /** Runs the loader (default: coerce tables to {@link DataFrame}). */
  async load(raw: RawOf<S>, loaderKwargs: Record<string, unknown> = {}): Promise<DataOf<S>> {
    const loader = this.#components.loader;
    if (loader) return await (loader as Loader<RawOf<S>, DataOf<S>, unknown>)(raw, loaderKwargs);
    if (Object.keys(loaderKwargs).length) {
      throw new ArgumentsError(
        `loader arguments for dataset '${this.name}'`,
        Object.keys(loaderKwargs).map((k) => `unknown key '${k}'`),
        'none: the default loader takes no arguments (register dataset.loader to accept some)',
      );
    }
    if (!this.tabular) return raw as unknown as DataOf<S>;
    return this.#toFrame(raw, 'the reader output') as DataOf<S>;
  }

  /** Runs the splitter (default: a seeded train/test split for tables, one split otherwise). */
  async split(data: DataOf<S>, overrides: Record<string, unknown> = {}): Promise<DataOf<S>[]> {
    const splitter = this.#components.splitter;
    const kwargs: SplitterKwargs = {
      testSize: this.testSize,
      shuffle: this.shuffle,
      randomState: this.randomState,
      ...(this.stratify !== undefined ? { stratify: this.stratify } : {}),
    };
    if (!splitter) this.#checkKeys('splitter arguments', overrides, [...Object.keys(kwargs), 'stratify']);
    const merged = { ...kwargs, ...overrides };
    let splits: readonly DataOf<S>[];
    if (splitter) splits = await (splitter as Splitter<DataOf<S>>)(data, merged);
    else if (DataFrame.isDataFrame(data)) splits = trainTestSplit(data, merged) as unknown as DataOf<S>[];
    else splits = [data];
    // A JS splitter may return anything (isArray: Array.isArray would narrow a readonly array to any[]).
    if (!isArray(splits) || splits.length < 1 || splits.length > 2) {
      throw new ComponentError(`the splitter of dataset '${this.name}' must return [train] or [train, test], got ${describeLength(splits)}`);
    }
    return [...splits];
  }

  /** Runs the parser on one split (without the feature transformer). */
  async parse(data: DataOf<S>, overrides: Record<string, unknown> = {}): Promise<ParsedOf<S>> {
    return this.#parse(data, this.#parserKwargs(overrides));
  }

  /**
   * Turns a prediction request's features into the predictor's input: the feature loader, then the feature
   * transformer, exactly once. For tables the default feature loader checks the columns against the declared
   * `features`, or the ones the model was trained on (`featureSchema`), and their types: JSON records or columns
   * with a column that is not a feature are refused (a typo, most likely), a DataFrame's other columns are left out.
   */
  async getFeatures(rawFeatures: RawFeaturesOf<S>, context: FeatureContext = {}): Promise<FeaturesOf<S>> {
    const loader = this.#components.featureLoader as FeatureLoader<RawFeaturesOf<S>, FeaturesOf<S>> | undefined;
    const features = loader ? await loader(rawFeatures) : this.#defaultFeatureLoader(rawFeatures, context.featureSchema);
    if (features === undefined) throw new ComponentError(`the feature loader of dataset '${this.name}' returned undefined`);
    return this.#transform(features, context);
  }

  /**
   * {@link Dataset.getFeatures}, without a promise when the default feature loader does it all (no feature loader or
   * transformer registered): what `Model.predict` runs, sparing each request the promise machinery. It may throw
   * what getFeatures rejects with.
   */
  loadFeatures(rawFeatures: RawFeaturesOf<S>, context: FeatureContext = {}): FeaturesOf<S> | Promise<FeaturesOf<S>> {
    if (this.#components.featureLoader || this.#components.featureTransformer || this.#fitted) return this.getFeatures(rawFeatures, context);
    const features = this.#defaultFeatureLoader(rawFeatures, context.featureSchema);
    if (features === undefined) throw new ComponentError(`the feature loader of dataset '${this.name}' returned undefined`);
    return features;
  }

  /** Reader → loader → parser → feature transformer: the features of unlabeled data read by the reader. */
  async getFeaturesFromReader(args: Record<string, unknown>, context: FeatureContext = {}): Promise<FeaturesOf<S>> {
    return this.featuresOf(await this.read(args), context);
  }

  /** Loader → parser → feature transformer on data the reader has read: the features of unlabeled data. */
  async featuresOf(raw: RawOf<S>, context: FeatureContext = {}): Promise<FeaturesOf<S>> {
    const parsed = await this.parse(await this.load(raw));
    return this.#transform(parsed[this.featureKey] as FeaturesOf<S>, context);
  }

  #defaultFeatureLoader(raw: unknown, featureSchema: readonly ColumnSchema[] | undefined): FeaturesOf<S> {
    if (!this.tabular) return raw as FeaturesOf<S>;
    const plan = this.#featurePlan(featureSchema);
    if (!plan) {
      const frame = this.#toFrame(raw, 'the features');
      if (frame.length === 0) throw noRecords();
      return frame.drop(this.targets) as FeaturesOf<S>;
    }
    let frame: DataFrame;
    if (Array.isArray(raw)) {
      // The request path: check every record's keys, then build the frame with the known columns in one pass.
      if (raw.length === 0) throw noRecords();
      return plan.frameFromRecords(raw) as FeaturesOf<S>;
    } else {
      // A DataFrame (from code, or a structured dataset from a Flyte task upstream) is taken as pandas users take one,
      // `df[features]`: other columns (ids, timestamps, metadata) are left out. JSON columns are a request: an unknown
      // column is more likely a typo, and refused.
      const given = DataFrame.isDataFrame(raw) || (typeof raw === 'object' && raw !== null && !isPlainObject(raw)); // ours or danfo's
      frame = this.#toFrame(raw, 'the features');
      if (frame.length === 0) throw noRecords();
      const unexpected = given ? [] : frame.columns.filter((c) => !plan.allowed.has(c));
      if (unexpected.length) throw new ColumnsUnexpectedError(unexpected, plan.columns, 'the features');
      frame = frame.select(plan.columns, 'the features');
    }
    if (plan.types) checkTypes(frame, plan.types);
    return frame as FeaturesOf<S>;
  }

  /** What the default feature loader checks, computed once per feature schema. */
  #featurePlan(featureSchema: readonly ColumnSchema[] | undefined): FeaturePlan | undefined {
    const key = featureSchema ?? NO_SCHEMA;
    let plan = this.#featurePlans.get(key);
    if (plan === undefined) {
      const columns = this.featureColumns(featureSchema);
      plan = columns ? new FeaturePlan(columns, this.targets, featureSchema) : null;
      this.#featurePlans.set(key, plan);
    }
    return plan ?? undefined;
  }

  async #parse(data: DataOf<S>, kwargs: ParserKwargs): Promise<ParsedOf<S>> {
    const parser = this.#components.parser;
    let parsed: unknown;
    if (parser) parsed = await (parser as Parser<DataOf<S>, unknown>)(data, kwargs);
    else if (DataFrame.isDataFrame(data)) parsed = defaultParse(data, kwargs);
    else parsed = [data];
    if (!Array.isArray(parsed) || parsed.length <= this.featureKey) {
      throw new ComponentError(
        `the parser of dataset '${this.name}' must return an array with the features at index ${this.featureKey}, e.g. [features, target]; got ${kind(parsed)}`,
      );
    }
    return parsed as unknown as ParsedOf<S>;
  }

  async #transformParsed(parsed: ParsedOf<S>, context: FeatureContext): Promise<ParsedOf<S>> {
    if (!this.#components.featureTransformer && !this.#fitted) return parsed;
    const copy = [...(parsed as readonly unknown[])];
    copy[this.featureKey] = await this.#transform(copy[this.featureKey] as FeaturesOf<S>, context);
    return copy as unknown as ParsedOf<S>;
  }

  async #transform(features: FeaturesOf<S>, context: FeatureContext): Promise<FeaturesOf<S>> {
    let out: FeaturesOf<S> | undefined;
    if (this.#fitted) {
      if (context.transformerState === undefined) {
        throw new ComponentError(
          `the feature transformer of dataset '${this.name}' is fitted, but the model has no fitted state for it (it was trained or saved without one)`,
          'train the model again (the state is learned on the train split and kept in the model file), or load a model file saved after training',
        );
      }
      out = (await this.#fitted.transform(features, context.transformerState)) as FeaturesOf<S> | undefined;
    } else {
      const transformer = this.#components.featureTransformer as FeatureTransformer<FeaturesOf<S>> | undefined;
      if (!transformer) return features;
      out = await transformer(features);
    }
    if (out === undefined) throw new ComponentError(`the feature transformer of dataset '${this.name}' returned undefined`, 'return the transformed features');
    return out;
  }

  #parserKwargs(overrides: Record<string, unknown> = {}): ParserKwargs {
    if (!this.#components.parser) this.#checkKeys('parser arguments', overrides, ['features', 'targets']);
    return { features: this.features, targets: this.targets, ...overrides };
  }

  #checkKeys(what: string, given: Record<string, unknown>, known: string[]): void {
    const unknown = Object.keys(given).filter((k) => !known.includes(k));
    if (unknown.length) {
      throw new ArgumentsError(
        `${what} for dataset '${this.name}'`,
        unknown.map((k) => `unknown key '${k}'`),
        `{ ${known.join(', ')} } (register a custom component to accept others)`,
      );
    }
  }

  #toFrame(value: unknown, what: string): DataFrame {
    try {
      return DataFrame.from(value);
    } catch (error) {
      if (error instanceof InvalidDataError && !DataFrame.isDataFrame(value) && !Array.isArray(value) && !isPlainObject(value)) {
        throw new InvalidDataError(
          `${what} of dataset '${this.name}' is not a table: ${error.message}`,
          'return a DataFrame or records, or set tabular: false in the Dataset options for other data',
        );
      }
      throw error;
    }
  }

  #register<F>(slot: Slot, fn: F): F {
    if (typeof fn !== 'function') {
      throw new ComponentError(`dataset.${slot}(...) expects a function, got ${kind(fn)}`, `pass the ${slot} function, e.g. dataset.${slot}((...) => ...)`);
    }
    this.#components[slot] = fn as AnyFn;
    return fn;
  }
}

/** The default parser: `[features, target]` frames. `features` is honoured even when `targets` is set. */
function defaultParse(data: DataFrame, { features, targets }: ParserKwargs): [DataFrame, DataFrame] {
  const featureFrame = features.length ? data.select(features, 'the data') : data.drop(targets);
  // Unlabeled data (e.g. for prediction) has no target columns: an empty target frame, as in Python UnionML.
  const present = targets.filter((t) => data.has(t));
  const targetFrame = present.length === targets.length && targets.length ? data.select(targets) : DataFrame.empty();
  return [featureFrame, targetFrame];
}

const NO_SCHEMA: readonly ColumnSchema[] = [];
const listColumns = (columns: readonly string[]) =>
  columns.length === 0 ? '(no columns)' : columns.length <= 20 ? columns.join(', ') : `${columns.slice(0, 20).join(', ')}, … (${columns.length - 20} more)`;
const noRecords = () => new InvalidDataError('the features have no records', 'send at least one record: {"features": [{"column": value, ...}]}');

/**
 * The expected feature columns and types, and the request path built on them: one pass over each record's keys
 * checks the columns and the types and fills the column arrays.
 */
class FeaturePlan {
  readonly allowed: ReadonlySet<string>;
  readonly types: readonly ColumnSchema[] | undefined;
  readonly #index: ReadonlyMap<string, number>;
  readonly #typeOf: readonly (string | undefined)[];
  /** Columns where a finite number is always right (numbers, or no recorded type). */
  readonly #numeric: readonly boolean[];
  /** Every column takes numbers: the fast path then builds a row-major matrix. */
  readonly #numericOnly: boolean;
  /** The fast path's reader of one record (see {@link compileRecordReader}); none when it cannot be compiled. */
  readonly #read: RecordReader | undefined;

  constructor(
    readonly columns: readonly string[],
    targets: readonly string[],
    featureSchema: readonly ColumnSchema[] | undefined,
  ) {
    this.#index = new Map(columns.map((c, i) => [c, i]));
    this.allowed = new Set([...columns, ...targets]);
    const byName = new Map((featureSchema ?? []).map((c) => [c.name, c]));
    const types = columns.map((c) => byName.get(c)).filter((c): c is ColumnSchema => c !== undefined && CHECKED_TYPES.has(c.type));
    this.types = types.length ? types : undefined;
    this.#typeOf = columns.map((c) => (CHECKED_TYPES.has(byName.get(c)?.type ?? '') ? byName.get(c)!.type : undefined));
    this.#numeric = this.#typeOf.map((t) => t === undefined || t === 'number');
    this.#numericOnly = this.#numeric.every(Boolean);
    this.#read = compileRecordReader(columns, this.#typeOf, this.#numericOnly);
  }

  /** The request's records as a frame of the expected columns, or the first problem as a UnionML error. */
  frameFromRecords(records: readonly unknown[]): DataFrame {
    return this.#fastFrame(records) ?? this.#checkedFrame(records);
  }

  /**
   * The fast path, for records that hold exactly the expected columns with values of their types (numbers: finite
   * ones): `undefined` for anything else, which {@link FeaturePlan.#checkedFrame} then reads again and explains.
   */
  #fastFrame(records: readonly unknown[]): DataFrame | undefined {
    const read = this.#read;
    if (!read) return undefined;
    const n = records.length;
    const m = this.columns.length;
    // Numbers in a plain array: a Float64Array of this size costs more to allocate than to fill.
    const out = this.#numericOnly ? new Array<number>(n * m) : this.columns.map(() => new Array<Scalar>(n));
    for (let r = 0; r < n; r++) {
      const record = records[r];
      if (typeof record !== 'object' || record === null || Array.isArray(record) || !read(record, out, r, r * m)) return undefined;
    }
    return this.#numericOnly ? DataFrame.fromNumericMatrix(this.columns, out as number[], n) : DataFrame.fromColumnArrays(this.columns, out as Scalar[][], n);
  }

  /** Every record checked key by key: the first problem is thrown as a UnionML error. */
  #checkedFrame(records: readonly unknown[]): DataFrame {
    const n = records.length;
    const m = this.columns.length;
    const arrays = this.columns.map(() => new Array<Scalar>(n));
    for (let r = 0; r < n; r++) {
      const record = records[r];
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new InvalidDataError(`record ${r} is ${kind(record)}, expected an object of column values`, 'send rows as objects, e.g. [{"x": 1, "y": 2}]');
      }
      let found = 0;
      let unexpected = false;
      for (const key in record) {
        const j = this.#index.get(key);
        if (j === undefined) {
          if (!this.allowed.has(key)) unexpected = true;
          continue;
        }
        found++;
        const value = (record as Record<string, unknown>)[key];
        arrays[j]![r] = typeof value === 'number' && Number.isFinite(value) && this.#numeric[j] ? value : this.#cell(value, j, r);
      }
      const context = r === 0 ? 'the features' : `record ${r} of the features`;
      // Missing columns first: their message also lists what is present, extra columns included.
      if (found < m)
        throw new ColumnsMissingError(
          this.columns.filter((c) => !(c in record)),
          Object.keys(record),
          context,
        );
      if (unexpected)
        throw new ColumnsUnexpectedError(
          Object.keys(record).filter((k) => !this.allowed.has(k)),
          this.columns,
          context,
        );
    }
    return DataFrame.fromColumnArrays(this.columns, arrays, n);
  }

  /** A cell that is not a finite number: checked against the column's type. */
  #cell(value: unknown, column: number, row: number): Scalar {
    const name = this.columns[column]!;
    const type = this.#typeOf[column];
    if (type === 'number') throw new NonNumericValueError(name, row, value);
    if (value === null || value === undefined) return null;
    const t = typeof value;
    if (t !== 'string' && t !== 'boolean' && t !== 'number') {
      throw new InvalidDataError(`column '${name}' row ${row} holds ${kind(value)}; cells must be numbers, strings, booleans or null`);
    }
    if (type !== undefined && t !== type) throw new ColumnTypeError(name, row, value, type);
    return value as Scalar;
  }
}

const CHECKED_TYPES = new Set(['number', 'string', 'boolean']);

/**
 * Reads one record into the frame being built: into row-major `out` at `offset` (every column numeric), or into the
 * column arrays `out` at `row`. False when the record does not hold exactly the expected columns with values of
 * their types, finite numbers for numeric columns (and untyped ones), strings and booleans for theirs.
 */
type RecordReader = (record: object, out: number[] | Scalar[][], row: number, offset: number) => boolean;

/**
 * More columns than this are read by the checked path: V8 does not optimize a function of more than 60 KB of bytecode,
 * about 1,300 columns of the reader.
 */
const MAX_COMPILED_COLUMNS = 1000;

/**
 * Compiles the {@link RecordReader} of a feature plan, once per plan. It reads each column with a load of a constant
 * name, which V8 caches per call site (records parsed from the same JSON shape share a hidden class), where a loop
 * over a record's keys costs a hash lookup per cell; it counts the record's keys to see that there are no others.
 * Column names enter the source only as JSON string literals. `undefined` when code cannot be generated (e.g. under
 * --disallow-code-generation-from-strings): the checked path then reads every record.
 */
function compileRecordReader(columns: readonly string[], typeOf: readonly (string | undefined)[], numericOnly: boolean): RecordReader | undefined {
  if (columns.length === 0 || columns.length > MAX_COMPILED_COLUMNS) return undefined;
  const cells = columns.map((name, j) => {
    const type = typeOf[j];
    const ok = type === 'string' || type === 'boolean' ? `typeof v === '${type}'` : `typeof v === 'number' && v - v === 0`;
    return `v = record[${JSON.stringify(name)}];\nif (!(${ok})) return false;\n${numericOnly ? `out[offset + ${j}] = v;` : `out[${j}][row] = v;`}`;
  });
  const source = `let keys = 0;\nfor (const key in record) keys++;\nif (keys !== ${columns.length}) return false;\nlet v;\n${cells.join('\n')}\nreturn true;`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON string literals only (see above)
    return new Function('record', 'out', 'row', 'offset', source) as RecordReader;
  } catch {
    return undefined;
  }
}

function checkTypes(frame: DataFrame, schema: readonly ColumnSchema[]): void {
  for (const { name, type } of schema) {
    const values = frame.column(name);
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (type === 'number') {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonNumericValueError(name, r, v);
      } else if (v !== null && typeof v !== type) {
        throw new ColumnTypeError(name, r, v, type);
      }
    }
  }
}

/** Checks the options form of a component registration. */
export function taskOptions<T extends object>(what: string, arg: unknown): T {
  if (!isPlainObject(arg))
    throw new ComponentError(
      `${what}(...) expects a function, or an options object then a function; got ${kind(arg)}`,
      `write ${what}(fn) or ${what}({ cache: true })(fn)`,
    );
  return { ...arg } as T;
}

/** `Array.isArray` as a guard that keeps the element type of a readonly array. */
function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function describeLength(value: unknown): string {
  return Array.isArray(value) ? `an array of ${value.length}` : kind(value);
}
