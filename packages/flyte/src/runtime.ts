import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import {
  CodeArchiveError,
  ExecuteArgsError,
  FLYTE_ERRORS,
  FlyteRecoverableError,
  FlyteTypeError,
  RECOVERABLE_CONTAINER_CODE,
  StorageError,
  summaryOf,
} from './errors.js';
import { fetchDistribution } from './fast.js';
import { flyteidl } from './idl.js';
import { fromLiteralMap, millisToTimestamp, toLiteralMap, type LiteralContext, type TypeTransformers } from './literals.js';
import { anyStorage, DEFAULT_STORAGE_TIMEOUT_SECONDS, joinUri, storageTimeoutMs, withStorageTimeout, type Storage } from './storage.js';
import type { TypedInterface } from './builders.js';

/** A task as the runtime runs it: its interface and a function from input values to output values. */
export interface TaskDefinition {
  /** The task's name (for messages). */
  name: string;
  interface: TypedInterface;
  /** Runs the task. Inputs and outputs follow the type engine's JS conventions (see `toLiteral`). */
  run(inputs: Record<string, unknown>, ctx: TaskRunContext): Promise<Record<string, unknown>>;
}

/** What a running task sees: where to put data, its checkpoints and its environment. */
export interface TaskRunContext extends LiteralContext {
  /** Where this attempt may write checkpoints (`{{.checkpointOutputPrefix}}`). */
  checkpointPath?: string;
  /** The previous attempt's checkpoints, if any (`{{.prevCheckpointPrefix}}`). */
  prevCheckpoint?: string;
  env: NodeJS.ProcessEnv;
}

/** The arguments {@link taskArgs} puts after the entrypoint, as propeller renders them. */
export interface ExecuteArgs {
  /** The URI of `inputs.pb`. */
  inputs: string;
  /** Where `outputs.pb` or `error.pb` go. */
  outputPrefix: string;
  /** Where data (files, datasets) go. */
  rawOutputDataPrefix: string;
  checkpointPath?: string;
  prevCheckpoint?: string;
  /** What follows `--`: the task's address for the resolver (e.g. `['task-module', 'app.js', 'task-name', 'train']`). */
  address: string[];
}

/** The outcome of {@link executeTask}. */
export interface ExecuteResult {
  status: 'succeeded' | 'failed';
  /** What the process should exit with. */
  exitCode: number;
  /** The error written to error.pb. */
  error?: { code: string; message: string; kind: 'USER' | 'SYSTEM'; recoverable: boolean };
}

/** Options of {@link executeTask}. */
export interface ExecuteTaskOptions {
  /**
   * The task's environment (default `process.env`): S3 settings, `UNIONML_STORAGE_TIMEOUT_SECONDS`, `FLYTE_FAIL_ON_ERROR`,
   * `FLYTE_ATTEMPT_NUMBER`...
   */
  env?: NodeJS.ProcessEnv;
  /** The transformers that the task's variables may name (made with `typeTransformers`); put in the task's context. */
  transformers?: TypeTransformers;
  /**
   * A fast-registration code archive to extract into `destDir` before the task is resolved (see
   * {@link fetchDistribution}). A storage failure is a recoverable SYSTEM error; an unusable archive is not.
   */
  distribution?: { uri: string; destDir: string };
}

const FLAGS: Record<string, keyof Omit<ExecuteArgs, 'address'>> = {
  '--inputs': 'inputs',
  '--output-prefix': 'outputPrefix',
  '--raw-output-data-prefix': 'rawOutputDataPrefix',
  '--checkpoint-path': 'checkpointPath',
  '--prev-checkpoint': 'prevCheckpoint',
};

/** An empty template value: propeller renders a missing previous checkpoint as the 2 characters `""`. */
function emptyTemplateValue(value: string): boolean {
  return value === '' || value === '""' || value === "''";
}

/**
 * Parses the arguments {@link taskArgs} makes (what follows the entrypoint), with `--flag value` or `--flag=value`.
 * `--prev-checkpoint ""` (propeller's rendering of "none") and empty values mean none. Unknown flags (e.g.
 * pyflyte's `--resolver x`) are skipped with their value. Throws {@link ExecuteArgsError} when a required flag is
 * missing.
 */
export function parseExecuteArgs(argv: string[]): ExecuteArgs {
  const values: Partial<Record<keyof Omit<ExecuteArgs, 'address'>, string>> = {};
  let address: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      address = argv.slice(i + 1);
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const key = FLAGS[flag];
    if (!arg.startsWith('--')) throw new ExecuteArgsError(`unexpected argument ${JSON.stringify(arg)}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value === '--') {
        if (key) throw new ExecuteArgsError(`${flag} needs a value`);
        continue;
      }
      i++;
    }
    if (key) values[key] = value;
  }
  for (const required of ['inputs', 'outputPrefix', 'rawOutputDataPrefix'] as const) {
    const value = values[required];
    if (value === undefined || emptyTemplateValue(value)) {
      const flag = Object.keys(FLAGS).find((f) => FLAGS[f] === required)!;
      throw new ExecuteArgsError(`missing ${flag}`);
    }
  }
  const out: ExecuteArgs = { inputs: values.inputs!, outputPrefix: values.outputPrefix!, rawOutputDataPrefix: values.rawOutputDataPrefix!, address };
  if (values.checkpointPath !== undefined && !emptyTemplateValue(values.checkpointPath)) out.checkpointPath = values.checkpointPath;
  if (values.prevCheckpoint !== undefined && !emptyTemplateValue(values.prevCheckpoint)) out.prevCheckpoint = values.prevCheckpoint;
  return out;
}

type Failure = NonNullable<ExecuteResult['error']>;

class TaskFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

function system(code: string, message: string, recoverable: boolean): TaskFailure {
  return new TaskFailure({ code, message, kind: 'SYSTEM', recoverable });
}

/** flytekit's `get_traceback_str`: `Trace:\n\n<indented stack>\nMessage:\n\n    <Name>: <message>`. */
function traceback(error: unknown): string {
  const indent = (text: string) =>
    text
      .split('\n')
      .map((line) => (line === '' ? line : `    ${line}`))
      .join('\n');
  const name = error instanceof Error ? error.name : typeof error;
  const message = errorMessage(error);
  const stack = error instanceof Error && error.stack ? error.stack : `${name}: ${message}`;
  const cause =
    error instanceof Error && error.cause !== undefined
      ? `\nCaused by: ${error.cause instanceof Error && error.cause.stack ? error.cause.stack : errorMessage(error.cause)}`
      : '';
  return `Trace:\n\n${indent(stack + cause)}\n\nMessage:\n\n${indent(`${name}: ${message}`)}`;
}

function userFailure(error: unknown): TaskFailure {
  const own = (error as { code?: unknown } | null)?.code;
  // (by code too: a task may throw the FlyteRecoverableError of another copy of this package)
  const recoverable = error instanceof FlyteRecoverableError || (isUnionMLError(error) && error.code === FLYTE_ERRORS.FLYTE_TASK_RECOVERABLE.code);
  return new TaskFailure({
    code: recoverable ? RECOVERABLE_CONTAINER_CODE : typeof own === 'string' && own !== '' ? own : typeof own === 'number' ? String(own) : 'USER:RuntimeError',
    message: traceback(error),
    kind: 'USER',
    recoverable,
  });
}

const STORAGE_CONTAINER_CODES: Record<StorageError['code'], string> = {
  STORAGE_NOT_FOUND: 'SYSTEM:NotFound',
  STORAGE_FAILED: 'SYSTEM:StorageFailed',
  STORAGE_TIMEOUT: 'SYSTEM:StorageTimeout',
};

/** Storage trouble is the platform's (recoverable); anything else unexpected too (flytekit's "unknown" SYSTEM). */
function classify(error: unknown, what: string): TaskFailure {
  if (error instanceof TaskFailure) return error;
  if (error instanceof StorageError) return system(STORAGE_CONTAINER_CODES[error.code], `${what}: ${error.message}`, true);
  return system('SYSTEM', `${what}: ${traceback(error)}`, true);
}

/** An error in one line: `[CODE] message`, the `Message:` part of a traceback. */
function oneLine(code: string | undefined, message: string): string {
  return `${code ? `[${code}] ` : ''}${summaryOf(message).replace(/\s*\n\s*/g, ' ')}`;
}

/**
 * Runs one task attempt the way flytekit's `pyflyte-execute` does (`entrypoint.py::_dispatch_execute`): reads
 * `inputs.pb` (a LiteralMap, from `file://`, a plain path or `s3://`), converts it with the task's interface, runs the
 * task, and writes `<outputPrefix>/outputs.pb`; blobs and datasets go under `rawOutputDataPrefix`.
 *
 * On failure it writes `<outputPrefix>/error.pb` (`core.ErrorDocument{ContainerError{code, message, kind, origin,
 * timestamp}}`) and never throws:
 * - the task throws: origin USER, NON_RECOVERABLE (RECOVERABLE for {@link FlyteRecoverableError}, code
 *   `USER:Recoverable` as flytekit's), code the error's string `code` or `USER:RuntimeError`, message flytekit-style
 *   (`Trace: <stack> Message: <Name>: <message>`);
 * - the task returns outputs that do not fit its interface: USER, NON_RECOVERABLE (flytekit calls this SYSTEM; here
 *   it is the task's bug);
 * - `resolve()` rejects (an unknown task address), or `options.distribution` is not a usable code archive: SYSTEM,
 *   NON_RECOVERABLE;
 * - inputs that do not fit the interface: SYSTEM, NON_RECOVERABLE (as flytekit); data a transformer cannot read (a
 *   file that is not Parquet, a codec it has not): USER, NON_RECOVERABLE (`USER:DataInvalid`), naming the variable;
 * - `inputs.pb` missing or corrupt, storage failures, anything unexpected: SYSTEM, RECOVERABLE (as flytekit);
 *   `outputs.pb` that cannot be written (an output prefix that cannot be created or written) is a storage failure
 *   (`SYSTEM:StorageFailed`), written to error.pb if that can be; a storage operation that does not finish within the
 *   storage timeout is `SYSTEM:StorageTimeout`;
 * - `UNIONML_STORAGE_TIMEOUT_SECONDS` that is not a positive number: SYSTEM, NON_RECOVERABLE
 *   (`SYSTEM:StorageConfigInvalid`, error.pb written with the default timeout).
 *
 * Every storage operation (inputs.pb, blobs, outputs.pb, error.pb, the task's temporary folder) has a timeout:
 * `UNIONML_STORAGE_TIMEOUT_SECONDS` of `options.env` (default 60, plus 1 s per MiB transferred; see
 * `storageTimeoutMs`), so that the attempt ends even when the store does not answer.
 *
 * The exit code is 0 after writing outputs.pb, or error.pb (as flytekit, so that propeller reads error.pb), 1 after
 * writing error.pb when `FLYTE_FAIL_ON_ERROR` is true, and 2 when even error.pb cannot be written: then stderr ends
 * with both errors, the task's and error.pb's (`!! Cannot write error.pb ...`).
 *
 * Variables whose type names a transformer are converted by `options.transformers` (see `typeTransformers`), which
 * the task also sees in its context.
 */
export async function executeTask(resolve: () => Promise<TaskDefinition>, args: ExecuteArgs, options: ExecuteTaskOptions = {}): Promise<ExecuteResult> {
  const env = options.env ?? process.env;
  let storage: Storage;
  let timeoutMs: number;
  let failure: Failure | undefined;
  try {
    timeoutMs = storageTimeoutMs(env);
    storage = anyStorage(env, { timeoutMs });
  } catch (error) {
    // error.pb is still written, with the default timeout.
    timeoutMs = DEFAULT_STORAGE_TIMEOUT_SECONDS * 1000;
    storage = anyStorage(env, { timeoutMs });
    failure = system('SYSTEM:StorageConfigInvalid', `cannot run the task: ${errorMessage(error)}`, false).failure;
  }
  if (!failure) failure = await attempt(resolve, args, options, env, storage, timeoutMs);
  if (!failure) return { status: 'succeeded', exitCode: 0 };

  process.stderr.write(
    `!! Begin ${failure.kind === 'USER' ? 'User' : 'System'} Error Captured by Flyte !!\n${failure.message}\n!! End Error Captured by Flyte !!\n`,
  );
  const errorUri = joinUri(args.outputPrefix, 'error.pb');
  try {
    await storage.write(errorUri, errorDocument(failure));
  } catch (error) {
    // Flyte will see no error.pb: say so, with both errors, where the pod's log keeps them.
    const code = (error as { code?: unknown } | null)?.code;
    process.stderr.write(
      `!! Cannot write error.pb: exit 2 !!\n` +
        `the task's error (not written): ${oneLine(failure.code, failure.message)}\n` +
        `the error writing ${errorUri}: ${oneLine(typeof code === 'string' ? code : undefined, errorMessage(error))}\n`,
    );
    return { status: 'failed', exitCode: 2, error: failure };
  }
  const failOnError = ['true', 't', '1'].includes((env['FLYTE_FAIL_ON_ERROR'] ?? '').toLowerCase());
  return { status: 'failed', exitCode: failOnError ? 1 : 0, error: failure };
}

/** Runs the attempt up to writing outputs.pb: the failure to report, if any. */
async function attempt(
  resolve: () => Promise<TaskDefinition>,
  args: ExecuteArgs,
  options: ExecuteTaskOptions,
  env: NodeJS.ProcessEnv,
  storage: Storage,
  timeoutMs: number,
): Promise<Failure | undefined> {
  let workDir: string | undefined;
  let failure: Failure | undefined;
  try {
    const temp = join(tmpdir(), 'flyte-task-');
    try {
      workDir = await withStorageTimeout(`create a folder ${temp}*`, temp, timeoutMs, () => mkdtemp(temp));
    } catch (error) {
      throw classify(
        error instanceof StorageError ? error : new StorageError('STORAGE_FAILED', temp, errorMessage(error), { cause: error }),
        `cannot create the task's temporary folder`,
      );
    }
    const ctx: TaskRunContext = { storage, rawOutputPrefix: args.rawOutputDataPrefix, workDir, env };
    if (options.transformers) ctx.transformers = options.transformers;
    if (args.checkpointPath) ctx.checkpointPath = args.checkpointPath;
    if (args.prevCheckpoint) ctx.prevCheckpoint = args.prevCheckpoint;

    if (options.distribution) {
      const { uri, destDir } = options.distribution;
      try {
        await fetchDistribution(uri, destDir, { storage });
      } catch (error) {
        if (error instanceof CodeArchiveError) throw system('SYSTEM:CodeArchiveInvalid', error.message, false);
        throw classify(error, `cannot fetch the code archive ${uri}`);
      }
    }

    let task: TaskDefinition;
    try {
      task = await resolve();
      if (!task || typeof task.run !== 'function' || !task.interface)
        throw new Error(`the resolver returned ${task === undefined ? 'nothing' : 'something that is not a task definition'}`);
    } catch (error) {
      throw system('SYSTEM:TaskNotFound', `cannot resolve task [${args.address.join(' ')}]: ${errorMessage(error)}`, false);
    }

    let bytes: Uint8Array;
    try {
      bytes = await storage.read(args.inputs);
    } catch (error) {
      throw classify(error, `cannot read the inputs of task ${task.name} from ${args.inputs}`);
    }
    let inputMap: flyteidl.core.LiteralMap;
    try {
      inputMap = flyteidl.core.LiteralMap.decode(bytes);
    } catch (error) {
      throw system('SYSTEM:InputsCorrupt', `the inputs of task ${task.name} (${args.inputs}) are not a valid LiteralMap: ${errorMessage(error)}`, true);
    }
    let inputs: Record<string, unknown>;
    try {
      inputs = await fromLiteralMap(inputMap, task.interface.inputs, ctx);
    } catch (error) {
      // The data a transformer could not read (a file that is not Parquet, a codec it has not) is the user's data:
      // USER, not retried. Other inputs that do not fit are flytekit's non-recoverable system error.
      if (error instanceof FlyteTypeError && isUnionMLError(error.cause) && error.cause.kind === 'input') {
        throw new TaskFailure({
          code: 'USER:DataInvalid',
          message: `the inputs of task ${task.name} cannot be read: ${error.message}`,
          kind: 'USER',
          recoverable: false,
        });
      }
      if (error instanceof FlyteTypeError)
        throw system('SYSTEM:InputsInvalid', `the inputs of task ${task.name} do not fit its interface: ${error.message}`, false);
      throw classify(error, `cannot convert the inputs of task ${task.name}`);
    }

    let outputs: Record<string, unknown>;
    try {
      outputs = await task.run(inputs, ctx);
    } catch (error) {
      throw userFailure(error);
    }

    let outputMap: flyteidl.core.ILiteralMap;
    try {
      outputMap = await toLiteralMap(outputs ?? {}, task.interface.outputs, ctx);
    } catch (error) {
      if (error instanceof FlyteTypeError) {
        throw new TaskFailure({
          code: 'USER:OutputsInvalid',
          message: `task ${task.name} returned outputs that do not fit its interface: ${error.message}`,
          kind: 'USER',
          recoverable: false,
        });
      }
      throw classify(error, `cannot store the outputs of task ${task.name}`);
    }
    try {
      await storage.write(joinUri(args.outputPrefix, 'outputs.pb'), flyteidl.core.LiteralMap.encode(outputMap).finish());
    } catch (error) {
      throw classify(error, `cannot write the outputs of task ${task.name} to ${args.outputPrefix}`);
    }
  } catch (error) {
    failure = (error instanceof TaskFailure ? error : classify(error, 'the task runtime failed')).failure;
  } finally {
    // Best effort, and bounded: a folder that cannot be removed must not hold up the outcome.
    const dir = workDir;
    if (dir) await withStorageTimeout(`remove ${dir}`, dir, timeoutMs, () => rm(dir, { recursive: true, force: true })).catch(() => undefined);
  }
  return failure;
}

/** Encodes a `core.ErrorDocument` for a failure. */
export function errorDocument(failure: Failure, now = Date.now()): Uint8Array {
  const { ContainerError } = flyteidl.core;
  const error: flyteidl.core.IContainerError = {
    code: failure.code,
    message: failure.message,
    origin: failure.kind === 'USER' ? flyteidl.core.ExecutionError.ErrorKind.USER : flyteidl.core.ExecutionError.ErrorKind.SYSTEM,
    timestamp: millisToTimestamp(now),
  };
  // NON_RECOVERABLE is the proto3 default (0): left out, as flytekit's bytes.
  if (failure.recoverable) error.kind = ContainerError.Kind.RECOVERABLE;
  return flyteidl.core.ErrorDocument.encode({ error }).finish();
}
