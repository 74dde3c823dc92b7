/**
 * `unionml execute ... -- app-module APP unionml-obj-name MODEL task-name TASK`: the entrypoint of a task container.
 * All of it is @unionml/compiler's (`executeTaskFromArgs`): this command only hands over the arguments and the exit code.
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
