import type { DataFrame, DataFrameInput } from '@unionml/data';

/** Arguments of a reader that takes none. */
export type NoArgs = Record<never, never>;

/** Something that may be awaited. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The data types of a {@link Dataset}, for datasets that are not tables. Every field is optional; the defaults
 * describe the tabular pipeline (reader → DataFrame → `[features, target]` DataFrames).
 *
 * @example
 * ```ts
 * // a dataset of number arrays whose parser yields [features, labels]
 * new Dataset<NoArgs, { data: number[][]; parsed: [number[][], number[]] }>({ name: 'arrays', tabular: false });
 * ```
 */
export interface DatasetSpec {
  /** What the reader returns (the loader's input). Default: `data`, or any {@link DataFrameInput} for tables. */
  raw?: unknown;
  /** What the loader returns: the splitter's and the parser's input. Default: `DataFrame`. */
  data?: unknown;
  /** What the parser returns, features first. Default: `[DataFrame, DataFrame]` for tables, else `[data]`. */
  parsed?: readonly unknown[];
  /** What the feature loader and transformer return and the predictor receives. Default: `parsed[0]`. */
  features?: unknown;
  /** What the feature loader accepts: the `features` of a prediction request. Default: records for tables. */
  rawFeatures?: unknown;
}

type Get<S, K extends keyof DatasetSpec, D> = S extends { [P in K]-?: infer T } ? Exclude<T, undefined> : D;

/** The loader's output type. */
export type DataOf<S> = Get<S, 'data', DataFrame>;
/** The reader's output type. */
export type RawOf<S> = Get<S, 'raw', DataOf<S> extends DataFrame ? DataFrameInput : DataOf<S>>;
/** The parser's output tuple. */
export type ParsedOf<S> = Extract<
  Get<S, 'parsed', DataOf<S> extends DataFrame ? [features: DataFrame, target: DataFrame] : [data: DataOf<S>]>,
  readonly unknown[]
>;
/** The features the predictor receives. */
export type FeaturesOf<S> = Get<S, 'features', ParsedOf<S> extends readonly [infer F, ...unknown[]] ? F : unknown>;
/** What prediction requests send as `features`. */
export type RawFeaturesOf<S> = Get<S, 'rawFeatures', FeaturesOf<S> extends DataFrame ? DataFrameInput : FeaturesOf<S>>;

/** Compute resources of a Flyte task, as Kubernetes quantities (`"1"`, `"500m"`, `"1Gi"`). */
export interface Resources {
  cpu?: string;
  memory?: string;
  gpu?: string;
  ephemeralStorage?: string;
}

/**
 * Settings of the Flyte task a component becomes when the app runs on a cluster. They are stored now and used
 * by the Flyte compiler; local runs ignore them.
 */
export interface TaskOptions {
  /** Cache the task's outputs on Flyte. */
  cache?: boolean;
  /** The cache version; change it to invalidate the cache. */
  cacheVersion?: string;
  /** Retries on recoverable failures. */
  retries?: number;
  /** Timeout in seconds. */
  timeoutSeconds?: number;
  /** Run on interruptible (spot) machines. */
  interruptible?: boolean;
  /** Requested resources. Default `{ cpu: "1", memory: "1Gi" }`. */
  requests?: Resources;
  /** Resource limits. Default `{ cpu: "1", memory: "1Gi" }`. */
  limits?: Resources;
}

/** The keyword arguments every splitter receives (defaults from the Dataset). */
export interface SplitterKwargs {
  testSize: number;
  shuffle: boolean;
  randomState: number;
  /** The column whose classes keep their proportions in both splits (scikit-learn's `stratify`), if any. */
  stratify?: string;
}

/** The keyword arguments every parser receives (defaults from the Dataset). */
export interface ParserKwargs {
  features: readonly string[];
  targets: readonly string[];
}

/** Named metric values of one split, e.g. `{ accuracy: 0.96 }` or `{ r2: 0.48, mse: 2900 }`. */
export type MetricValues = Record<string, number>;

/**
 * Metrics of a trained model: the evaluator's named values on each split, e.g.
 * `{ train: { accuracy: 0.99 }, test: { accuracy: 0.96 } }`. An evaluator that returns one number gives one value
 * named by its `metric` option, else by the evaluator function's name, else `score`.
 */
export interface Metrics {
  train?: MetricValues;
  test?: MetricValues;
}

/** A label of a classifier: a target value. */
export type ClassLabel = string | number | boolean;

/**
 * What training learned about the predictions on the test split (the train split when there is none), kept in the
 * model file for reports: a confusion matrix for classifiers, predicted against actual values for regressions.
 */
export type Evaluation =
  | {
      kind: 'classification';
      split: 'train' | 'test';
      /** The target column. */
      target: string;
      /** The classes, sorted; rows and columns of `matrix` follow this order. */
      labels: ClassLabel[];
      /** `matrix[i][j]`: how many rows of actual class `labels[i]` were predicted as `labels[j]`. */
      matrix: number[][];
    }
  | {
      kind: 'regression';
      split: 'train' | 'test';
      target: string;
      /** Actual values, at most 2,000 (an evenly spaced sample when the split is larger), paired with `predicted`. */
      actual: number[];
      predicted: number[];
      /** How many rows the split had. */
      rows: number;
    };

/**
 * Preprocessing that is fitted on the training split, e.g. standardisation or one-hot encoding: `fit` learns a
 * state from the training features, `transform` applies it. The state is kept in the model file (so it must be
 * JSON data) and used again, unchanged, for the test split and every prediction (local, served and on Flyte).
 *
 * @example
 * ```ts
 * dataset.featureTransformer({
 *   fit: (features) => ({ mean: features.mean() }),
 *   transform: (features, { mean }) => features.sub(mean),
 * });
 * ```
 */
export interface FittedTransformer<TFeatures, TState> {
  /** Learns the state from the training split's features. */
  fit(features: TFeatures): MaybePromise<TState>;
  /** Applies the state to features (training, test and prediction alike). */
  transform(features: TFeatures, state: TState): MaybePromise<TFeatures>;
}
