/**
 * `unionml execute ... -- app-module APP unionml-obj-name MODEL task-name TASK`: the entrypoint of a task container.
 * All of it is @unionml/compiler's (`executeTaskFromArgs`): this command only hands over the arguments and the exit code.
 *
 * Exit statuses (what propeller sees):
 * - 0: `outputs.pb` was written, or the task's failure was written to `error.pb` (as pyflyte-execute: propeller reads
 *   error.pb, and retries a RECOVERABLE error);
 * - 1: `error.pb` was written and `FLYTE_FAIL_ON_ERROR` is true (as flytekit), or an unexpected crash of the command;
 * - 2: nothing was written: the arguments are not propeller's (a usage error, e.g. no --output-prefix), or not even
 *   `error.pb` could be written (an output prefix that cannot be created, under /proc or under a file; a store that
 *   does not answer). Stderr then ends with `!! Cannot write error.pb: exit 2 !!` and both errors, the task's and
 *   error.pb's;
 * - anything else: the process was killed (137: out of memory).
 *
 * It never waits for ever on storage: every storage operation times out after `UNIONML_STORAGE_TIMEOUT_SECONDS`
 * (default 60 s, plus 1 s per MiB transferred), a `STORAGE_TIMEOUT` error (`SYSTEM:StorageTimeout` in error.pb).
 */
import type { CommandContext } from '../commands.js';

export async function execute({ positionals, cwd }: CommandContext): Promise<number> {
  const { executeTaskFromArgs } = await import('@unionml/compiler');
  return executeTaskFromArgs(positionals, { cwd });
}

/** `unionml fast-execute --additional-distribution URI [--dest-dir DIR] -- unionml execute ...`: a patched task's entrypoint. */
export async function fastExecute({ positionals, cwd }: CommandContext): Promise<number> {
  const { fastExecuteTaskFromArgs } = await import('@unionml/compiler');
  return fastExecuteTaskFromArgs(positionals, { cwd });
}
