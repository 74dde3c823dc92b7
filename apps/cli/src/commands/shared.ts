import { join } from 'node:path';
import type { LocalRunOptions } from '@unionml/compiler';
import type * as Core from '@unionml/core';
import type { CommandContext } from '../commands.js';
import { importRemote, OutputWriteError, UsageError } from '../errors.js';
import { inspectOutputFile, writeFileAtomic } from '@unionml/core/files';
import type { Output } from '../output.js';
import type { Metrics } from '@unionml/core';
import { CLI_ROOT } from '../templates.js';

/** The options of train and predict that only run on a cluster. */
const REMOTE_ONLY = ['wait', 'app-version', 'model-version', 'config', 'project', 'domain'] as const;

/**
 * Checks the options of `train` and `predict` with `--local`: `--image` needs `--compiled`, and the cluster's options
 * (`--wait`, `--app-version`, `--config`...) have no meaning here.
 */
export function checkLocal(command: 'train' | 'predict', values: CommandContext['values']): void {
  if (values['image'] !== undefined && values['compiled'] !== true) {
    throw new UsageError('--image runs the compiled workflow in containers: it needs --local --compiled', command);
  }
  if (values['keep'] === true && values['compiled'] !== true) {
    throw new UsageError("--keep keeps a compiled run's files: it needs --local --compiled", command);
  }
  const given = REMOTE_ONLY.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length) {
    throw new UsageError(
      `${given.map((n) => `--${n}`).join(', ')} ${given.length === 1 ? 'is' : 'are'} for runs on a Flyte cluster, not --local ones`,
      command,
      {
        hint: `leave out --local to ${command} on the cluster`,
      },
    );
  }
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
export function nodeProgress(out: Output): NonNullable<LocalRunOptions['onNode']> {
  return ({ nodeId, taskName, phase, seconds }) => {
    const node = taskName ? `${taskName} (${nodeId})` : `node ${nodeId}`;
    if (phase !== 'running') out.info(`${node} ${phase}${seconds !== undefined ? ` in ${seconds.toFixed(1)} s` : ''}`);
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

/** `accuracy: train 0.9993, test 0.9722; f1: train 0.99, test 0.97`: each metric by name, its value on each split. */
export function formatMetrics(metrics: Metrics): string {
  const names = [...new Set([...Object.keys(metrics.train ?? {}), ...Object.keys(metrics.test ?? {})])];
  if (!names.length) return 'none (the model has no evaluator)';
  const format = (v: number) => (Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? v.toFixed(4) : String(v));
  return names
    .map((name) => {
      const splits = (['train', 'test'] as const).filter((s) => metrics[s]?.[name] !== undefined).map((s) => `${s} ${format(metrics[s]![name]!)}`);
      return `${name}: ${splits.join(', ')}`;
    })
    .join('; ');
}

/**
 * Fails before anything runs (training, connecting) when an output file cannot be written where asked: a folder, a
 * device, a FIFO or a socket is there, its folder is missing or takes no file, or its symlinks loop.
 * @param what what the file is in the message, e.g. `the report ` (with its trailing space), or nothing
 */
export async function checkWritable(target: string, what = ''): Promise<void> {
  const { problem } = await inspectOutputFile(target);
  if (problem) throw new OutputWriteError(target, undefined, `cannot write ${what}${target}: ${problem.text}`, problem.hint);
}

/**
 * Writes the HTML report of the model's trained or loaded artifact (metrics, confusion matrix or predicted against
 * actual values, hyperparameters) to `target`, atomically.
 */
export async function writeReport(model: Core.AnyModel, target: string, out: Output): Promise<void> {
  const { renderReport, reportInputOf } = await import('@unionml/server');
  const input = reportInputOf(model);
  if (!input) return;
  try {
    await writeFileAtomic(target, renderReport(input));
  } catch (error) {
    throw new OutputWriteError(target, error);
  }
  out.say(`wrote the report to ${target}`);
}

/** Fails before training, not after, when the model file cannot be written where asked (see {@link checkWritable}). */
export async function checkOutput(target: string, ModelFileError: typeof Core.ModelFileError): Promise<void> {
  const { problem } = await inspectOutputFile(target);
  if (problem) throw new ModelFileError('MODEL_FILE_WRITE', target, `cannot write the model file ${target}: ${problem.text}`, { hint: problem.hint });
}
