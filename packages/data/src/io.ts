import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { DataFrame } from './dataframe.js';
import { DATA_ERRORS, DataFileError, InvalidDataError } from './errors.js';
import { parseJson } from './json.js';

const gunzipAsync = promisify(gunzip);

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /** The first line holds the column names. Default: true unless `columns` is given. */
  header?: boolean;
  /** Column names (required names when there is no header line; renames the header otherwise). */
  columns?: readonly string[];
  /** Field delimiter. Default `,`. */
  delimiter?: string;
}

/**
 * Reads a CSV file (`.csv` or gzip-compressed `.csv.gz`) into a DataFrame. Numbers, booleans and empty cells
 * (`null`) are typed. Only local files: UnionML never fetches data at run time.
 */
export async function readCsv(file: string | URL, options: ReadCsvOptions = {}): Promise<DataFrame> {
  const path = toPath(file);
  const text = await readText(path);
  const header = options.header ?? options.columns === undefined;
  const parsed = Papa.parse<unknown[]>(text, { header: false, dynamicTyping: true, skipEmptyLines: true, delimiter: options.delimiter ?? ',' });
  const bad = parsed.errors[0];
  if (bad) throw new DataFileError(path, `${path} is not valid CSV: ${bad.message}${bad.row !== undefined ? ` (row ${bad.row + 1})` : ''}`);
  const rows = parsed.data;
  let columns: string[];
  if (header) {
    const first = rows.shift() ?? [];
    columns = options.columns ? [...options.columns] : first.map((c) => String(c));
  } else {
    columns = options.columns ? [...options.columns] : (rows[0] ?? []).map((_, i) => `column_${i}`);
  }
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.length !== columns.length) {
      throw new DataFileError(path, `${path} line ${r + (header ? 2 : 1)} has ${rows[r]!.length} fields, expected ${columns.length}`, {
        hint: options.columns ? 'check the columns option against the file' : undefined,
      });
    }
  }
  return DataFrame.fromRows(rows, columns);
}

/**
 * Reads a JSON file of records (`[{"x": 1}, ...]`) or of columns (`{"x": [1, ...]}`) into a DataFrame.
 * A syntax error names the file, line and column.
 */
export async function readJson(file: string | URL): Promise<DataFrame> {
  const path = toPath(file);
  const value = parseJson(await readText(path), path);
  try {
    return DataFrame.from(value);
  } catch (error) {
    if (error instanceof InvalidDataError) throw new DataFileError(path, `${path}: ${error.message}`, { hint: error.hint, cause: error });
    throw error;
  }
}

/** Reads a whole text file, gunzipping `.gz`; a missing file gives {@link DataFileError} `DATA_FILE_NOT_FOUND`. */
export async function readText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError(path, `data file not found: ${path}`, { code: DATA_ERRORS.DATA_FILE_NOT_FOUND, cause: error });
    throw new DataFileError(path, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (path.endsWith('.gz')) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw new DataFileError(path, `${path} is not valid gzip: ${(error as Error).message}`, { cause: error });
    }
  }
  return bytes.toString('utf8');
}

function toPath(file: string | URL): string {
  if (file instanceof URL || file.startsWith('file:')) return fileURLToPath(file);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    throw new DataFileError(file, `only local files can be read, not ${file}`, {
      hint: 'ship the data with the app; UnionML never downloads data at run time',
    });
  }
  return file;
}
