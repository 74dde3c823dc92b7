import { join } from 'node:path';
import type { CommandContext } from '../commands.js';
import type { Output } from '../output.js';
import { CLI_ROOT } from '../templates.js';
import { UsageError } from '../errors.js';

/** Remote (Flyte) modes are not in this release: `train` and `predict` need `--local`; `--image` needs `--compiled`. */
export function requireLocal(command: 'train' | 'predict', values: CommandContext['values']): void {
  if (values['image'] !== undefined && values['compiled'] !== true) {
    throw new UsageError('--image runs the compiled workflow in containers: it needs --local --compiled', command);
  }
  if (values['local'] === true) return;
  const doing = command === 'train' ? 'training' : 'prediction';
  throw new UsageError(`remote ${doing} on Flyte is not available in this release; pass --local to run ${command} in this process`, command, {
    code: 'REMOTE_NOT_AVAILABLE',
  });
}

/** A string option's value, if given. */
export function option(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Seconds rounded to the millisecond, for --json reports. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** This CLI's bin, run by the local executor for each task (`unionml execute ...` in the task templates). */
export const CLI_BIN = join(CLI_ROOT, 'bin', 'unionml.js');

/**
 * Maps a task container's command to this machine: its `unionml` is this CLI, run by this Node.js (the image's
 * PATH does not exist here).
 */
export function localTaskCommand(argv: string[]): string[] {
  return argv[0] === 'unionml' ? [process.execPath, CLI_BIN, ...argv.slice(1)] : argv;
}

/** Prints the local executor's progress on stderr. */
export function nodeProgress(out: Output): (event: { nodeId: string; phase: 'running' | 'succeeded' | 'failed'; seconds?: number }) => void {
  return ({ nodeId, phase, seconds }) => {
    if (phase !== 'running') out.info(`node ${nodeId} ${phase}${seconds !== undefined ? ` in ${seconds.toFixed(1)} s` : ''}`);
  };
}
