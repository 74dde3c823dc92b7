import { createRequire } from 'node:module';
import { ColumnsMissingError, DanfoMissingError, InvalidDataError, NonNumericValueError, describeValue } from './errors.js';

/** A cell value: JSON's scalars. */
export type Scalar = number | string | boolean | null;

/** One row as a plain object, `{ column: value }`. */
export type Row = Record<string, Scalar>;

/** The type of a column, inferred from its values (`null` cells are ignored). */
export type ColumnType = 'number' | 'string' | 'boolean' | 'mixed' | 'empty';

/** A column's name and type, e.g. as recorded when a model is trained. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
}

/** What {@link DataFrame.from} accepts: a DataFrame, records, a `{column: values}` object or a danfo DataFrame. */
export type DataFrameInput = DataFrame | readonly Record<string, unknown>[] | Readonly<Record<string, readonly unknown[]>> | DanfoLike;

/** The part of a danfojs DataFrame this package reads. */
export interface DanfoLike {
  readonly columns: string[];
  readonly values: unknown[][] | unknown[];
  readonly shape: number[];
}

/** A dense float32 matrix in row-major order, ready for `tf.tensor2d(values, [rows, cols])`. */
export interface TypedMatrix {
  values: Float32Array;
  rows: number;
  cols: number;
}

const BRAND = Symbol.for('unionml.dataframe');

/**
 * An immutable, column-oriented table.
 *
 * It is the tabular type of UnionML datasets. It is built for the paths that run on every request
 * (records in, validated columns, numbers out) and interoperates with danfojs-node for analysis:
 * {@link DataFrame.toDanfo} and {@link DataFrame.from} convert both ways, loading danfojs only then.
 *
 * @example
 * ```ts
 * const df = DataFrame.fromRecords([{ x: 1, y: 0 }, { x: 2, y: 1 }]);
 * df.select(['x']).toMatrix(); // [[1], [2]]
 * ```
 */
export class DataFrame {
  /** Column names, in order. */
  readonly columns: readonly string[];
  /** Number of rows. */
  readonly length: number;
  #store: ReadonlyMap<string, readonly Scalar[]> | undefined;
  /** The row-major numbers of a frame made by {@link DataFrame.fromNumericMatrix}, whose columns are made on first use. */
  readonly #matrix: ArrayLike<number> | undefined;

  private constructor(columns: readonly string[], data: ReadonlyMap<string, readonly Scalar[]> | undefined, length: number, matrix?: ArrayLike<number>) {
    this.columns = columns;
    this.#store = data;
    this.#matrix = matrix;
    this.length = length;
  }

  /** The columns by name (made from the matrix on first use, for a frame of {@link DataFrame.fromNumericMatrix}). */
  get #data(): ReadonlyMap<string, readonly Scalar[]> {
    return (this.#store ??= columnsOfMatrix(this.columns, this.#matrix!, this.length));
  }

  /** True for a DataFrame of any copy of this package. */
  static isDataFrame(value: unknown): value is DataFrame {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** An empty frame with the given columns. */
  static empty(columns: readonly string[] = []): DataFrame {
    return DataFrame.fromColumns(Object.fromEntries(columns.map((c) => [c, []])));
  }

  /**
   * Builds a frame from row objects. Columns are the union of keys in order of first appearance; a key
   * absent from a row gives `null` there.
   *
   * @param options.columns take exactly these columns, in this order (absent keys become `null`).
   */
  static fromRecords(records: readonly Record<string, unknown>[], options: { columns?: readonly string[] } = {}): DataFrame {
    // Checked for JS callers; isArray keeps the element type (Array.isArray would narrow a readonly array to any[]).
    if (!isArray(records)) throw new InvalidDataError(`expected an array of records, got ${kind(records)}`);
    let columns: string[];
    if (options.columns) {
      columns = [...options.columns];
    } else {
      const seen = new Set<string>();
      for (let r = 0; r < records.length; r++) {
        const record = records[r];
        if (!isPlainObject(record)) {
          throw new InvalidDataError(`record ${r} is ${kind(record)}, expected an object of column values`, 'send rows as objects, e.g. [{"x": 1, "y": 2}]');
        }
        for (const key in record) seen.add(key);
      }
      columns = [...seen];
    }
    for (let r = 0; r < records.length; r++) {
      if (!isPlainObject(records[r])) {
        throw new InvalidDataError(`record ${r} is ${kind(records[r])}, expected an object of column values`, 'send rows as objects, e.g. [{"x": 1, "y": 2}]');
      }
    }
    // Column by column: this runs on every prediction request, so no per-cell map lookups.
    const data = new Map<string, Scalar[]>();
    for (const c of columns) {
      const values = new Array<Scalar>(records.length);
      for (let r = 0; r < records.length; r++) {
        const v = records[r]![c];
        values[r] = typeof v === 'number' ? v : scalar(v, c, r);
      }
      data.set(c, values);
    }
    return new DataFrame(columns, data, records.length);
  }

  /** Builds a frame from `{ column: values }`; every column must have the same length. */
  static fromColumns(columns: Readonly<Record<string, readonly unknown[]>>): DataFrame {
    if (!isPlainObject(columns)) throw new InvalidDataError(`expected an object of column arrays, got ${kind(columns)}`);
    const names = Object.keys(columns);
    const data = new Map<string, Scalar[]>();
    let length: number | undefined;
    for (const name of names) {
      const values = columns[name];
      if (!Array.isArray(values)) throw new InvalidDataError(`column '${name}' is ${kind(values)}, expected an array of values`);
      if (length !== undefined && values.length !== length) {
        throw new InvalidDataError(`column '${name}' has ${values.length} values but '${names[0]}' has ${length}; all columns need the same length`);
      }
      length = values.length;
      data.set(
        name,
        values.map((v, r) => scalar(v, name, r)),
      );
    }
    return new DataFrame(names, data, length ?? 0);
  }

  /** Builds a frame from row arrays and column names. */
  static fromRows(rows: readonly (readonly unknown[])[], columns: readonly string[]): DataFrame {
    const data = new Map<string, Scalar[]>(columns.map((c) => [c, new Array<Scalar>(rows.length)]));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!Array.isArray(row) || row.length !== columns.length) {
        throw new InvalidDataError(`row ${r} has ${Array.isArray(row) ? row.length : 0} values, expected ${columns.length} (${columns.join(', ')})`);
      }
      for (let c = 0; c < columns.length; c++) data.get(columns[c]!)![r] = scalar(row[c], columns[c]!, r);
    }
    return new DataFrame([...columns], data, rows.length);
  }

  /**
   * Builds a frame from column arrays without copying or checking them: for callers that have already made every
   * cell a {@link Scalar} (e.g. a validating request parser). Every array must have `length` values.
   */
  static fromColumnArrays(columns: readonly string[], arrays: readonly (readonly Scalar[])[], length: number): DataFrame {
    if (arrays.length !== columns.length) throw new InvalidDataError(`fromColumnArrays: ${columns.length} columns but ${arrays.length} arrays`);
    return new DataFrame([...columns], new Map(columns.map((c, i) => [c, arrays[i]!])), length);
  }

  /**
   * Builds a frame of numbers from a row-major matrix (`rows × columns.length` values, a `number[]` or a
   * `Float64Array`) without copying or checking it: for callers that have made sure every value is a finite number
   * (e.g. a validating request parser). The matrix must not change afterwards. {@link DataFrame.toTypedMatrix} and
   * {@link DataFrame.toMatrix} read it directly; the columns are made on first use.
   */
  static fromNumericMatrix(columns: readonly string[], values: ArrayLike<number>, rows: number): DataFrame {
    if (values.length !== rows * columns.length) {
      throw new InvalidDataError(`fromNumericMatrix: ${values.length} values for ${rows} rows of ${columns.length} columns`);
    }
    return new DataFrame([...columns], undefined, rows, values);
  }

  /** Converts a danfojs DataFrame (or anything with `columns` and row-major `values`). */
  static fromDanfo(frame: DanfoLike): DataFrame {
    const values = frame.values;
    const rows = frame.shape.length === 1 || (values.length > 0 && !Array.isArray(values[0])) ? (values as unknown[]).map((v) => [v]) : (values as unknown[][]);
    return DataFrame.fromRows(rows, frame.columns);
  }

  /** Coerces any {@link DataFrameInput} to a DataFrame (anything else throws); returns DataFrames unchanged. */
  static from(input: unknown): DataFrame {
    if (DataFrame.isDataFrame(input)) return input;
    if (Array.isArray(input)) return DataFrame.fromRecords(input as Record<string, unknown>[]);
    if (isDanfoLike(input)) return DataFrame.fromDanfo(input);
    if (isPlainObject(input) && Object.values(input).every(Array.isArray)) return DataFrame.fromColumns(input as Record<string, unknown[]>);
    throw new InvalidDataError(
      `cannot make a DataFrame from ${kind(input)}`,
      'pass an array of records ([{"x": 1}]), an object of columns ({"x": [1]}), a DataFrame or a danfojs DataFrame',
    );
  }

  /** `[rows, columns]`. */
  get shape(): [number, number] {
    return [this.length, this.columns.length];
  }

  /** True if the frame has the column. */
  has(column: string): boolean {
    return this.#data.has(column);
  }

  /** The values of one column. */
  column(name: string): readonly Scalar[] {
    const values = this.#data.get(name);
    if (!values) throw new ColumnsMissingError([name], this.columns);
    return values;
  }

  /** The type of each column, from its values. */
  schema(): ColumnSchema[] {
    return this.columns.map((name) => ({ name, type: columnType(this.#data.get(name)!) }));
  }

  /** A frame with only these columns, in this order. Throws {@link ColumnsMissingError} naming any absent ones. */
  select(columns: readonly string[], context?: string): DataFrame {
    const missing = columns.filter((c) => !this.#data.has(c));
    if (missing.length) throw new ColumnsMissingError(missing, this.columns, context);
    return new DataFrame([...columns], new Map(columns.map((c) => [c, this.#data.get(c)!])), this.length);
  }

  /** A frame without these columns (absent names are ignored). */
  drop(columns: readonly string[]): DataFrame {
    const dropped = new Set(columns);
    return this.select(this.columns.filter((c) => !dropped.has(c)));
  }

  /** A frame with one column added or replaced. */
  assign(column: string, values: readonly unknown[]): DataFrame {
    if (values.length !== this.length) throw new InvalidDataError(`cannot assign ${values.length} values to '${column}' in a frame of ${this.length} rows`);
    const data = new Map(this.#data);
    data.set(
      column,
      values.map((v, r) => scalar(v, column, r)),
    );
    return new DataFrame(this.#data.has(column) ? this.columns : [...this.columns, column], data, this.length);
  }

  /** The rows at these indices, in this order. */
  take(indices: readonly number[]): DataFrame {
    const data = new Map<string, Scalar[]>();
    for (const c of this.columns) {
      const src = this.#data.get(c)!;
      data.set(
        c,
        indices.map((i) => {
          if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`row index ${i} is out of range for ${this.length} rows`);
          return src[i]!;
        }),
      );
    }
    return new DataFrame(this.columns, data, indices.length);
  }

  /** The first `n` rows. */
  head(n = 5): DataFrame {
    return this.take(Array.from({ length: Math.min(n, this.length) }, (_, i) => i));
  }

  /** The rows as objects. */
  toRecords(): Row[] {
    const cols = this.columns.map((c) => [c, this.#data.get(c)!] as const);
    const out = new Array<Row>(this.length);
    for (let r = 0; r < this.length; r++) {
      const row: Row = {};
      for (const [c, values] of cols) row[c] = values[r]!;
      out[r] = row;
    }
    return out;
  }

  /** `{ column: values }`. */
  toColumns(): Record<string, Scalar[]> {
    return Object.fromEntries(this.columns.map((c) => [c, [...this.#data.get(c)!]]));
  }

  /** Records, so that `JSON.stringify(df)` gives `[{...}, ...]`. */
  toJSON(): Row[] {
    return this.toRecords();
  }

  /** Numbers as `rows × columns` arrays. Throws {@link NonNumericValueError} at the first non-number. */
  toMatrix(): number[][] {
    const matrix = this.#matrix;
    if (matrix) {
      const m = this.columns.length;
      const rows = new Array<number[]>(this.length);
      for (let r = 0; r < this.length; r++) {
        const row = new Array<number>(m);
        for (let c = 0; c < m; c++) row[c] = matrix[r * m + c]!;
        rows[r] = row;
      }
      return rows;
    }
    const cols = this.columns.map((c) => this.#numeric(c));
    const out = new Array<number[]>(this.length);
    for (let r = 0; r < this.length; r++) {
      const row = new Array<number>(cols.length);
      for (let c = 0; c < cols.length; c++) row[c] = cols[c]![r] as number;
      out[r] = row;
    }
    return out;
  }

  /** Numbers as one row-major Float32Array, e.g. for `tf.tensor2d(m.values, [m.rows, m.cols])`. */
  toTypedMatrix(): TypedMatrix {
    const matrix = this.#matrix;
    if (matrix) {
      return { values: new Float32Array(matrix), rows: this.length, cols: this.columns.length };
    }
    const cols = this.columns.map((c) => this.#numeric(c));
    const values = new Float32Array(this.length * cols.length);
    for (let c = 0; c < cols.length; c++) {
      const src = cols[c]!;
      for (let r = 0; r < this.length; r++) values[r * cols.length + c] = src[r] as number;
    }
    return { values, rows: this.length, cols: cols.length };
  }

  /** One column as numbers: the named one, or the only one. */
  toVector(column?: string): number[] {
    if (column === undefined) {
      if (this.columns.length !== 1)
        throw new InvalidDataError(`toVector() needs a column name: this frame has ${this.columns.length} columns (${this.columns.join(', ')})`);
      column = this.columns[0]!;
    }
    return [...this.#numeric(column)] as number[];
  }

  /** A danfojs-node DataFrame with the same data. Loads danfojs-node on first use (~0.7 s). */
  toDanfo(): unknown {
    const { DataFrame: DanfoFrame } = loadDanfo();
    return new DanfoFrame(this.toColumns());
  }

  #numeric(name: string): readonly Scalar[] {
    const values = this.column(name);
    if (this.#matrix) return values; // finite numbers by construction
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonNumericValueError(name, r, v);
    }
    return values;
  }
}

// The brand of every DataFrame, on the prototype: one defined on each instance would cost every frame (one per
// prediction request) a slow property definition.
Object.defineProperty(DataFrame.prototype, BRAND, { value: true });

type DanfoModule = { DataFrame: new (data: unknown) => unknown };
let danfo: DanfoModule | undefined;

/** Loads danfojs-node synchronously, once. Kept out of every start-up path: it costs ~0.7 s. */
export function loadDanfo(): DanfoModule {
  if (!danfo) {
    // Lazy: a static import would make every user of this package pay danfo's start-up cost.
    danfo = requireDanfo();
  }
  return danfo;
}

function requireDanfo(): DanfoModule {
  try {
    return createRequire(import.meta.url)('danfojs-node') as DanfoModule;
  } catch (error) {
    // Only its absence is ours to explain; danfo failing to load for another reason is reported as it is.
    const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'danfojs-node'");
    if (missing) throw new DanfoMissingError(error);
    throw error;
  }
}

/** The columns of a row-major matrix, by name. */
function columnsOfMatrix(columns: readonly string[], matrix: ArrayLike<number>, rows: number): Map<string, number[]> {
  const m = columns.length;
  const data = new Map<string, number[]>();
  for (let c = 0; c < m; c++) {
    const values = new Array<number>(rows);
    for (let r = 0; r < rows; r++) values[r] = matrix[r * m + c]!;
    data.set(columns[c]!, values);
  }
  return data;
}

function isDanfoLike(value: unknown): value is DanfoLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as DanfoLike).columns) &&
    Array.isArray((value as DanfoLike).shape) &&
    Array.isArray((value as DanfoLike).values)
  );
}

/** True for a plain object (`{...}`, not an array, null, a class instance or a DataFrame). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `Array.isArray` as a guard that keeps the element type of a readonly array. */
function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function scalar(value: unknown, column: string, row: number): Scalar {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    default:
      throw new InvalidDataError(
        `column '${column}' row ${row} holds ${kind(value)} ${describeValue(value)}; cells must be numbers, strings, booleans or null`,
      );
  }
}

function columnType(values: readonly Scalar[]): ColumnType {
  let type: ColumnType = 'empty';
  for (const v of values) {
    if (v === null) continue;
    const t = typeof v as 'number' | 'string' | 'boolean';
    if (type === 'empty') type = t;
    else if (type !== t) return 'mixed';
  }
  return type;
}

/** "an array", "a string", "null"... for messages. */
export function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (DataFrame.isDataFrame(value)) return 'a DataFrame';
  const t = typeof value;
  if (t === 'object') return 'an object';
  return t === 'number' || t === 'string' || t === 'boolean' || t === 'function' ? `a ${t}` : t;
}
