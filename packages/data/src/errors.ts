import { UnionMLError } from '@unionml/errors';

const list = (names: readonly string[], max = 12): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;

/** Columns that were required are absent. Names the missing columns and the ones present. */
export class ColumnsMissingError extends UnionMLError {
  constructor(
    readonly missing: readonly string[],
    readonly present: readonly string[],
    context = 'the data',
  ) {
    super('DATA_COLUMNS_MISSING', `missing column${missing.length === 1 ? '' : 's'} ${list(missing)} in ${context}; present: ${present.length ? list(present) : '(none)'}`, {
      hint: 'send every declared feature column, spelled exactly as in the training data',
    });
  }
}

/** Columns that are not expected are present. */
export class ColumnsUnexpectedError extends UnionMLError {
  constructor(
    readonly unexpected: readonly string[],
    readonly expected: readonly string[],
    context = 'the data',
  ) {
    super('DATA_COLUMNS_UNEXPECTED', `unexpected column${unexpected.length === 1 ? '' : 's'} ${list(unexpected)} in ${context}; expected: ${list(expected)}`, {
      hint: 'remove the extra columns, or declare them in the Dataset features',
    });
  }
}

/** A value is not a finite number where a number is needed. */
export class NonNumericValueError extends UnionMLError {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly value: unknown,
  ) {
    super('DATA_NOT_NUMERIC', `column '${column}' row ${row} is not a finite number: ${describeValue(value)}`, {
      hint: 'send numbers (not strings, nulls or NaN) for numeric columns',
    });
  }
}

/** A value of the wrong type for its column (e.g. a number in a string column). */
export class ColumnTypeError extends UnionMLError {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super('DATA_WRONG_TYPE', `column '${column}' row ${row} should be a ${expected}, got ${describeValue(value)}`, {
      hint: `send ${expected} values in column '${column}', as in the training data`,
    });
  }
}

/** Input that cannot become a DataFrame (not an array of records, ragged rows, nested values...). */
export class InvalidDataError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super('DATA_INVALID', message, { hint });
  }
}

/** A data file that cannot be read or parsed. */
export class DataFileError extends UnionMLError {
  constructor(
    readonly file: string,
    message: string,
    options: { code?: 'DATA_FILE_NOT_FOUND' | 'DATA_FILE_INVALID'; hint?: string; cause?: unknown } = {},
  ) {
    super(options.code ?? 'DATA_FILE_INVALID', message, { hint: options.hint, cause: options.cause });
  }
}

/** Text that is not valid JSON. Says where (line and column) and shows the line. */
export class JsonSyntaxError extends UnionMLError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    detail: string,
    excerpt: string,
  ) {
    super('INPUT_BAD_JSON', `${source} is not valid JSON: ${detail} at line ${line}, column ${column}\n${excerpt}`, {
      hint: 'check quotes, commas and brackets near that position',
    });
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}
