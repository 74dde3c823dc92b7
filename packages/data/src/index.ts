/**
 * The DataFrame layer of UnionML: tables from records, columns, CSV and JSON files; column selection with
 * errors that name what is missing; seeded (and stratified) splits identical to scikit-learn's; fitted preprocessing
 * (scikit-learn's StandardScaler and OneHotEncoder); numbers out for estimators; and danfojs-node interop (loaded only
 * when used). Every error is a `UnionMLError` with a code of {@link DATA_ERRORS}.
 *
 * @example
 * ```ts
 * import { readCsv, standardScaler, trainTestSplit } from '@unionml/data';
 * const df = await readCsv('data/iris.csv');
 * const [train, test] = trainTestSplit(df, { testSize: 0.2, randomState: 42, stratify: 'label' });
 * const scaler = standardScaler();
 * const state = scaler.fit(train.drop(['label']));
 * const X = scaler.transform(train.drop(['label']), state).toMatrix();
 * ```
 * @module
 */
export { DataFrame, isPlainObject, kind, loadDanfo } from './dataframe.js';
export type { ColumnSchema, ColumnType, DanfoLike, DataFrameInput, Row, Scalar, TypedMatrix } from './dataframe.js';
export { readCsv, readJson, readText } from './io.js';
export type { ReadCsvOptions } from './io.js';
export { bigintReplacer, bigintToJson, parseJson } from './json.js';
export { fromParquet, toParquet } from './parquet.js';
export { RandomState } from './random.js';
export { splitIndices, trainTestSplit } from './split.js';
export type { SplitIndices, SplitOptions, TrainTestSplitOptions } from './split.js';
export { oneHotEncoder, pipeline, standardScaler } from './preprocessing.js';
export type {
  AsyncFrameTransformer,
  Category,
  FrameTransformer,
  OneHotEncoderOptions,
  OneHotEncoderState,
  PipelineState,
  StandardScalerOptions,
  StandardScalerState,
  StateOf,
} from './preprocessing.js';
export {
  ColumnTypeError,
  ColumnsMissingError,
  ColumnsUnexpectedError,
  DATA_ERRORS,
  DanfoMissingError,
  DataFileError,
  DataOptionsError,
  InvalidDataError,
  JsonSyntaxError,
  NonNumericValueError,
  SplitError,
  TransformerStateError,
  UnknownCategoryError,
} from './errors.js';
export type { DataErrorCode, DataFileErrorCode } from './errors.js';
