import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';

/**
 * Every error code of `@unionml/flyte`, with its kind (whose move it is), what it means and how to fix it in general.
 * Errors carry a more specific message (naming the variable, field, URI or node) and often a more specific hint.
 */
export const FLYTE_ERRORS = defineErrors('@unionml/flyte', {
  FLYTE_TYPE_MISMATCH: {
    kind: 'input',
    meaning: 'a value or literal does not fit the Flyte type declared for its variable (or names a variable that is not declared)',
    hint: 'give each variable a value of its declared type; the message names the variable, the path inside it, the expected type and what was given',
  },
  FLYTE_VALUE_MISSING: {
    kind: 'input',
    meaning: 'a declared variable that is not optional was given no value',
    hint: 'give every required variable a value (only optional variables may be left out)',
  },
  FLYTE_TYPE_UNSUPPORTED: {
    kind: 'app',
    meaning:
      'a declared type cannot be converted: an unknown kind, an enum without values, a binary format other than msgpack, or a transformer the context does not have',
    hint: "declare types with the t.* constructors, and pass the type transformers your types name in the context's transformers",
  },
  FLYTE_TRANSFORMER_INVALID: {
    kind: 'app',
    meaning: 'a list of type transformers has a transformer without a name or conversion functions, or two with the same name',
    hint: 'give each transformer a unique non-empty name, a toLiteral and a fromLiteral function',
  },
  FLYTE_SPEC_INVALID: {
    kind: 'app',
    meaning: 'a task, workflow, launch plan or execution specification is one that Flyte would reject',
    hint: "fix the field the message names; it follows the rule of Flyte's compiler or flyteadmin that was broken",
  },
  FLYTE_BUNDLE_INVALID: {
    kind: 'input',
    meaning: 'a registration bundle (a pyflyte-style .tgz of task, workflow and launch-plan protobufs) cannot be written or read',
    hint: 'check the file the message names: it must be a gzip tar of <index>_<name>_{1,2,3}.pb files, as pyflyte package writes',
  },
  FLYTE_NODE_FAILED: {
    kind: 'app',
    meaning: 'a node of a locally executed workflow failed: its task reported an error, crashed, timed out or wrote no outputs',
    hint: "read the task's error in the message (its full trace is in the node's error.pb), fix the task and run again",
  },
  FLYTE_ARGS_INVALID: {
    kind: 'usage',
    meaning: 'the arguments of a task entrypoint are not the ones propeller passes (--inputs, --output-prefix, --raw-output-data-prefix, -- <task address>)',
    hint: 'run the entrypoint with the args taskArgs(...) declares, rendered as propeller renders them',
  },
  FLYTE_CODE_ARCHIVE_INVALID: {
    kind: 'input',
    meaning:
      "a fast-registration code archive (the app's code uploaded by a patch deploy) is not a gzip tar, or has an entry whose path is not relative to the folder it is extracted into",
    hint: 'deploy the app again (unionml deploy --patch makes a new archive); the message names the archive and the entry',
  },
  FLYTE_TASK_RECOVERABLE: {
    kind: 'environment',
    meaning: "a task reported a transient failure (flytekit's FlyteRecoverableException), which Flyte retries up to the task's retries",
    hint: 'check the service the task depends on, or give the task more retries',
  },
  STORAGE_NOT_FOUND: {
    kind: 'input',
    status: 404,
    meaning: 'the object a storage URI (file://, a path, s3:// or http(s)://) names does not exist',
    hint: 'check the URI the message names (bucket, key, path), and that whatever writes it ran first',
  },
  STORAGE_FAILED: {
    kind: 'environment',
    status: 502,
    meaning:
      'a storage operation failed: the store is unreachable, refused the credentials, answered with an error, a local folder cannot be created or written, the URI has a scheme no storage handles, or UNIONML_STORAGE_TIMEOUT_SECONDS is not a number of seconds',
    hint: 'check the URI, the S3 endpoint and credentials (FLYTE_AWS_ENDPOINT, FLYTE_AWS_ACCESS_KEY_ID, FLYTE_AWS_SECRET_ACCESS_KEY) and that the store is up; for a local path, that its folder can be created and written',
  },
  STORAGE_TIMEOUT: {
    kind: 'environment',
    status: 504,
    meaning:
      'a storage operation (a read, a write, a listing, an upload or download, creating a folder) did not finish within the storage timeout: the store or the file system does not answer',
    hint: 'check that the store (the S3 endpoint, FLYTE_AWS_ENDPOINT) or the file system answers; a slow one may be given more time with UNIONML_STORAGE_TIMEOUT_SECONDS (default 60, plus 1 s per MiB transferred)',
  },
  FLYTE_CONFIG_NOT_FOUND: {
    kind: 'environment',
    meaning:
      'no Flyte client config could be read: the file named by the path given, FLYTECTL_CONFIG or the default ~/.flyte/config.yaml is missing or unreadable (and FLYTE_PLATFORM_URL is not set)',
    hint: 'start a sandbox with `flytectl demo start` (it writes ~/.flyte/config-sandbox.yaml; point FLYTECTL_CONFIG at it), write a config with `flytectl config init --host <admin host>`, or set FLYTE_PLATFORM_URL',
  },
  FLYTE_CONFIG_INVALID: {
    kind: 'usage',
    meaning:
      "a Flyte client config (flytectl's YAML, or flytekit's FLYTE_* environment variables) is not valid YAML, gives a key a value of the wrong type, has no admin.endpoint, or names a client secret that cannot be read",
    hint: 'fix the key the message names in the file it names; see `flytectl config init` for the layout (admin.endpoint, admin.insecure, admin.authType, storage...)',
  },
  FLYTE_ADMIN_UNAVAILABLE: {
    kind: 'environment',
    meaning: 'FlyteAdmin cannot be reached: the connection was refused or dropped, or it answered UNAVAILABLE until the retries ran out',
    hint: 'check that the cluster is up (a sandbox: `flytectl demo start`) and that admin.endpoint (and admin.insecure) in your Flyte config name it',
  },
  FLYTE_ADMIN_TIMEOUT: {
    kind: 'environment',
    status: 504,
    meaning: 'a call to FlyteAdmin did not answer within its deadline (DEADLINE_EXCEEDED)',
    hint: 'check that FlyteAdmin and its database are healthy, or give the call a longer timeoutMs',
  },
  FLYTE_ADMIN_NOT_FOUND: {
    kind: 'input',
    status: 404,
    meaning: 'FlyteAdmin has no entity with the identifier the call named (NOT_FOUND)',
    hint: 'check the project, domain, name and version in the message; list what exists with the List* calls or `flytectl get`',
  },
  FLYTE_ADMIN_INVALID: {
    kind: 'input',
    meaning:
      "FlyteAdmin refused a request as invalid (INVALID_ARGUMENT: a missing field, a spec its compiler rejects, inputs that do not match), or the request cannot be encoded as the method's protobuf message",
    hint: "read FlyteAdmin's message, which names the field or rule, and fix the request",
  },
  FLYTE_ADMIN_EXISTS: {
    kind: 'state',
    meaning: 'FlyteAdmin already has an entity with that identifier and a different definition (ALREADY_EXISTS)',
    hint: 'register under a new version (entities are immutable), or treat it as done if the definition is the same',
  },
  FLYTE_ADMIN_PRECONDITION: {
    kind: 'state',
    meaning:
      'FlyteAdmin refused a call that the current state does not allow (FAILED_PRECONDITION), such as an inactive project or an execution that is already terminal',
    hint: "read FlyteAdmin's message for the state it needs, change that first, then call again",
  },
  FLYTE_ADMIN_UNAUTHENTICATED: {
    kind: 'environment',
    status: 502,
    meaning:
      'FlyteAdmin requires authentication and the call had none it accepts: no auth type is configured, or it refused the token, or the OAuth2 token endpoint refused the client credentials (UNAUTHENTICATED)',
    hint: 'set admin.authType: ClientSecret with admin.clientId and admin.clientSecretLocation (or admin.clientSecretEnvVar) in your Flyte config, and check them with your Flyte administrator',
  },
  FLYTE_ADMIN_PERMISSION_DENIED: {
    kind: 'environment',
    status: 502,
    meaning: 'FlyteAdmin authenticated the caller but does not allow the call (PERMISSION_DENIED)',
    hint: 'ask your Flyte administrator for access to the project and domain, or use credentials that have it',
  },
  FLYTE_AUTH_UNSUPPORTED: {
    kind: 'environment',
    status: 502,
    meaning: 'FlyteAdmin requires authentication, and the configured admin.authType is one this client does not implement (Pkce, DeviceFlow, ExternalCommand)',
    hint: 'this client supports ClientSecret (the OAuth2 client-credentials flow): set admin.authType: ClientSecret, admin.clientId and admin.clientSecretLocation (or admin.clientSecretEnvVar)',
  },
  FLYTE_ADMIN_FAILED: {
    kind: 'internal',
    meaning:
      'FlyteAdmin answered an error this client has no better code for (INTERNAL, UNKNOWN, UNIMPLEMENTED, RESOURCE_EXHAUSTED, ABORTED...), or its answer could not be decoded',
    hint: "read FlyteAdmin's message and gRPC code on the error; UNIMPLEMENTED means the server does not serve that call (an older FlyteAdmin, or a service it leaves out)",
  },
});

/** A code of {@link FLYTE_ERRORS}: `'FLYTE_TYPE_MISMATCH' | 'STORAGE_NOT_FOUND' | ...`. */
export type FlyteErrorCode = CodeOf<typeof FLYTE_ERRORS>;

/** The codes a {@link FlyteTypeError} is made with. */
export type FlyteTypeErrorCode = Extract<
  FlyteErrorCode,
  'FLYTE_TYPE_MISMATCH' | 'FLYTE_TYPE_UNSUPPORTED' | 'FLYTE_VALUE_MISSING' | 'FLYTE_TRANSFORMER_INVALID'
>;

/** The codes a {@link StorageError} is made with. */
export type StorageErrorCode = Extract<FlyteErrorCode, 'STORAGE_NOT_FOUND' | 'STORAGE_FAILED' | 'STORAGE_TIMEOUT'>;

/**
 * A value that does not fit its declared Flyte type, a type the engine cannot convert, a missing variable, or an
 * invalid list of type transformers. The message names the variable (with the path inside it, e.g. `xs[2]`), the
 * expected type and what it got.
 */
export class FlyteTypeError extends UnionMLError<FlyteTypeErrorCode> {
  constructor(code: FlyteTypeErrorCode, message: string, options: { hint?: string; cause?: unknown; variable?: string } = {}) {
    super(FLYTE_ERRORS[code], message, options);
    this.variable = options.variable;
  }

  /** The variable (and path inside it) the error is about, if known. */
  readonly variable: string | undefined;
}

/** A task, workflow or launch-plan specification that Flyte would reject. The message names the field. */
export class FlyteSpecError extends UnionMLError<'FLYTE_SPEC_INVALID'> {
  constructor(message: string, options: { hint?: string; cause?: unknown; field?: string } = {}) {
    super(FLYTE_ERRORS.FLYTE_SPEC_INVALID, message, options);
    this.field = options.field;
  }

  /** The offending field (e.g. `requests.cpu`, `nodes[1].inputs.x`), if known. */
  readonly field: string | undefined;
}

/** A storage operation (file:// or s3://) that failed. The message names the URI. */
export class StorageError extends UnionMLError<StorageErrorCode> {
  constructor(
    code: StorageErrorCode,
    readonly uri: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(FLYTE_ERRORS[code], message, options);
  }
}

/** A registration bundle that cannot be written or read. The message names the file. */
export class BundleError extends UnionMLError<'FLYTE_BUNDLE_INVALID'> {
  constructor(
    readonly file: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(FLYTE_ERRORS.FLYTE_BUNDLE_INVALID, message, options);
  }
}

/**
 * A node of a locally executed workflow failed. Carries what the task wrote to `error.pb` (or, without one, the exit
 * code and the tail of stderr). Its `origin` says whose failure Flyte calls it (USER or SYSTEM); its `kind`, as every
 * UnionML error's, is the code's (`app`).
 */
export class NodeFailedError extends UnionMLError<'FLYTE_NODE_FAILED'> {
  constructor(
    /** The node id (`n0`, `n1`...). */
    readonly nodeId: string,
    /** USER for the task's own failure, SYSTEM for the platform's (`ContainerError.origin`). */
    readonly origin: 'USER' | 'SYSTEM',
    /** The error's message as the task reported it (flytekit's `Trace: ... Message: ...` text for user errors). */
    readonly detail: string,
    options: { errorCode?: string; recoverable?: boolean; exitCode?: number | null; stderr?: string; cause?: unknown; taskName?: string } = {},
  ) {
    super(
      FLYTE_ERRORS.FLYTE_NODE_FAILED,
      `node ${nodeId}${options.taskName ? ` (${options.taskName})` : ''} failed with a ${origin} error${options.errorCode ? ` [${options.errorCode}]` : ''}: ${summaryOf(detail)}`,
      {
        cause: options.cause,
        hint: detail.startsWith('Trace:') ? "the task's full trace is in its error.pb (and printed with --verbose)" : undefined,
      },
    );
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

/** The `ContainerError.code` flytekit writes to error.pb for a `FlyteRecoverableException`. */
export const RECOVERABLE_CONTAINER_CODE = 'USER:Recoverable';

/**
 * Throw this from a task to report a recoverable user error (flytekit's `FlyteRecoverableException`): the platform
 * retries the task up to its `retries`. Its code is `FLYTE_TASK_RECOVERABLE`; the task runtime writes flytekit's
 * `USER:Recoverable` ({@link RECOVERABLE_CONTAINER_CODE}) to error.pb.
 */
export class FlyteRecoverableError extends UnionMLError<'FLYTE_TASK_RECOVERABLE'> {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(FLYTE_ERRORS.FLYTE_TASK_RECOVERABLE, message, options);
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
    if (text === undefined) return notJson(value);
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    if (typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      return `${value.constructor?.name ?? 'object'} ${shown}`;
    }
    return shown;
  } catch {
    return notJson(value);
  }
}

/** A value JSON.stringify cannot show (an object with a cycle or a bigint inside, or whose toJSON throws or returns nothing). */
function notJson(value: string | object): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? 'an array that JSON cannot show' : 'an object that JSON cannot show';
}

/** Arguments that the task entrypoint cannot parse. */
export class ExecuteArgsError extends UnionMLError<'FLYTE_ARGS_INVALID'> {
  constructor(
    message: string,
    hint = 'expected: --inputs <uri> --output-prefix <uri> --raw-output-data-prefix <uri> [--checkpoint-path <uri>] [--prev-checkpoint <uri>] -- <task address...>',
  ) {
    super(FLYTE_ERRORS.FLYTE_ARGS_INVALID, message, { hint });
  }
}

/** A code archive that cannot be used: not a gzip tar, or an entry whose path leaves the destination folder. */
export class CodeArchiveError extends UnionMLError<'FLYTE_CODE_ARCHIVE_INVALID'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(FLYTE_ERRORS.FLYTE_CODE_ARCHIVE_INVALID, message, options);
  }
}
