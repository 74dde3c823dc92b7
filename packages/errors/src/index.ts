/**
 * Typed errors shared by every UnionML package.
 *
 * Every error a user can cause (a bad app path, bad JSON, wrong columns, a corrupt model file...) is a
 * {@link UnionMLError}: it has a stable `code` that programs can switch on, a message that says what was
 * wrong, and, where one exists, a `hint` that says how to fix it. The CLI prints `message` and `hint`
 * without a stack trace; the HTTP server maps `code` to a status.
 *
 * @example
 * ```ts
 * import { isUnionMLError } from '@unionml/errors';
 * try { await model.predict({ features }); }
 * catch (e) { if (isUnionMLError(e) && e.code === 'DATA_COLUMNS_MISSING') { ... } }
 * ```
 * @module
 */

const BRAND = Symbol.for('unionml.error');

/** Options common to every {@link UnionMLError}. */
export interface UnionMLErrorOptions {
  /** How to fix the problem, printed under the message. */
  hint?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error UnionML throws on purpose.
 *
 * `instanceof UnionMLError` works within one copy of the library; {@link isUnionMLError} also works when an
 * app and the CLI load two copies.
 */
export class UnionMLError extends Error {
  /** A stable, upper-snake-case identifier, e.g. `DATA_COLUMNS_MISSING`. */
  readonly code: string;
  /** How to fix the problem, if known. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: UnionMLErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** The message and the hint, as the CLI prints them. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  /** A plain object for JSON output: `{ code, message, hint? }`. */
  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint ? { code: this.code, message: this.message, hint: this.hint } : { code: this.code, message: this.message };
  }
}

/** True for any {@link UnionMLError}, even one thrown by another copy of this package. */
export function isUnionMLError(value: unknown): value is UnionMLError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** The message of any thrown value, for wrapping foreign errors. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
