import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';

/**
 * Every error code of `@unionml/data`, with its kind, its meaning and a general hint. They are all `input` errors: the
 * table, the file or the value that was given is wrong (an HTTP server answers them 400). Errors carry a more specific
 * hint where one is known (e.g. the column and the type it needs).
 */
export const DATA_ERRORS = defineErrors('@unionml/data', {
  DATA_COLUMNS_MISSING: {
    kind: 'input',
    meaning: 'columns that are required (declared features, selected columns) are absent from the data',
    hint: 'send every declared feature column, spelled exactly as in the training data',
  },
  DATA_COLUMNS_UNEXPECTED: {
    kind: 'input',
    meaning: 'the data has columns that are not expected (not among the declared features)',
    hint: 'remove the extra columns, or declare them in the Dataset features',
  },
  DATA_NOT_NUMERIC: {
    kind: 'input',
    meaning: 'A value is not a finite number where a number is needed (a string, null, NaN or an object in a numeric column)',
    hint: 'send numbers (not strings, nulls or NaN) for numeric columns',
  },
  DATA_WRONG_TYPE: {
    kind: 'input',
    meaning: 'A value has another type than its column (e.g. a number in a string column)',
    hint: 'send values of the same type as the column has in the training data',
  },
  DATA_INVALID: {
    kind: 'input',
    meaning: 'the data cannot become a table: not records or columns, ragged rows or columns, nested values, no rows, or bytes that are not Parquet',
    hint: 'send rows as objects of scalar cells, e.g. [{"x": 1, "y": "a"}], or columns as {"x": [1, 2]}',
  },
  DATA_FILE_NOT_FOUND: {
    kind: 'input',
    meaning: 'A data file that was named does not exist',
    hint: 'check the path; relative paths start from the current folder',
  },
  DATA_FILE_INVALID: {
    kind: 'input',
    meaning: 'A data file cannot be read or parsed: not valid CSV, gzip or tabular JSON, rows with the wrong number of fields, or a remote URL',
    hint: 'check the file against the format its name says (CSV with a header line, JSON records or columns, gzip for .gz)',
  },
  INPUT_BAD_JSON: {
    kind: 'input',
    meaning: 'text that should be JSON (a request body, a file, an option) does not parse',
    hint: 'check quotes, commas and brackets near the position the message shows',
  },
});

/** A code of {@link DATA_ERRORS}, e.g. `'DATA_COLUMNS_MISSING'`. */
export type DataErrorCode = CodeOf<typeof DATA_ERRORS>;

/** The codes a {@link DataFileError} is made from. */
export type DataFileErrorCode = (typeof DATA_ERRORS)['DATA_FILE_NOT_FOUND' | 'DATA_FILE_INVALID'];

const list = (names: readonly string[], max = 12): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;

/** Columns that were required are absent. Names the missing columns and the ones present. */
export class ColumnsMissingError extends UnionMLError<'DATA_COLUMNS_MISSING'> {
  constructor(
    readonly missing: readonly string[],
    readonly present: readonly string[],
    context = 'the data',
  ) {
    super(
      DATA_ERRORS.DATA_COLUMNS_MISSING,
      `missing column${missing.length === 1 ? '' : 's'} ${list(missing)} in ${context}; present: ${present.length ? list(present) : '(none)'}`,
      {
        hint: 'send every declared feature column, spelled exactly as in the training data',
      },
    );
  }
}

/** Columns that are not expected are present. */
export class ColumnsUnexpectedError extends UnionMLError<'DATA_COLUMNS_UNEXPECTED'> {
  constructor(
    readonly unexpected: readonly string[],
    readonly expected: readonly string[],
    context = 'the data',
  ) {
    super(
      DATA_ERRORS.DATA_COLUMNS_UNEXPECTED,
      `unexpected column${unexpected.length === 1 ? '' : 's'} ${list(unexpected)} in ${context}; expected: ${list(expected)}`,
      {
        hint: 'remove the extra columns, or declare them in the Dataset features',
      },
    );
  }
}

/** A value is not a finite number where a number is needed. */
export class NonNumericValueError extends UnionMLError<'DATA_NOT_NUMERIC'> {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly value: unknown,
  ) {
    super(DATA_ERRORS.DATA_NOT_NUMERIC, `column '${column}' row ${row} is not a finite number: ${describeValue(value)}`, {
      hint: 'send numbers (not strings, nulls or NaN) for numeric columns',
    });
  }
}

/** A value of the wrong type for its column (e.g. a number in a string column). */
export class ColumnTypeError extends UnionMLError<'DATA_WRONG_TYPE'> {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(DATA_ERRORS.DATA_WRONG_TYPE, `column '${column}' row ${row} should be a ${expected}, got ${describeValue(value)}`, {
      hint: `send ${expected} values in column '${column}', as in the training data`,
    });
  }
}

/** Input that cannot become a DataFrame (not an array of records, ragged rows, nested values...). */
export class InvalidDataError extends UnionMLError<'DATA_INVALID'> {
  constructor(message: string, hint?: string) {
    super(DATA_ERRORS.DATA_INVALID, message, { hint });
  }
}

/** A data file that cannot be read or parsed. */
export class DataFileError extends UnionMLError<'DATA_FILE_NOT_FOUND' | 'DATA_FILE_INVALID'> {
  constructor(
    readonly file: string,
    message: string,
    /** `code`: {@link DATA_ERRORS}`.DATA_FILE_NOT_FOUND` or (the default) `.DATA_FILE_INVALID`. */
    options: { code?: DataFileErrorCode; hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(options.code ?? DATA_ERRORS.DATA_FILE_INVALID, message, { hint: options.hint, cause: options.cause });
  }
}

/** Text that is not valid JSON. Says where (line and column) and shows the line. */
export class JsonSyntaxError extends UnionMLError<'INPUT_BAD_JSON'> {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    detail: string,
    excerpt: string,
  ) {
    super(DATA_ERRORS.INPUT_BAD_JSON, `${source} is not valid JSON: ${detail} at line ${line}, column ${column}\n${excerpt}`, {
      hint: 'check quotes, commas and brackets near that position',
    });
  }
}

/** A value as messages show it: JSON, cut to 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  // JSON.stringify throws on a bigint and shows no function or symbol: these as String() shows them.
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    // An object with a cycle or a bigint inside, or whose toJSON throws.
    return Array.isArray(value) ? 'an array that JSON cannot show' : 'an object that JSON cannot show';
  }
}
