// hyparquet and hyparquet-writer load lazily (~90 ms together): only Flyte task boundaries need Parquet.
import type { FileMetaData } from 'hyparquet';
import { DataFrame, type Scalar } from './dataframe.js';
import { InvalidDataError } from './errors.js';
import { bigintToJson } from './json.js';

type ParquetType = 'DOUBLE' | 'STRING' | 'BOOLEAN';

/**
 * Encodes a frame as a Parquet file (the format of Flyte structured datasets, which pandas reads with
 * `pd.read_parquet`): number columns as DOUBLE, strings as UTF-8 STRING, booleans as BOOLEAN; `null` cells are
 * nulls. A column that mixes types cannot be written.
 */
export async function toParquet(frame: DataFrame): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columnData = frame.columns.map((name) => {
    const values = frame.column(name);
    const type = parquetType(name, values);
    return { name, data: [...values], type };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

/**
 * Decodes a Parquet file into a frame, as pandas and pyarrow (and Spark, DuckDB, polars) write them:
 * - every codec Parquet defines but LZO (snappy, gzip, zstd, brotli, LZ4 and LZ4_RAW, uncompressed), through
 *   hyparquet-compressors;
 * - index columns that pandas recorded in its schema metadata (`__index_level_0__` after a filter or with a string
 *   index, a named index, each level of a multi-index) are the frame's index, not data: they are left out;
 * - cells that are not JSON scalars become strings, so that a frame can hold them and only the columns a model uses
 *   need to be numbers: timestamps are ISO 8601 in UTC (naive ones are read as UTC, as flytekit reads them; to the
 *   millisecond), dates `YYYY-MM-DD`, times `HH:MM:SS.ffffff`, binary base64, lists, structs and maps JSON;
 * - INT64 values are numbers when they are safe integers, else their decimal strings; decimals are numbers.
 */
export async function fromParquet(bytes: Uint8Array): Promise<DataFrame> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const [{ parquetMetadata, parquetReadObjects, parquetSchema }, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  let rows: Record<string, unknown>[];
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
    rows = (await parquetReadObjects({ file, metadata, compressors, utf8: false })) as Record<string, unknown>[];
  } catch (error) {
    const message = (error as Error).message;
    const codec = /unsupported compression codec/.test(message)
      ? ' (this reader takes uncompressed, snappy, gzip, zstd, brotli, LZ4 and LZ4_RAW: write the file with one of them)'
      : '';
    throw new InvalidDataError(`not a valid Parquet file: ${message}${codec}`);
  }
  const index = new Set(pandasIndexColumns(metadata));
  const fields = parquetSchema(metadata).children.map((child) => child.element);
  const columns = fields.map((f) => f.name).filter((name) => !index.has(name));
  const dates = new Set(fields.filter((f) => f.logical_type?.type === 'DATE' || f.converted_type === 'DATE').map((f) => f.name));
  const times = new Set(fields.filter((f) => f.logical_type?.type === 'TIME' || f.converted_type?.startsWith('TIME_')).map((f) => f.name));
  const unit = (name: string) => {
    const field = fields.find((f) => f.name === name);
    const logical = field?.logical_type;
    if (logical?.type === 'TIME') return logical.unit;
    return field?.converted_type === 'TIME_MILLIS' ? 'MILLIS' : 'MICROS';
  };
  const cells = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const name of columns) {
      const value = row[name];
      out[name] = dates.has(name) && value instanceof Date ? value.toISOString().slice(0, 10) : times.has(name) ? timeOfDay(value, unit(name)) : cell(value);
    }
    return out;
  });
  return DataFrame.fromRecords(cells, { columns });
}

/** The index columns pandas recorded in the file's `pandas` metadata (a RangeIndex is not stored: none). */
function pandasIndexColumns(metadata: FileMetaData): string[] {
  const pandas = metadata.key_value_metadata?.find((entry) => entry.key === 'pandas')?.value;
  if (!pandas) return [];
  try {
    const indexColumns = (JSON.parse(pandas) as { index_columns?: unknown[] }).index_columns ?? [];
    return indexColumns.filter((column): column is string => typeof column === 'string');
  } catch {
    return [];
  }
}

/** A cell as a frame holds it: scalars as they are, other values as strings (see {@link fromParquet}). */
function cell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return bigintToJson(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'object') return JSON.stringify(value, (_key, inner: unknown) => plain(inner));
  return value;
}

/** JSON-able nested values: bigints as numbers (or strings beyond 2^53), bytes as base64, dates as ISO strings. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return bigintToJson(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

/** A TIME value (milliseconds, microseconds or nanoseconds since midnight) as `HH:MM:SS.ffffff`. */
function timeOfDay(value: unknown, unit: string | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' && typeof value !== 'bigint') return cell(value);
  const perSecond = unit === 'MILLIS' ? 1_000n : unit === 'NANOS' ? 1_000_000_000n : 1_000_000n;
  const ticks = BigInt(value);
  const seconds = ticks / perSecond;
  const micros = ((ticks % perSecond) * 1_000_000n) / perSecond;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}.${micros.toString().padStart(6, '0')}`;
}

function parquetType(name: string, values: readonly Scalar[]): ParquetType {
  let type: ParquetType | undefined;
  for (const v of values) {
    if (v === null) continue;
    const t: ParquetType = typeof v === 'number' ? 'DOUBLE' : typeof v === 'boolean' ? 'BOOLEAN' : 'STRING';
    if (type && type !== t)
      throw new InvalidDataError(`column '${name}' mixes ${type.toLowerCase()} and ${t.toLowerCase()} values; a Parquet column has one type`);
    type = t;
  }
  return type ?? 'DOUBLE';
}
