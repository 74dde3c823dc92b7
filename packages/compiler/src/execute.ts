// `unionml execute`: the task container's entrypoint. Parses the arguments Flyte renders, finds the app, the Model
// and the task by the address after `--`, and runs it through @unionml/flyte's task runtime.
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
 * error.pb. Resolves to the process exit code (0 also after writing error.pb, as flytekit).
 */
export async function executeTaskFromArgs(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const args = flyte.parseExecuteArgs(argv);
  const result = await flyte.executeTask(
    async () => {
      const address = parseTaskAddress(args.address);
      const model = await loadModel(`${address.module}:${address.exportName}`, options.cwd ? { cwd: options.cwd } : {});
      return taskDefinition(model, address.taskName);
    },
    args,
    { transformers: TRANSFORMERS, ...(options.env ? { env: options.env } : {}) },
  );
  return result.exitCode;
}
