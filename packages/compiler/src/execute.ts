// `unionml execute`: the task container's entrypoint. Parses the arguments Flyte renders, finds the app, the Model
// and the task by the address after `--`, and runs it through @unionml/flyte's task runtime.
import { basename, resolve } from 'node:path';
import { loadModel } from '@unionml/core';
import * as flyte from '@unionml/flyte';
import { TRANSFORMERS } from './dataframe.js';
import { FlyteCompileError } from './errors.js';
import { taskDefinition } from './plan.js';

/** The address of a task in its container's arguments (Python UnionML's resolver arguments). */
export interface TaskAddress {
  module: string;
  exportName: string;
  taskName: string;
}

/** Parses `app-module APP unionml-obj-name MODEL task-name TASK`. */
export function parseTaskAddress(address: readonly string[]): TaskAddress {
  const value = (key: string) => {
    const i = address.indexOf(key);
    return i >= 0 ? address[i + 1] : undefined;
  };
  const module = value('app-module');
  const exportName = value('unionml-obj-name');
  const taskName = value('task-name');
  if (!module || !exportName || !taskName || address.length !== 6) {
    throw new FlyteCompileError(
      'FLYTE_TASK_UNKNOWN',
      `the task address '${address.join(' ')}' is not 'app-module APP unionml-obj-name MODEL task-name TASK'`,
      'the task arguments are made by unionml package; repackage the app',
    );
  }
  return { module, exportName, taskName };
}

/**
 * Runs the task named by `argv` (what follows `unionml execute`): reads inputs.pb, runs, writes outputs.pb or
 * error.pb. Resolves to the process exit code: 0 also after writing error.pb (as flytekit), 1 after writing it with
 * `FLYTE_FAIL_ON_ERROR=true`, 2 when not even error.pb can be written (both errors are then on stderr); see
 * `executeTask`. Throws `FLYTE_ARGS_INVALID` for arguments that are not propeller's.
 */
export async function executeTaskFromArgs(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; distribution?: { uri: string; destDir: string } } = {},
): Promise<number> {
  const args = flyte.parseExecuteArgs(argv);
  const result = await flyte.executeTask(
    async () => {
      const address = parseTaskAddress(args.address);
      const model = await loadModel(`${address.module}:${address.exportName}`, options.cwd ? { cwd: options.cwd } : {});
      return taskDefinition(model, address.taskName);
    },
    args,
    { transformers: TRANSFORMERS, ...(options.env ? { env: options.env } : {}), ...(options.distribution ? { distribution: options.distribution } : {}) },
  );
  return result.exitCode;
}

/**
 * Runs `--additional-distribution URI [--dest-dir DIR] -- unionml execute ARGS...` (what a patch deploy compiles, as
 * pyflyte-fast-execute): extracts the code archive into DIR (default: the working folder), then runs the task from
 * there as {@link executeTaskFromArgs}. A failure to fetch or extract the archive is written to error.pb as well.
 */
export async function fastExecuteTaskFromArgs(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const fast = flyte.parseFastExecuteArgs(argv);
  const [program, command, ...rest] = fast.command;
  if (!program || basename(program) !== 'unionml' || command !== 'execute') {
    throw new flyte.ExecuteArgsError(
      `fast execution runs 'unionml execute ...' after --, got '${fast.command.join(' ')}'`,
      'the task arguments are made by unionml deploy --patch; deploy again',
    );
  }
  const destDir = resolve(options.cwd ?? process.cwd(), fast.destDir ?? '.');
  return executeTaskFromArgs(rest, { ...options, cwd: destDir, distribution: { uri: fast.distribution, destDir } });
}
