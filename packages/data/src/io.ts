import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { DataFrame, kind } from './dataframe.js';
import { DATA_ERRORS, DataFileError, DataOptionsError, InvalidDataError, describeValue } from './errors.js';
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
  /**
   * How many lines at the start of the file to skip before the header (or the first row): pandas' `skiprows` as an
   * int. Blank lines count; a quoted field that spans lines is one line, as in pandas. Default 0.
   */
  skipRows?: number;
}

/**
 * Reads a CSV file (`.csv` or gzip-compressed `.csv.gz`) into a DataFrame. Numbers, booleans and empty cells
 * (`null`) are typed. Only local files: UnionML never fetches data at run time.
 *
 * @param file a path, a `file:` URL string or a `URL` object; other URLs (`https:`...) are refused.
 * @throws {@link DataFileError} when the file is missing (`DATA_FILE_NOT_FOUND`), not valid CSV or gzip, or shorter
 * than `skipRows`; {@link DataOptionsError} when `skipRows` is not a whole number ≥ 0.
 * @example
 * ```ts
 * // a file with two lines of notes above the header
 * const df = await readCsv(new URL('./data/measurements.csv', import.meta.url), { skipRows: 2 });
 * ```
 */
export async function readCsv(file: string | URL, options: ReadCsvOptions = {}): Promise<DataFrame> {
  const path = toPath(file);
  const skipRows = options.skipRows ?? 0;
  if (!Number.isInteger(skipRows) || skipRows < 0) {
    throw new DataOptionsError(
      'readCsv',
      'skipRows',
      `skipRows must be a whole number of lines (0 or more), got ${describeValue(skipRows)}`,
      'e.g. skipRows: 2',
    );
  }
  const delimiter = options.delimiter ?? ',';
  const header = options.header ?? options.columns === undefined;
  let text = await readText(path);
  let skippedLines = 0;
  if (skipRows > 0) {
    const skipped = skipLines(text, skipRows, delimiter);
    if (skipped.lines < skipRows) {
      throw new DataFileError(path, `${path} has ${skipped.lines} line${skipped.lines === 1 ? '' : 's'}: skipRows ${skipRows} skips past its end`, {
        hint: 'use a smaller skipRows',
      });
    }
    text = text.slice(skipped.end);
    if (!/\S/.test(text)) {
      throw new DataFileError(path, `skipRows ${skipRows} skips every line of ${path}: no ${header ? 'header' : 'rows'} left`, {
        hint: 'use a smaller skipRows',
      });
    }
    skippedLines = skipped.newlines;
  }
  const parsed = Papa.parse<unknown[]>(text, { header: false, dynamicTyping: true, skipEmptyLines: true, delimiter });
  const bad = parsed.errors[0];
  if (bad) throw new DataFileError(path, `${path} is not valid CSV: ${bad.message}${bad.row !== undefined ? ` (row ${bad.row + 1 + skippedLines})` : ''}`);
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
      throw new DataFileError(path, `${path} line ${r + (header ? 2 : 1) + skippedLines} has ${rows[r]!.length} fields, expected ${columns.length}`, {
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

/**
 * Reads a whole text file (UTF-8), gunzipping `.gz`. It takes what {@link readCsv} takes: a path, a `file:` URL string
 * or a `URL` object; other URLs are refused (UnionML never downloads data at run time).
 *
 * @throws {@link DataFileError}: `DATA_FILE_NOT_FOUND` for a missing file, `DATA_FILE_INVALID` for a remote URL, an
 * unreadable file or bad gzip.
 * @example
 * ```ts
 * const notes = await readText(new URL('./data/README.txt', import.meta.url));
 * ```
 */
export async function readText(file: string | URL): Promise<string> {
  const path = toPath(file);
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

/**
 * Where the first `count` lines of CSV text end, lines as pandas' `skiprows` counts them: `\n`, `\r\n` or `\r` ends
 * a line, but not inside a quoted field (a quote opens one only at the start of a field, and `""` inside is a quote).
 * `lines` is how many were found (fewer than `count` at the end of the text), `newlines` how many line breaks the
 * skipped part has (for the line numbers of messages).
 */
function skipLines(text: string, count: number, delimiter: string): { end: number; lines: number; newlines: number } {
  let lines = 0;
  let newlines = 0;
  let fieldStart = true;
  let quoted = false;
  let i = 0;
  for (; i < text.length && lines < count; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      } else if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) newlines++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      lines++;
      newlines++;
      fieldStart = true;
    } else if (delimiter !== '' && text.startsWith(delimiter, i)) {
      i += delimiter.length - 1;
      fieldStart = true;
    } else {
      if (ch === '"' && fieldStart) quoted = true;
      fieldStart = false;
    }
  }
  // A last line without a line break counts too.
  if (lines < count && i === text.length && i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') lines++;
  return { end: i, lines, newlines };
}

function toPath(file: string | URL): string {
  const isUrl = file instanceof URL;
  if (!isUrl && typeof file !== 'string') {
    throw new DataFileError(String(file), `a data file is named by a path or a URL, got ${kind(file)} ${describeValue(file)}`, {
      hint: "pass a path such as 'data/train.csv' or a URL such as new URL('./data/train.csv', import.meta.url)",
    });
  }
  const text = isUrl ? file.href : file;
  if (text.startsWith('file:')) {
    try {
      return fileURLToPath(text);
    } catch (error) {
      throw new DataFileError(text, `${text} is not a file URL of this machine: ${(error as Error).message}`, {
        hint: "use file:///absolute/path, or pathToFileURL('relative/path')",
        cause: error,
      });
    }
  }
  if (isUrl || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new DataFileError(text, `only local files can be read, not ${text}`, {
      hint: 'ship the data with the app; UnionML never downloads data at run time',
    });
  }
  return text;
}
