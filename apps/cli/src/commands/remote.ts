/**
 * What the remote commands share: the cluster options (--config, -p, -d), the RemoteModel of the app (made by
 * `remote()` of @unionml/remote, imported lazily, or by the seam's stand-in), waiting for an execution with a live
 * view and Ctrl-C, and the commands that follow or terminate an execution.
 */
import { resolve } from 'node:path';
import type { AnyModel } from '@unionml/core';
import { isUnionMLError } from '@unionml/errors';
import type * as Remote from '@unionml/remote';
import type { ExecutionProgress, ExecutionStatus, RemoteExecution, RemoteOptions } from '@unionml/remote';
import type { CommandContext } from '../commands.js';
import { importRemote, UsageError } from '../errors.js';
import { executionView } from '../execution-view.js';
import type { Output } from '../output.js';
import type { RemoteApp } from '../remote-app.js';
import { option } from './shared.js';

/** The default Flyte project and domain (a demo cluster's), as Python UnionML and flytectl. */
export const DEFAULT_PROJECT = 'flytesnacks';
export const DEFAULT_DOMAIN = 'development';

/** The exit status of a wait stopped with Ctrl-C (128 + SIGINT, as shells report it). */
export const INTERRUPTED_STATUS = 130;

/** Where the cluster is: the remote commands' `--config`, `-p` and `-d`. */
export interface Cluster {
  /** The Flyte config file as given (for the commands printed back to the user). */
  configArg: string | undefined;
  /** The config file's path: relative to the current folder; `~` is left for @unionml/flyte to expand. */
  config: string | undefined;
  project: string;
  domain: string;
}

export function clusterOptions(values: CommandContext['values'], cwd: string, command?: string): Cluster {
  const configArg = option(values, 'config');
  if (configArg !== undefined && configArg.trim() === '') throw new UsageError('--config needs the path of a Flyte config file', command);
  return {
    configArg,
    config: configArg === undefined || configArg.startsWith('~') ? configArg : resolve(cwd, configArg),
    project: nonEmpty(values, 'project', command) ?? DEFAULT_PROJECT,
    domain: nonEmpty(values, 'domain', command) ?? DEFAULT_DOMAIN,
  };
}

function nonEmpty(values: CommandContext['values'], name: string, command: string | undefined): string | undefined {
  const value = option(values, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a value`, command);
  return value;
}

/** A positive integer option, e.g. `--limit`. */
export function positiveInt(values: CommandContext['values'], name: string, fallback: number, command: string): number {
  const text = option(values, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer, got '${text}'`, command);
  return Number(text);
}

/** Refuses options that belong to the other mode (local or remote) of a command. */
export function refuseOptions(values: CommandContext['values'], names: readonly string[], command: string, why: string): void {
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length) throw new UsageError(`${given.map((n) => `--${n}`).join(', ')} ${given.length === 1 ? 'is' : 'are'} ${why}`, command);
}

/** The options of the remote commands that run on a cluster (`--config`, `-p`, `-d`): not for `--local` runs. */
export const CLUSTER_OPTIONS = ['config', 'project', 'domain'] as const;

/** A model, its RemoteModel, and what goes with them. */
export interface RemoteSession {
  address: string;
  model: AnyModel;
  app: RemoteApp;
  /** @unionml/remote (its image progress, app version and error classes). */
  remote: typeof Remote;
  cluster: Cluster;
  /** The RemoteModel's log messages so far (execution links are not printed twice). */
  logged: string[];
}

/**
 * Loads the app's model and makes its RemoteModel on the cluster of `--config`/`-p`/`-d`, with the app folder (the
 * current folder) and the app address for the task containers. @unionml/remote is imported first, so that a missing
 * package is said before the app loads; what the app prints goes to stderr from here on.
 */
export async function connect(
  context: CommandContext,
  command: string,
  extra: Pick<RemoteOptions, 'registry' | 'imageName' | 'dockerfile'> = {},
): Promise<RemoteSession> {
  const { positionals, values, cwd, out } = context;
  const address = positionals[0]!;
  const cluster = clusterOptions(values, cwd, command.split(' ')[0]);
  const remote = await importRemote(command);
  out.guardStdout();
  const { loadModel } = await import('@unionml/core');
  const model = await loadModel(address, { cwd });
  const logged: string[] = [];
  const logger = {
    info: (message: string) => {
      logged.push(message);
      out.info(message);
    },
    warn: (message: string) => out.warn(message),
    error: (message: string) => out.stderr(`[unionml] error: ${message}`),
  };
  const make = context.remote ?? remote.remote;
  const app = make(model, {
    config: cluster.config,
    project: cluster.project,
    domain: cluster.domain,
    appDir: cwd,
    app: address,
    logger,
    ...extra,
  });
  return { address, model, app, remote, cluster, logged };
}

/**
 * Runs a remote command's body and closes the connection; errors from @unionml/remote whose hints name the
 * library's calls get the CLI's commands instead.
 */
export async function withSession<T>(session: RemoteSession, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw cliError(error, session);
  } finally {
    await session.app.close().catch(() => undefined);
  }
}

/** A @unionml/remote error with the CLI's words in its hint (its code, message and cause unchanged). */
export function cliError(error: unknown, session: Pick<RemoteSession, 'address' | 'remote'>): unknown {
  if (!isUnionMLError(error) || !error.hint) return error;
  const { remote, address } = session;
  if (error.code === 'APP_VERSION_UNKNOWN' && /--version\b/.test(error.hint)) {
    return new remote.VersionError(error.message, error.hint.replace(/--version\b/g, '--app-version'));
  }
  if (error instanceof remote.RemoteError && /\bapp\.\w+\(/.test(error.hint)) {
    const hint = error.hint
      .replace(/app\.listModelVersions\(\)/g, `unionml list-model-versions ${address}`)
      .replace(/app\.listPredictionIds\(\)/g, `unionml list-prediction-ids ${address}`)
      .replace(/app\.wait\(execution\)/g, `unionml fetch-model ${address} -m ${error.execution ?? 'NAME'} -o model.json`)
      .replace(/app\.deploy\(\), /g, '')
      .replace(/app\.train\(\), /g, '');
    return new remote.RemoteError(error.code, error.message, {
      hint,
      cause: error,
      execution: error.execution,
      url: error.url,
      flyteErrorCode: error.flyteErrorCode,
    });
  }
  return error;
}

/**
 * The app version of a listing or a schedule change: `--app-version`, else the app folder's git commit (uncommitted
 * changes allowed), as Python UnionML's listings default to.
 */
export function listingAppVersion(session: RemoteSession, values: CommandContext['values'], cwd: string, command: string): string {
  const given = option(values, 'app-version');
  if (given !== undefined) {
    if (given.trim() === '') throw new UsageError('--app-version needs a value', command);
    return given;
  }
  try {
    return session.remote.appVersion(cwd, { allowUncommitted: true });
  } catch (error) {
    if (isUnionMLError(error) && error.code === 'APP_VERSION_UNKNOWN') {
      throw new session.remote.VersionError(
        `${error.message}; the listings default to the git commit of the app folder`,
        'pass the app version: --app-version V (unionml deploy prints it)',
      );
    }
    throw error;
  }
}

/** How a stopped wait ended: the execution's status, or Ctrl-C (with what the last poll saw). */
export type WaitOutcome = { status: ExecutionStatus; interrupted?: undefined } | { interrupted: true; last: ExecutionProgress | undefined };

/**
 * Waits for an execution with a live view on stderr (plain lines when stderr is not a terminal). Ctrl-C (SIGINT)
 * stops the wait, not the execution: the handler is installed only while waiting, so Ctrl-C anywhere else keeps its
 * usual meaning.
 */
export async function waitFor(
  app: RemoteApp,
  target: RemoteExecution | { name: string },
  options: { lazy?: boolean; urlShown?: boolean } = {},
): Promise<WaitOutcome> {
  const controller = new AbortController();
  let onInterrupt!: () => void;
  const interrupted = new Promise<'interrupted'>((resolveInterrupt) => {
    onInterrupt = () => {
      controller.abort(new Error('stopped waiting (Ctrl-C)'));
      resolveInterrupt('interrupted');
    };
  });
  process.once('SIGINT', onInterrupt);
  const execution = 'url' in target ? target : undefined;
  const view = executionView(
    process.stderr,
    { name: target.name, url: execution?.url, launchPlan: execution?.launchPlan.name },
    {
      lazy: options.lazy,
      plainUrl: !options.urlShown,
    },
  );
  const waiting = app.wait(target, { signal: controller.signal, onProgress: (progress) => view.update(progress) });
  // After Ctrl-C the wait may still reject (aborted, or the connection closing): nobody is listening any more.
  waiting.catch(() => undefined);
  try {
    const outcome = await Promise.race([waiting, interrupted]);
    if (outcome === 'interrupted') return { interrupted: true, last: view.last };
    return { status: outcome };
  } finally {
    view.done();
    process.off('SIGINT', onInterrupt);
  }
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The cluster options to repeat in a printed command: `--config` when given, `-p`/`-d` when not the defaults. */
export function clusterArgs(cluster: Cluster): string[] {
  return [
    ...(cluster.configArg !== undefined ? ['--config', cluster.configArg] : []),
    ...(cluster.project !== DEFAULT_PROJECT ? ['-p', cluster.project] : []),
    ...(cluster.domain !== DEFAULT_DOMAIN ? ['-d', cluster.domain] : []),
  ];
}

/** The commands that follow an execution (wait for it and fetch its result) and terminate it. */
export function followCommands(
  kind: 'train' | 'predict',
  name: string,
  session: Pick<RemoteSession, 'address' | 'cluster'>,
): { follow: string; terminate: string } {
  const { address, cluster } = session;
  const follow =
    kind === 'train'
      ? ['unionml', 'fetch-model', address, '-m', name, '-o', 'model.json', ...clusterArgs(cluster)]
      : ['unionml', 'fetch-predictions', address, '-m', name, ...clusterArgs(cluster)];
  const terminate = [
    'flytectl',
    'delete',
    'execution',
    name,
    '-p',
    cluster.project,
    '-d',
    cluster.domain,
    ...(cluster.configArg !== undefined ? ['--config', cluster.configArg] : []),
  ];
  return { follow: follow.map(shellQuote).join(' '), terminate: terminate.map(shellQuote).join(' ') };
}

/** What the remote train and predict print (`--json`) for an execution they did not wait for, or stopped waiting for. */
export interface StartedReport {
  model: string;
  kind: 'train' | 'predict';
  /** The execution's name: the model version of a training, the prediction id of a prediction. */
  execution: string;
  project: string;
  domain: string;
  launchPlan: { name: string; version: string };
  appVersion: string;
  url: string;
  /** Waits for it and fetches its result. */
  follow: string;
  /** Terminates it. */
  terminate: string;
  /** Ctrl-C stopped the wait. */
  interrupted?: true;
  /** With `interrupted`: the phase the last poll saw. */
  phase?: string;
}

/** What `--json` prints when Ctrl-C stopped a wait for an execution that no command started (fetch-model -m NAME...). */
export interface InterruptedReport {
  interrupted: true;
  execution: string;
  /** The phase the last poll saw. */
  phase?: string;
  url?: string;
  follow: string;
  terminate: string;
}

/** Says that Ctrl-C stopped the wait (on stderr, whatever the mode) and how to follow or terminate the execution. */
export function reportInterrupted(
  out: Output,
  session: Pick<RemoteSession, 'address' | 'cluster'>,
  execution: { name: string; kind?: 'train' | 'predict'; url?: string | undefined; last: ExecutionProgress | undefined; follow?: string },
): { follow: string; terminate: string; phase: string | undefined } {
  const commands = followCommands(execution.kind ?? 'train', execution.name, session);
  const follow = execution.follow ?? commands.follow;
  const phase = execution.last?.phase;
  const what = execution.kind === 'train' ? 'training' : execution.kind === 'predict' ? 'prediction' : 'execution';
  out.info(
    `stopped waiting; the ${what} ${execution.name} is still ${phase ? phase.toLowerCase() : 'running'} on Flyte${execution.url ? `: ${execution.url}` : ''}`,
  );
  out.info(`follow it:    ${follow}`);
  out.info(`terminate it: ${commands.terminate}`);
  if (out.json && !execution.kind) {
    out.resultJson({
      interrupted: true,
      execution: execution.name,
      ...(phase ? { phase } : {}),
      ...(execution.url ? { url: execution.url } : {}),
      follow,
      terminate: commands.terminate,
    } satisfies InterruptedReport);
  }
  return { follow, terminate: commands.terminate, phase };
}

/** Prints an execution that runs on without the CLI waiting for it (not waited for, or Ctrl-C). */
export function reportStarted(
  out: Output,
  session: RemoteSession,
  execution: RemoteExecution,
  interrupted?: { last: ExecutionProgress | undefined },
): StartedReport {
  const { follow, terminate } = followCommands(execution.kind, execution.name, session);
  const doing = execution.kind === 'train' ? 'training' : 'prediction';
  const report: StartedReport = {
    model: session.model.name,
    kind: execution.kind,
    execution: execution.name,
    project: execution.project,
    domain: execution.domain,
    launchPlan: execution.launchPlan,
    appVersion: execution.launchPlan.version,
    url: execution.url,
    follow,
    terminate,
  };
  if (interrupted) {
    const { phase } = reportInterrupted(out, session, { name: execution.name, kind: execution.kind, url: execution.url, last: interrupted.last });
    report.interrupted = true;
    if (phase) report.phase = phase;
  } else {
    out.say(
      `${doing} ${execution.name} started (${execution.launchPlan.name}, app version ${execution.launchPlan.version}) in ${execution.project}/${execution.domain}`,
    );
    if (!session.logged.some((m) => m.includes(execution.url))) out.say(`console: ${execution.url}`);
    out.say(`follow it:    ${follow}`);
    out.say(`terminate it: ${terminate}`);
  }
  if (out.json) out.resultJson(report);
  else if (!interrupted) out.result(execution.name);
  return report;
}
