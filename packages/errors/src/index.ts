/**
 * Typed errors shared by every UnionML package.
 *
 * Every error UnionML throws on purpose is a {@link UnionMLError}: a stable upper-snake-case `code` that programs can
 * switch on, a `kind` that says whose move it is (the caller's input, the app's code, the environment...), a message
 * that says what was wrong and, where one exists, a `hint` that says how to fix it.
 *
 * Each package declares its codes once, in a closed registry made with {@link defineErrors}; an error can only be
 * made from a registered code. The HTTP status ({@link httpStatusOf}) and the CLI exit code ({@link exitCodeOf})
 * derive from the kind: a code without a kind, or a kind without a status, does not compile.
 *
 * @example
 * ```ts
 * import { defineErrors, UnionMLError, httpStatusOf } from '@unionml/errors';
 *
 * export const SHOP_ERRORS = defineErrors({
 *   SHOP_ITEM_UNKNOWN: { kind: 'input', status: 404, meaning: 'the request names an item the shop does not have', hint: 'list the items with GET /items' },
 * });
 * const error = new UnionMLError(SHOP_ERRORS.SHOP_ITEM_UNKNOWN, "no item 'x'");
 * httpStatusOf(error); // 404
 * ```
 * @module
 */

const BRAND = Symbol.for('unionml.error');
const CODE_BRAND = Symbol.for('unionml.error-code');

/**
 * Whose move an error is, from the point of view of the person who ran the command or sent the request:
 *
 * - `usage`: the command line itself is wrong (an unknown option, a missing argument). CLI exit status 2.
 * - `input`: a value the caller gave is wrong: a request body, an argument, a file, an app address. Fix the input.
 * - `state`: the input is fine, but the current state does not allow it (no trained model yet, the folder exists,
 *   uncommitted changes). Change the state first.
 * - `app`: the app's own code or declarations are wrong, or they threw (a component, a schema, a Dockerfile).
 * - `environment`: something outside UnionML is missing or failing (the Docker daemon, storage, a registry, a port).
 * - `internal`: a bug in UnionML.
 */
export const ERROR_KINDS = ['usage', 'input', 'state', 'app', 'environment', 'internal'] as const;

/** One of {@link ERROR_KINDS}. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The HTTP statuses a code of each kind may answer with (a code may name one; the kind's default is in {@link KIND_HTTP_STATUS}). */
export interface HttpStatusesOf {
  usage: 400;
  input: 400 | 404 | 405 | 408 | 413 | 415 | 417 | 422 | 431;
  state: 409 | 503;
  app: 500;
  environment: 502 | 503 | 504;
  internal: 500;
}

/** The statuses of {@link HttpStatusesOf}, for the check at run time. */
const KIND_HTTP_STATUSES: { readonly [K in ErrorKind]: readonly HttpStatusesOf[K][] } = {
  usage: [400],
  input: [400, 404, 405, 408, 413, 415, 417, 422, 431],
  state: [409, 503],
  app: [500],
  environment: [502, 503, 504],
  internal: [500],
};

/** The HTTP status of each kind, unless the code names a narrower one. Every input error is a 4xx. */
export const KIND_HTTP_STATUS: { readonly [K in ErrorKind]: HttpStatusesOf[K] } = Object.freeze({
  usage: 400,
  input: 400,
  state: 409,
  app: 500,
  environment: 503,
  internal: 500,
});

/** The CLI exit status of each kind: 2 for usage errors, 1 for every other error. */
export const KIND_EXIT_CODE: { readonly [K in ErrorKind]: 1 | 2 } = Object.freeze({
  usage: 2,
  input: 1,
  state: 1,
  app: 1,
  environment: 1,
  internal: 1,
});

/** A code's entry in a registry: its kind, optionally a narrower HTTP status, and its documentation. */
export type ErrorDefinition = {
  [K in ErrorKind]: {
    readonly kind: K;
    /** A narrower HTTP status than the kind's (e.g. 413 for a body that is too large). */
    readonly status?: HttpStatusesOf[K];
    /** What the error means, for the error reference (one sentence). */
    readonly meaning: string;
    /** How to fix it in general, for the error reference (an error may carry a more specific hint). */
    readonly hint: string;
  };
}[ErrorKind];

/** A registered code: what an error is made from (see {@link defineErrors}). */
export interface ErrorCode<C extends string = string, K extends ErrorKind = ErrorKind> {
  readonly code: C;
  readonly kind: K;
  /** The HTTP status errors of this code answer with. */
  readonly status: number;
  readonly meaning: string;
  readonly hint: string;
  /** The package whose registry declares the code. */
  readonly registry: string;
  readonly [CODE_BRAND]: true;
}

/** The registered codes of a registry made by {@link defineErrors}, by code. */
export type ErrorRegistry<R extends Record<string, ErrorDefinition> = Record<string, ErrorDefinition>> = {
  readonly [C in keyof R & string]: ErrorCode<C, R[C]['kind']>;
};

/** A code of a registry, e.g. `CodeOf<typeof DATA_ERRORS>` is `'DATA_COLUMNS_MISSING' | ...`. */
export type CodeOf<R> = keyof R & string;

type UpperSnake<C extends string> = C extends Uppercase<C> ? (C extends `${string} ${string}` | `${string}-${string}` ? never : C) : never;

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * Declares a package's error codes: one closed registry per package, `as const` by inference. Each code needs a kind,
 * a meaning and a hint; codes are UPPER_SNAKE (checked by the compiler and again when the registry is made).
 *
 * @param registry the package that owns the codes, e.g. `@unionml/data`
 */
export function defineErrors<const R extends Record<string, ErrorDefinition>>(
  registry: string,
  definitions: R & { [C in keyof R]: C extends string ? (UpperSnake<C> extends never ? never : ErrorDefinition) : never },
): ErrorRegistry<R> {
  const out: Record<string, ErrorCode> = {};
  for (const [code, definition] of Object.entries<ErrorDefinition>(definitions)) {
    if (!UPPER_SNAKE.test(code)) throw new TypeError(`error code '${code}' of ${registry} is not UPPER_SNAKE`);
    if (!(ERROR_KINDS as readonly string[]).includes(definition.kind)) throw new TypeError(`error code '${code}' of ${registry} has no kind`);
    if (definition.status !== undefined && !(KIND_HTTP_STATUSES[definition.kind] as readonly number[]).includes(definition.status)) {
      throw new TypeError(`error code '${code}' of ${registry} is of kind ${definition.kind}, which cannot answer HTTP ${definition.status}`);
    }
    out[code] = Object.freeze({
      code,
      kind: definition.kind,
      status: definition.status ?? KIND_HTTP_STATUS[definition.kind],
      meaning: definition.meaning,
      hint: definition.hint,
      registry,
      [CODE_BRAND]: true as const,
    });
  }
  return Object.freeze(out) as ErrorRegistry<R>;
}

/** The codes of `registries`, in order; throws if one code is declared twice. */
export function listErrorCodes(registries: readonly ErrorRegistry[]): ErrorCode[] {
  const seen = new Map<string, string>();
  const codes: ErrorCode[] = [];
  for (const registry of registries) {
    for (const entry of Object.values(registry)) {
      const other = seen.get(entry.code);
      if (other !== undefined) throw new TypeError(`error code '${entry.code}' is declared by both ${other} and ${entry.registry}`);
      seen.set(entry.code, entry.registry);
      codes.push(entry);
    }
  }
  return codes;
}

/** Options common to every {@link UnionMLError}. */
export interface UnionMLErrorOptions {
  /** How to fix the problem, printed under the message. */
  hint?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error UnionML throws on purpose, made from a registered code.
 *
 * `instanceof UnionMLError` works within one copy of the library; {@link isUnionMLError} also works when an
 * app and the CLI load two copies.
 */
export class UnionMLError<C extends string = string> extends Error {
  /** A stable, upper-snake-case identifier, e.g. `DATA_COLUMNS_MISSING`. */
  readonly code: C;
  /** Whose move it is (see {@link ErrorKind}). */
  readonly kind: ErrorKind;
  /** The HTTP status a server answers with. */
  readonly status: number;
  /** How to fix the problem, if known. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode<C>, message: string, options: UnionMLErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!code || (code as unknown as Record<symbol, unknown>)[CODE_BRAND] !== true) {
      throw new TypeError(
        `new ${new.target.name}(...) needs a registered error code (from defineErrors), got ${errorMessage((code as { code?: unknown } | undefined)?.code ?? code)}`,
      );
    }
    this.code = code.code;
    this.kind = code.kind;
    this.status = code.status;
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

/** The kind of a thrown value: its own for UnionML errors; anything else is `internal` unless a caller knows better. */
export function kindOf(error: unknown): ErrorKind {
  return isUnionMLError(error) ? error.kind : 'internal';
}

/** The HTTP status for a thrown value: the code's (from its kind) for UnionML errors, else 500. */
export function httpStatusOf(error: unknown): number {
  return isUnionMLError(error) ? error.status : 500;
}

/** The CLI exit status for a thrown value: 2 for usage errors, 1 otherwise. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return KIND_EXIT_CODE[kindOf(error)];
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
export { closest, editDistance } from './suggest.js';
