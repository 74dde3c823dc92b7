import { UnionMLError } from '@unionml/errors';

/**
 * A value that does not fit its declared Flyte type, a type the engine cannot convert, or a missing variable.
 * The message names the variable (with the path inside it, e.g. `xs[2]`), the expected type and what it got.
 */
export class FlyteTypeError extends UnionMLError {
  constructor(
    code: 'FLYTE_TYPE_MISMATCH' | 'FLYTE_TYPE_UNSUPPORTED' | 'FLYTE_VALUE_MISSING',
    message: string,
    options: { hint?: string; cause?: unknown; variable?: string } = {},
  ) {
    super(code, message, options);
    this.variable = options.variable;
  }

  /** The variable (and path inside it) the error is about, if known. */
  readonly variable: string | undefined;
}

/** A task, workflow or launch-plan specification that Flyte would reject. The message names the field. */
export class FlyteSpecError extends UnionMLError {
  constructor(message: string, options: { hint?: string; cause?: unknown; field?: string } = {}) {
    super('FLYTE_SPEC_INVALID', message, options);
    this.field = options.field;
  }

  /** The offending field (e.g. `requests.cpu`, `nodes[1].inputs.x`), if known. */
  readonly field: string | undefined;
}

/** A storage operation (file:// or s3://) that failed. The message names the URI. */
export class StorageError extends UnionMLError {
  constructor(
    code: 'STORAGE_NOT_FOUND' | 'STORAGE_FAILED',
    readonly uri: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** A registration bundle that cannot be written or read. The message names the file. */
export class BundleError extends UnionMLError {
  constructor(
    readonly file: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('FLYTE_BUNDLE_INVALID', message, options);
  }
}

/**
 * A node of a locally executed workflow failed. Carries what the task wrote to `error.pb` (or, without one, the exit
 * code and the tail of stderr).
 */
export class NodeFailedError extends UnionMLError {
  constructor(
    /** The node id (`n0`, `n1`...). */
    readonly nodeId: string,
    /** USER for the task's own failure, SYSTEM for the platform's. */
    readonly kind: 'USER' | 'SYSTEM',
    /** The error's message as the task reported it (flytekit's `Trace: ... Message: ...` text for user errors). */
    readonly detail: string,
    options: { errorCode?: string; recoverable?: boolean; exitCode?: number | null; stderr?: string; cause?: unknown; taskName?: string } = {},
  ) {
    super('FLYTE_NODE_FAILED', `node ${nodeId}${options.taskName ? ` (${options.taskName})` : ''} failed with a ${kind} error${options.errorCode ? ` [${options.errorCode}]` : ''}: ${summaryOf(detail)}`, {
      cause: options.cause,
      hint: detail.startsWith('Trace:') ? "the task's full trace is in its error.pb (and printed with --verbose)" : undefined,
    });
    this.errorCode = options.errorCode;
    this.recoverable = options.recoverable ?? false;
    this.exitCode = options.exitCode;
    this.stderr = options.stderr;
  }

  /** `ContainerError.code` from error.pb (e.g. `USER:RuntimeError`), if there was one. */
  readonly errorCode: string | undefined;
  /** Whether the task marked the error recoverable (it was retried up to the node's retries). */
  readonly recoverable: boolean;
  /** The process's exit code, when known. */
  readonly exitCode: number | null | undefined;
  /** The tail of the process's stderr, when there was no error.pb. */
  readonly stderr: string | undefined;
}

/** The `Message:` part of flytekit's `Trace: ... Message: ...` text (the whole text otherwise). */
export function summaryOf(detail: string): string {
  const match = /\nMessage:\n\n([\s\S]*)$/.exec(detail);
  if (!match) return detail;
  return match[1]!
    .split('\n')
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n')
    .trim();
}

/**
 * Throw this from a task to report a recoverable user error (flytekit's `FlyteRecoverableException`): the platform
 * retries the task up to its `retries`.
 */
export class FlyteRecoverableError extends UnionMLError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('USER:Recoverable', message, options);
  }
}

/** A value described for an error message: numbers as is, strings quoted, objects as short JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date(${value.toISOString()})`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Map) return `a Map of ${value.size}`;
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    if (typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      return `${(value as object).constructor?.name ?? 'object'} ${shown}`;
    }
    return shown;
  } catch {
    return String(value);
  }
}
