import { UnionMLError, errorMessage, isUnionMLError } from '@unionml/errors';

/** The codes of the errors the server itself raises (the others come from `@unionml/core` and `@unionml/data`). */
export type ServerErrorCode =
  | 'REQUEST_BODY_INVALID'
  | 'REQUEST_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PREDICTION_FAILED'
  | 'PREDICTION_NOT_SERIALIZABLE'
  | 'SERVER_ERROR'
  | 'SERVER_OPTIONS_INVALID'
  | 'SERVER_PORT_IN_USE'
  | 'SERVER_LISTEN_FAILED';

/** An error raised by the server: a bad request, bad options, or a port that cannot be listened on. */
export class ServerError extends UnionMLError {
  constructor(code: ServerErrorCode, message: string, options: { hint?: string | undefined; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/**
 * The HTTP status of every error code: the one table of the server. Codes that are not listed are server-side
 * problems (500).
 *
 * - 400: the request is wrong (its JSON, its shape, its columns, its values, the reader arguments it names).
 * - 413: the body is larger than `maxBodyBytes`.
 * - 500: the app is wrong (a component that is missing or returns bad values, a predictor that throws).
 * - 503: no trained model is loaded.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  // The request (server)
  REQUEST_BODY_INVALID: 400,
  REQUEST_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // The request's data (@unionml/data, @unionml/core)
  INPUT_BAD_JSON: 400,
  PREDICT_NO_INPUT: 400,
  ARGUMENTS_INVALID: 400,
  DATA_COLUMNS_MISSING: 400,
  DATA_COLUMNS_UNEXPECTED: 400,
  DATA_NOT_NUMERIC: 400,
  DATA_INVALID: 400,
  // Files named by the request's reader arguments (`inputs`).
  DATA_FILE_NOT_FOUND: 400,
  DATA_FILE_INVALID: 400,
  // The app
  COMPONENT_INVALID: 500,
  PREDICTION_INVALID: 500,
  PREDICTION_FAILED: 500,
  PREDICTION_NOT_SERIALIZABLE: 500,
  SERVER_ERROR: 500,
  // The model
  MODEL_NOT_TRAINED: 503,
});

/** The HTTP status for a thrown value: from {@link STATUS_BY_CODE} for UnionML errors, else 500. */
export function statusOf(error: unknown): number {
  if (!isUnionMLError(error)) return 500;
  return STATUS_BY_CODE[error.code] ?? 500;
}

/** The JSON error body of every failed request. */
export interface ErrorBody {
  /** What was wrong, in a sentence or a few lines. */
  detail: string;
  /** The stable error code, e.g. `DATA_COLUMNS_MISSING`. */
  code: string;
  /** How to fix it, when known. */
  hint?: string;
}

/**
 * The status and body for a thrown value. Errors that are not UnionML errors (thrown by the app's own code) are
 * reported as `<prefix><message>` with the code `fallbackCode`; their stack is never included.
 */
export function errorResponse(error: unknown, prefix = '', fallbackCode: ServerErrorCode = 'SERVER_ERROR'): { status: number; body: ErrorBody } {
  if (isUnionMLError(error)) {
    const body: ErrorBody = { detail: error.message, code: error.code };
    if (error.hint) body.hint = error.hint;
    return { status: statusOf(error), body };
  }
  return { status: 500, body: { detail: `${prefix}${errorMessage(error)}`, code: fallbackCode } };
}
