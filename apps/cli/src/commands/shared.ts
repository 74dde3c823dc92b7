import { join } from 'node:path';
import type { LocalRunOptions } from '@unionml/compiler';
import type { CommandContext } from '../commands.js';
import { importRemote, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { CLI_ROOT } from '../templates.js';

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

/** The command every compiled task runs: this CLI's `execute`, on the image's PATH. */
export const TASK_ENTRYPOINT: readonly string[] = ['unionml', 'execute'];

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

/**
 * The options of a compiled local run (`--local --compiled`): this CLI as every task's entrypoint, each task a local
 * process, or, with `--image`, a container of that image (through @unionml/remote, on the `--network` given).
 */
export async function compiledRunOptions(
  command: 'train' | 'predict',
  values: CommandContext['values'],
  context: { module: string; exportName: string; cwd: string; out: Output },
): Promise<LocalRunOptions> {
  const image = option(values, 'image');
  const network = option(values, 'network');
  if (network !== undefined && image === undefined) throw new UsageError('--network is the network of the task containers: it needs --image', command);
  const options: LocalRunOptions = {
    entrypoint: TASK_ENTRYPOINT,
    module: context.module,
    exportName: context.exportName,
    cwd: context.cwd,
    command: localTaskCommand,
    onNode: nodeProgress(context.out),
  };
  if (image) {
    const { containerRunner } = await importRemote(`${command} --image`);
    context.out.info(`every task runs in a container of ${image}`);
    options.image = image;
    options.runner = containerRunner(image, { networkMode: network });
  }
  return options;
}
