import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';

/**
 * Every error code of `@unionml/data`, with its kind, its meaning and a general hint. All but one are `input` errors:
 * the table, the file, the option or the value that was given is wrong (an HTTP server answers them 400). The one
 * `state` error, `DATA_TRANSFORMER_STATE_INVALID`, says that a fitted transformer's stored state does not fit the
 * transformer (the model must be trained again). Errors carry a more specific hint where one is known (e.g. the column
 * and the type it needs).
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
  DATA_OPTIONS_INVALID: {
    kind: 'input',
    meaning: 'An option given to a data function is not valid (e.g. skipRows that is not a whole number, transformer columns that are not names)',
    hint: 'check the option against the documentation of the function; the message names the option and the value',
  },
  DATA_SPLIT_INVALID: {
    kind: 'input',
    meaning:
      'A train/test split cannot be made as asked: a testSize that leaves a set empty, stratify labels that are not one per row, a class with one member, fewer test or train rows than classes, or stratify without shuffle',
    hint: 'change testSize, or stratify by a column whose every class has at least 2 rows (and keep shuffle on)',
  },
  DATA_CATEGORY_UNKNOWN: {
    kind: 'input',
    meaning: 'A categorical value was not seen when the one-hot encoder was fitted on the training data',
    hint: "send one of the categories the message lists, or create the encoder with handleUnknown: 'ignore' and train again",
  },
  DATA_TRANSFORMER_STATE_INVALID: {
    kind: 'state',
    meaning: "A fitted transformer's stored state (in the model file) is not a state this transformer makes: the model was trained with other preprocessing",
    hint: 'train the model again with the current preprocessing',
  },
  DATA_DANFO_MISSING: {
    kind: 'environment',
    meaning: 'toDanfo/fromDanfo need danfojs-node, an optional peer dependency of @unionml/data that is not installed',
    hint: 'npm install danfojs-node@1.2.0, with the npm overrides "@tensorflow/tfjs-node": "npm:@tensorflow/tfjs@4.22.0" and "xlsx": "npm:xlsx@0.18.5" in package.json',
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

/** An option of a data function (readCsv, a transformer...) has a value it does not accept. */
export class DataOptionsError extends UnionMLError<'DATA_OPTIONS_INVALID'> {
  constructor(
    /** The function whose option is wrong, e.g. `readCsv` or `oneHotEncoder`. */
    readonly fn: string,
    /** The option, e.g. `skipRows`. */
    readonly option: string,
    message: string,
    hint?: string,
  ) {
    super(DATA_ERRORS.DATA_OPTIONS_INVALID, `${fn}: ${message}`, { hint });
  }
}

/** A train/test split that cannot be made as asked; the message says which of scikit-learn's rules it breaks. */
export class SplitError extends UnionMLError<'DATA_SPLIT_INVALID'> {
  constructor(message: string, hint?: string) {
    super(DATA_ERRORS.DATA_SPLIT_INVALID, message, { hint });
  }
}

/** A value of a one-hot encoded column that was not among the training categories. */
export class UnknownCategoryError extends UnionMLError<'DATA_CATEGORY_UNKNOWN'> {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly value: unknown,
    /** The categories learned at fit time, in order. */
    readonly categories: readonly unknown[],
  ) {
    super(
      DATA_ERRORS.DATA_CATEGORY_UNKNOWN,
      `column '${column}' row ${row} has the category ${describeValue(value)}, which the encoder did not see in training; known categories: ${list(categories.map(describeValue), 20)}`,
      { hint: `send one of the known categories of '${column}', or create the encoder with handleUnknown: 'ignore' and train again` },
    );
  }
}

/** A fitted transformer's state is not one this transformer makes (another transformer's, or an edited file). */
export class TransformerStateError extends UnionMLError<'DATA_TRANSFORMER_STATE_INVALID'> {
  constructor(
    /** The transformer, e.g. `standardScaler`. */
    readonly transformer: string,
    detail: string,
  ) {
    super(DATA_ERRORS.DATA_TRANSFORMER_STATE_INVALID, `the fitted state of ${transformer} is not valid: ${detail}`, {
      hint: `train the model again: its stored state was not made by this ${transformer} (the preprocessing changed since training?)`,
    });
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

/**
 * A value as messages show it: JSON, cut to 60 characters. Written piece by piece and stopped at the limit, so that a
 * huge or deeply nested value (10^5 levels) costs only what is shown and never overflows the stack; a cycle is shown
 * until the limit too.
 */
export function describeValue(value: unknown): string {
  const max = 60;
  if (value === undefined) return 'undefined';
  // JSON shows no bigint, function or symbol: these as String() shows them.
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  let out = '';
  // Pieces of text to write, and values to write as JSON, in order (last first).
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length && out.length <= max) {
    const item = stack.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    let v = item.value;
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      try {
        v = (v as { toJSON(): unknown }).toJSON();
      } catch {
        out += '?';
        continue;
      }
    }
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') out += 'null';
    else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'null';
    else if (typeof v === 'bigint') out += String(v);
    else if (typeof v === 'boolean') out += String(v);
    else if (typeof v === 'string') out += JSON.stringify(v.length > max ? v.slice(0, max + 1) : v);
    else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const items = Array.from((v as ArrayLike<unknown>).length > max ? Array.prototype.slice.call(v, 0, max) : (v as ArrayLike<unknown>));
      stack.push({ text: ']' });
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push({ value: items[i] });
        if (i > 0) stack.push({ text: ',' });
      }
      out += '[';
    } else {
      const entries = Object.keys(v)
        .slice(0, max)
        .map((k) => [k, (v as Record<string, unknown>)[k]] as const)
        .filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
      stack.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push({ value: entries[i]![1] }, { text: `${JSON.stringify(entries[i]![0])}:` });
        if (i > 0) stack.push({ text: ',' });
      }
      out += '{';
    }
  }
  return out.length > max || stack.length ? `${out.slice(0, max - 3)}...` : out;
}

/** danfojs-node (an optional peer dependency, needed only by the danfo interop) is not installed. */
export class DanfoMissingError extends UnionMLError<'DATA_DANFO_MISSING'> {
  constructor(cause: unknown) {
    super(DATA_ERRORS.DATA_DANFO_MISSING, 'danfojs-node is not installed: toDanfo and fromDanfo need it (the rest of @unionml/data does not)', {
      hint: DATA_ERRORS.DATA_DANFO_MISSING.hint,
      cause,
    });
  }
}
