// hyparquet and hyparquet-writer load lazily (~90 ms together): only Flyte task boundaries need Parquet.
import { DataFrame, type Scalar } from './dataframe.js';
import { InvalidDataError } from './errors.js';

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

/** Decodes a Parquet file into a frame (INT64 values become numbers when they are safe integers). */
export async function fromParquet(bytes: Uint8Array): Promise<DataFrame> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { parquetReadObjects } = await import('hyparquet');
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  } catch (error) {
    throw new InvalidDataError(`not a valid Parquet file: ${(error as Error).message}`);
  }
  const columns = await parquetColumns(file);
  return DataFrame.fromRecords(rows.map(normalizeRow), { columns });
}

async function parquetColumns(file: ArrayBuffer): Promise<string[]> {
  const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const metadata = await parquetMetadataAsync(file);
  return parquetSchema(metadata).children.map((child) => child.element.name);
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const v = row[key];
    if (typeof v === 'bigint') row[key] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  return row;
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
