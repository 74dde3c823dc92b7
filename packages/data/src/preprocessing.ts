/**
 * Fitted preprocessing: scikit-learn's `StandardScaler` and `OneHotEncoder` for DataFrames, and `pipeline` to chain
 * them. Each is a {@link FrameTransformer}: `fit` learns a state (plain JSON) from the training features, `transform`
 * applies it. They are structurally `FittedTransformer<DataFrame, State>`s of `@unionml/core` (which this package
 * cannot import), so `dataset.featureTransformer(standardScaler())` works as is.
 */
import { DataFrame, kind, type Scalar } from './dataframe.js';
import {
  ColumnTypeError,
  ColumnsMissingError,
  DataOptionsError,
  InvalidDataError,
  NonNumericValueError,
  TransformerStateError,
  UnknownCategoryError,
  describeValue,
} from './errors.js';
import { compareCodePoints } from './split.js';

/**
 * Preprocessing fitted on DataFrames, synchronously: `fit` learns a JSON state from the training features and
 * `transform` applies a state to any features (training, test, every prediction). It is a
 * `FittedTransformer<DataFrame, TState>` of `@unionml/core`.
 *
 * @example
 * ```ts
 * const scaler: FrameTransformer<StandardScalerState> = standardScaler();
 * const state = scaler.fit(train); // { columns, mean, scale }
 * const scaled = scaler.transform(test, state);
 * ```
 */
export interface FrameTransformer<TState> {
  /** Learns the state from the training features. */
  fit(features: DataFrame): TState;
  /** Applies the state; the frame is not modified (a new one is returned). */
  transform(features: DataFrame, state: TState): DataFrame;
}

/**
 * A transformer that may be asynchronous: the shape of `@unionml/core`'s `FittedTransformer<DataFrame, TState>`,
 * which {@link pipeline} accepts as steps.
 */
export interface AsyncFrameTransformer<TState> {
  fit(features: DataFrame): TState | Promise<TState>;
  transform(features: DataFrame, state: TState): DataFrame | Promise<DataFrame>;
}

// ---------------------------------------------------------------------------------------------------------------
// standardScaler

/** Options of {@link standardScaler}. */
export interface StandardScalerOptions {
  /** The columns to scale. Default: every column whose values are numbers at fit time (nulls aside). */
  columns?: readonly string[];
  /** Subtract the mean. Default true. */
  withMean?: boolean;
  /** Divide by the standard deviation. Default true. */
  withStd?: boolean;
}

/** The fitted state of {@link standardScaler}: plain JSON, kept in the model file. */
export interface StandardScalerState {
  /** The scaled columns, in the order of `mean` and `scale`. */
  columns: string[];
  /** The mean of each column (scikit-learn's `mean_`), or null when `withMean` is false. */
  mean: number[] | null;
  /** The population standard deviation of each column, 1 for a constant column (`scale_`); null when `withStd` is false. */
  scale: number[] | null;
}

const EPS = 2.220446049250313e-16;

/**
 * scikit-learn's `StandardScaler`: `(x - mean) / scale` per column, with the population standard deviation
 * (ddof 0) as the scale, and scale 1 for a column that is constant (to rounding, as `_is_constant_feature` decides).
 * Null cells are missing values, as NaN is to scikit-learn: left out of the mean and variance at fit time, and kept
 * null by `transform`. Other columns pass through unchanged, in place.
 *
 * @throws at fit time: {@link ColumnsMissingError} for absent `columns`, {@link NonNumericValueError} for a cell that
 * is not a finite number (or null), {@link InvalidDataError} for no rows or no numbers to fit. At transform time: the
 * first two, and {@link TransformerStateError} for a state this transformer did not make.
 * @example
 * ```ts
 * const scaler = standardScaler({ columns: ['age', 'income'] });
 * const state = scaler.fit(train); // { columns: ['age', 'income'], mean: [41.2, 52000], scale: [12.1, 18000] }
 * const [X_train, X_test] = [scaler.transform(train, state), scaler.transform(test, state)];
 * // with @unionml/core: dataset.featureTransformer(standardScaler())
 * ```
 */
export function standardScaler(options: StandardScalerOptions = {}): FrameTransformer<StandardScalerState> {
  const fn = 'standardScaler';
  checkOptions(fn, options, ['columns', 'withMean', 'withStd']);
  const columns = options.columns === undefined ? undefined : checkColumns(fn, options.columns);
  const withMean = checkBoolean(fn, 'withMean', options.withMean, true);
  const withStd = checkBoolean(fn, 'withStd', options.withStd, true);
  return {
    fit(features: DataFrame): StandardScalerState {
      checkFrame(fn, 'fit', features);
      if (features.length === 0) throw new InvalidDataError(`${fn} cannot be fitted on features with no rows`);
      let names: string[];
      if (columns) {
        requireColumns(fn, features, columns);
        names = [...columns];
      } else {
        names = features
          .schema()
          .filter((c) => c.type === 'number')
          .map((c) => c.name);
        if (names.length === 0) {
          throw new InvalidDataError(
            `${fn} found no numeric column to scale among the features (${features.columns.join(', ') || 'none'})`,
            'pass the columns to scale: standardScaler({ columns: [...] })',
          );
        }
      }
      const mean: number[] = [];
      const scale: number[] = [];
      for (const name of names) {
        const fitted = meanAndVariance(name, features.column(name));
        mean.push(fitted.mean);
        // _is_constant_feature: the variance is within rounding of 0.
        const n = fitted.count;
        const constant = fitted.variance <= n * EPS * fitted.variance + (n * fitted.mean * EPS) ** 2;
        scale.push(constant ? 1 : Math.sqrt(fitted.variance));
      }
      return { columns: names, mean: withMean ? mean : null, scale: withStd ? scale : null };
    },

    transform(features: DataFrame, state: StandardScalerState): DataFrame {
      checkFrame(fn, 'transform', features);
      const plan = scalerPlan(state);
      const frameColumns = features.columns;
      const arrays = new Array<readonly Scalar[]>(frameColumns.length);
      let found = 0;
      for (let c = 0; c < frameColumns.length; c++) {
        const name = frameColumns[c]!;
        const i = plan.index.get(name);
        const src = features.column(name);
        if (i === undefined) {
          arrays[c] = src;
          continue;
        }
        found++;
        arrays[c] = scaleColumn(name, src, plan.mean?.[i], plan.scale?.[i]);
      }
      if (found !== plan.index.size) {
        requireColumns(fn, features, plan.columns);
      }
      return DataFrame.fromColumnArrays(frameColumns, arrays, features.length);
    },
  };
}

/** Mean and population variance as scikit-learn's `_incremental_mean_and_var` computes them on one batch. */
function meanAndVariance(name: string, values: readonly Scalar[]): { mean: number; variance: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonNumericValueError(name, r, v);
    sum += v;
    count++;
  }
  if (count === 0) throw new InvalidDataError(`column '${name}' has no numbers to fit standardScaler on: every cell is null`);
  const mean = sum / count;
  // The corrected two-pass algorithm (Chan, Golub and LeVeque), as scikit-learn does it.
  let correction = 0;
  let squares = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v === null) continue;
    const d = (v as number) - mean;
    correction += d;
    squares += d * d;
  }
  return { mean, variance: (squares - correction ** 2 / count) / count, count };
}

function scaleColumn(name: string, src: readonly Scalar[], mean: number | undefined, scale: number | undefined): Scalar[] {
  const out = new Array<Scalar>(src.length);
  for (let r = 0; r < src.length; r++) {
    const v = src[r]!;
    if (typeof v === 'number' && Number.isFinite(v)) {
      const centred = mean === undefined ? v : v - mean;
      out[r] = scale === undefined ? centred : centred / scale;
    } else if (v === null) {
      out[r] = null;
    } else {
      throw new NonNumericValueError(name, r, v);
    }
  }
  return out;
}

interface ScalerPlan {
  columns: string[];
  index: Map<string, number>;
  mean: readonly number[] | null;
  scale: readonly number[] | null;
}

// A state is checked once, the first time it is used: the serving path then only looks up its plan.
const scalerPlans = new WeakMap<object, ScalerPlan>();

function scalerPlan(state: StandardScalerState): ScalerPlan {
  if (typeof state === 'object' && state !== null) {
    const cached = scalerPlans.get(state);
    if (cached) return cached;
  }
  const fn = 'standardScaler';
  if (!isRecord(state)) throw new TransformerStateError(fn, `expected { columns, mean, scale }, got ${kind(state)}`);
  const { columns, mean, scale } = state;
  if (!isStringArray(columns)) throw new TransformerStateError(fn, 'columns is not an array of column names');
  const index = new Map(columns.map((c, i) => [c, i]));
  if (index.size !== columns.length) throw new TransformerStateError(fn, 'columns has a name twice');
  const numbers = (value: unknown, field: string, check: (x: number) => boolean): readonly number[] | null => {
    if (value === null) return null;
    if (!Array.isArray(value) || value.length !== columns.length || !value.every((x) => typeof x === 'number' && check(x))) {
      throw new TransformerStateError(fn, `${field} is not null or ${columns.length} finite numbers${field === 'scale' ? ' (not 0)' : ''}, one per column`);
    }
    return value as number[];
  };
  const plan: ScalerPlan = {
    columns: [...columns],
    index,
    mean: numbers(mean, 'mean', Number.isFinite),
    scale: numbers(scale, 'scale', (x) => Number.isFinite(x) && x !== 0),
  };
  scalerPlans.set(state, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// oneHotEncoder

/** A category of a one-hot encoded column: a cell value. */
export type Category = number | string | boolean | null;

/** Options of {@link oneHotEncoder}. */
export interface OneHotEncoderOptions {
  /** The categorical columns to encode. */
  columns: readonly string[];
  /**
   * A value that was not seen at fit time: `'error'` (the default) throws {@link UnknownCategoryError}; `'ignore'`
   * encodes it as all zeros, as scikit-learn does.
   */
  handleUnknown?: 'error' | 'ignore';
}

/** The fitted state of {@link oneHotEncoder}: plain JSON, kept in the model file. */
export interface OneHotEncoderState {
  /** The encoded columns, in the order of `categories`. */
  columns: string[];
  /** Each column's categories, sorted as scikit-learn sorts them (`categories_`), null last. */
  categories: Category[][];
}

/**
 * scikit-learn's `OneHotEncoder` (dense output): each encoded column is replaced, at its position, by one 0/1 column
 * per category, named `${column}_${category}` as `get_feature_names_out` names them (with JavaScript's spelling of
 * the category: `x_1`, `x_true`, `x_null` where scikit-learn writes `x_1.0`, `x_True`, `x_None`).
 *
 * Categories are numbers, strings or booleans, one type a column; they are sorted as scikit-learn sorts them:
 * numbers ascending, strings by code point, `false` before `true`. `null` is a category of its own, sorted last
 * (as scikit-learn does with `None` and NaN); a column with a null at fit time gets a `${column}_null` column. NaN and
 * infinities are refused (they do not survive JSON). At transform time, a value that was not seen at fit time
 * (a new string, a `null` when the training data had none, `'1'` for `1`) throws {@link UnknownCategoryError}
 * naming the column, the value and the categories, or is all zeros with `handleUnknown: 'ignore'`.
 *
 * @throws at fit time: {@link ColumnsMissingError}, {@link ColumnTypeError} for a column of mixed types,
 * {@link NonNumericValueError} for NaN or an infinity, {@link InvalidDataError} for no rows or an output name that
 * is already a column. At transform time: {@link ColumnsMissingError}, {@link UnknownCategoryError} and
 * {@link TransformerStateError}.
 * @example
 * ```ts
 * const encoder = oneHotEncoder({ columns: ['color'] });
 * const df = DataFrame.fromRecords([{ size: 1, color: 'red' }, { size: 2, color: 'blue' }]);
 * const state = encoder.fit(df); // { columns: ['color'], categories: [['blue', 'red']] }
 * encoder.transform(df, state).toRecords();
 * // [{ size: 1, color_blue: 0, color_red: 1 }, { size: 2, color_blue: 1, color_red: 0 }]
 * ```
 */
export function oneHotEncoder(options: OneHotEncoderOptions): FrameTransformer<OneHotEncoderState> {
  const fn = 'oneHotEncoder';
  if (!isRecord(options)) throw new DataOptionsError(fn, 'options', `expected options { columns: [...] }, got ${kind(options)}`);
  checkOptions(fn, options, ['columns', 'handleUnknown']);
  if (options.columns === undefined)
    throw new DataOptionsError(fn, 'columns', 'columns is required: the categorical columns to encode', "e.g. oneHotEncoder({ columns: ['color'] })");
  const columns = checkColumns(fn, options.columns);
  const handleUnknown = options.handleUnknown ?? 'error';
  if (handleUnknown !== 'error' && handleUnknown !== 'ignore') {
    throw new DataOptionsError(fn, 'handleUnknown', `handleUnknown must be 'error' or 'ignore', got ${describeValue(handleUnknown)}`);
  }
  const ignore = handleUnknown === 'ignore';
  return {
    fit(features: DataFrame): OneHotEncoderState {
      checkFrame(fn, 'fit', features);
      if (features.length === 0) throw new InvalidDataError(`${fn} cannot be fitted on features with no rows`);
      requireColumns(fn, features, columns);
      const state: OneHotEncoderState = { columns: [...columns], categories: columns.map((c) => categoriesOf(c, features.column(c))) };
      // The names the encoded columns take must not be taken already.
      const plan = encoderPlan(state);
      for (const name of features.columns) {
        if (!plan.index.has(name) && plan.outputs.has(name)) throw collision(name, plan);
      }
      return state;
    },

    transform(features: DataFrame, state: OneHotEncoderState): DataFrame {
      checkFrame(fn, 'transform', features);
      const plan = encoderPlan(state);
      const n = features.length;
      const outColumns: string[] = [];
      const arrays: (readonly Scalar[])[] = [];
      let found = 0;
      for (const name of features.columns) {
        const i = plan.index.get(name);
        const src = features.column(name);
        if (i === undefined) {
          if (plan.outputs.has(name)) throw collision(name, plan);
          outColumns.push(name);
          arrays.push(src);
          continue;
        }
        found++;
        const lookup = plan.lookups[i]!;
        const names = plan.names[i]!;
        const encoded = new Array<number[]>(names.length);
        for (let k = 0; k < names.length; k++) {
          encoded[k] = new Array<number>(n).fill(0);
          outColumns.push(names[k]!);
          arrays.push(encoded[k]!);
        }
        for (let r = 0; r < n; r++) {
          const k = lookup.get(src[r]!);
          if (k !== undefined) encoded[k]![r] = 1;
          else if (!ignore) throw new UnknownCategoryError(name, r, src[r], plan.categories[i]!);
        }
      }
      if (found !== plan.index.size) requireColumns(fn, features, plan.columns);
      return DataFrame.fromColumnArrays(outColumns, arrays, n);
    },
  };
}

/** The sorted distinct values of a column, as scikit-learn's `_unique` gives them (missing values last). */
function categoriesOf(name: string, values: readonly Scalar[]): Category[] {
  const seen = new Set<Category>();
  let type: 'number' | 'string' | 'boolean' | undefined;
  let firstRow = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (v === null) {
      seen.add(null);
      continue;
    }
    const t = typeof v as 'number' | 'string' | 'boolean';
    if (t === 'number' && !Number.isFinite(v)) throw new NonNumericValueError(name, r, v);
    if (type === undefined) {
      type = t;
      firstRow = r;
    } else if (t !== type) {
      throw new ColumnTypeError(name, r, v, `${type} (a category column holds one type; row ${firstRow} is a ${type})`);
    }
    seen.add(v);
  }
  const hasNull = seen.delete(null);
  const sorted = [...seen].sort(type === 'string' ? (a, b) => compareCodePoints(a as string, b as string) : (a, b) => Number(a) - Number(b));
  if (hasNull) sorted.push(null);
  return sorted;
}

interface EncoderPlan {
  columns: string[];
  index: Map<string, number>;
  categories: Category[][];
  lookups: Map<Category, number>[];
  names: string[][];
  /** Every output column name, with the column it comes from. */
  outputs: Map<string, string>;
}

const encoderPlans = new WeakMap<object, EncoderPlan>();

function encoderPlan(state: OneHotEncoderState): EncoderPlan {
  if (typeof state === 'object' && state !== null) {
    const cached = encoderPlans.get(state);
    if (cached) return cached;
  }
  const fn = 'oneHotEncoder';
  if (!isRecord(state)) throw new TransformerStateError(fn, `expected { columns, categories }, got ${kind(state)}`);
  const { columns, categories } = state;
  if (!isStringArray(columns)) throw new TransformerStateError(fn, 'columns is not an array of column names');
  const index = new Map(columns.map((c, i) => [c, i]));
  if (index.size !== columns.length) throw new TransformerStateError(fn, 'columns has a name twice');
  if (!Array.isArray(categories) || categories.length !== columns.length) {
    throw new TransformerStateError(fn, `categories is not ${columns.length} arrays of categories, one per column`);
  }
  const lookups: Map<Category, number>[] = [];
  const names: string[][] = [];
  const outputs = new Map<string, string>();
  for (let i = 0; i < columns.length; i++) {
    const list: unknown = categories[i];
    const column = columns[i]!;
    if (!Array.isArray(list) || !list.every(isCategory)) {
      throw new TransformerStateError(fn, `the categories of '${column}' are not an array of numbers, strings, booleans or null`);
    }
    const lookup = new Map<Category, number>(list.map((c: Category, k) => [c, k]));
    if (lookup.size !== list.length) throw new TransformerStateError(fn, `the categories of '${column}' have a value twice`);
    lookups.push(lookup);
    const columnNames = list.map((c: Category) => `${column}_${String(c)}`);
    for (const name of columnNames) {
      const other = outputs.get(name);
      if (other !== undefined) {
        throw new InvalidDataError(
          `${fn} would make the column '${name}' twice (from '${other}' and '${column}')`,
          'rename a column so that its encoded columns get other names',
        );
      }
      outputs.set(name, column);
    }
    names.push(columnNames);
  }
  const plan: EncoderPlan = { columns: [...columns], index, categories, lookups, names, outputs };
  encoderPlans.set(state, plan);
  return plan;
}

function collision(name: string, plan: EncoderPlan): InvalidDataError {
  return new InvalidDataError(
    `oneHotEncoder would make a column '${name}' (a category of '${plan.outputs.get(name)!}'), but the features have a column of that name`,
    'rename that column, or leave it out of the features',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// pipeline

/** The state of one transformer. */
export type StateOf<T> = T extends { fit(features: DataFrame): infer S } ? Awaited<S> : never;

/** The state of a {@link pipeline}: the states of its steps, in order (JSON, as they are). */
export type PipelineState<TSteps extends readonly unknown[]> = { -readonly [K in keyof TSteps]: StateOf<TSteps[K]> };

/**
 * Chains transformers: `fit` fits each step on the output of the steps before it, and `transform` applies them in
 * order. The state is the array of the steps' states. When every step is synchronous (as {@link standardScaler} and
 * {@link oneHotEncoder} are), so is the pipeline; with an asynchronous step, it returns promises.
 *
 * @throws {@link TransformerStateError} at transform time when the state is not one state per step.
 * @example
 * ```ts
 * const preprocess = pipeline(oneHotEncoder({ columns: ['color'] }), standardScaler({ columns: ['size'] }));
 * const state = preprocess.fit(train); // [{ columns: ['color'], categories: [...] }, { columns: ['size'], ... }]
 * const X = preprocess.transform(test, state);
 * // with @unionml/core: dataset.featureTransformer(preprocess)
 * ```
 */
export function pipeline<const TSteps extends readonly FrameTransformer<unknown>[]>(...steps: TSteps): FrameTransformer<PipelineState<TSteps>>;
export function pipeline<const TSteps extends readonly AsyncFrameTransformer<unknown>[]>(...steps: TSteps): AsyncFrameTransformer<PipelineState<TSteps>>;
export function pipeline(...steps: readonly AsyncFrameTransformer<unknown>[]): AsyncFrameTransformer<unknown[]> {
  steps.forEach((step, i) => {
    if (!isRecord(step) || typeof step.fit !== 'function' || typeof step.transform !== 'function') {
      throw new DataOptionsError('pipeline', `step ${i}`, `step ${i} is ${kind(step)}, not a transformer with fit and transform`);
    }
  });
  const fitFrom = (i: number, frame: DataFrame, states: unknown[]): unknown[] | Promise<unknown[]> => {
    if (i === steps.length) return states;
    const step = steps[i]!;
    const next = (state: unknown): unknown[] | Promise<unknown[]> => {
      states.push(state);
      // The last step's output is not needed to fit.
      if (i === steps.length - 1) return states;
      const out = step.transform(frame, state);
      return isPromise(out) ? out.then((f) => fitFrom(i + 1, f, states)) : fitFrom(i + 1, out, states);
    };
    const fitted = step.fit(frame);
    return isPromise(fitted) ? fitted.then(next) : next(fitted);
  };
  const transformFrom = (start: number, frame: DataFrame, states: readonly unknown[]): DataFrame | Promise<DataFrame> => {
    for (let i = start; i < steps.length; i++) {
      const out = steps[i]!.transform(frame, states[i]);
      if (isPromise(out)) return out.then((f) => transformFrom(i + 1, f, states));
      frame = out;
    }
    return frame;
  };
  return {
    fit: (features) => fitFrom(0, features, []),
    transform(features, state) {
      if (!Array.isArray(state) || state.length !== steps.length) {
        throw new TransformerStateError('pipeline', `expected an array of ${steps.length} states, one per step, got ${describeValue(state)}`);
      }
      return transformFrom(0, features, state);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isCategory(value: unknown): value is Category {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function checkFrame(fn: string, method: string, features: unknown): asserts features is DataFrame {
  if (!DataFrame.isDataFrame(features)) {
    throw new InvalidDataError(`${fn}.${method} takes a DataFrame, got ${kind(features)}`, 'convert the features first: DataFrame.from(records)');
  }
}

function requireColumns(fn: string, features: DataFrame, columns: readonly string[]): void {
  const missing = columns.filter((c) => !features.has(c));
  if (missing.length) throw new ColumnsMissingError(missing, features.columns, `the features of ${fn}`);
}

function checkOptions(fn: string, options: unknown, known: readonly string[]): void {
  if (!isRecord(options)) throw new DataOptionsError(fn, 'options', `expected an options object, got ${kind(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new DataOptionsError(fn, key, `unknown option '${key}'; the options are ${known.join(', ')}`);
  }
}

function checkColumns(fn: string, columns: unknown): string[] {
  if (!isStringArray(columns) || columns.length === 0) {
    throw new DataOptionsError(fn, 'columns', `columns must be a non-empty array of column names, got ${describeValue(columns)}`, "e.g. columns: ['age']");
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new DataOptionsError(fn, 'columns', `columns names '${c}' twice`);
    seen.add(c);
  }
  return [...columns];
}

function checkBoolean(fn: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new DataOptionsError(fn, option, `${option} must be true or false, got ${describeValue(value)}`);
  return value;
}
