/**
 * The remote commands that read what is on the cluster or change a schedule's state: `list-model-versions`,
 * `list-prediction-ids`, `fetch-model`, `fetch-predictions`, `activate-schedules`, `deactivate-schedules`,
 * `list-scheduled-training-runs` and `list-scheduled-prediction-runs`. Python UnionML's CLI has these; three of them
 * had bugs that are fixed here: fetch-predictions writes its file, deactivate-schedules deactivates, and
 * list-scheduled-prediction-runs lists prediction runs.
 */
import { resolve } from 'node:path';
import { isUnionMLError } from '@unionml/errors';
import type { Metrics } from '@unionml/core';
import type { ExecutionSummary } from '@unionml/remote';
import type { CommandContext } from '../commands.js';
import { OutputWriteError, RemoteCommandError, UsageError } from '../errors.js';
import { writeFileAtomic } from '@unionml/core/files';
import type { Output } from '../output.js';
import {
  clusterArgs,
  connect,
  INTERRUPTED_STATUS,
  listingAppVersion,
  positiveInt,
  reportInterrupted,
  shellQuote,
  waitFor,
  withSession,
  type RemoteSession,
} from './remote.js';
import { checkOutput, checkWritable, formatMetrics, option } from './shared.js';

/** `list-model-versions` and `list-prediction-ids`: successful trainings or predictions of an app version, newest first. */
export async function listExecutions(context: CommandContext, what: 'model-versions' | 'prediction-ids'): Promise<number> {
  const { values, cwd, out } = context;
  const command = `list-${what}`;
  const limit = positiveInt(values, 'limit', 10, command);
  const session = await connect(context, command);
  return withSession(session, async () => {
    const appVersion = listingAppVersion(session, values, cwd, command);
    const names =
      what === 'model-versions' ? await session.app.listModelVersions({ appVersion, limit }) : await session.app.listPredictionIds({ appVersion, limit });
    out.restore();
    const noun = what === 'model-versions' ? 'model versions' : 'prediction ids';
    const where = `model '${session.model.name}', app version ${appVersion}, ${session.cluster.project}/${session.cluster.domain}`;
    if (names.length === 0)
      out.say(`no ${noun} (${where})${option(values, 'app-version') === undefined ? '; the app version is the git commit unless -v names one' : ''}`);
    else out.say(`${noun} (${where}), newest first:`);
    if (out.json) {
      out.resultJson({
        model: session.model.name,
        appVersion,
        project: session.cluster.project,
        domain: session.cluster.domain,
        [what === 'model-versions' ? 'modelVersions' : 'predictionIds']: names,
      });
    } else for (const name of names) out.result(`- ${name}`);
    return 0;
  });
}

/** What `unionml fetch-model --json` prints. */
export interface FetchModelReport {
  model: string;
  modelVersion: string;
  modelPath: string;
  /** The model file in the cluster's storage. */
  modelUri: string;
  hyperparameters: unknown;
  metrics: Metrics;
}

/**
 * `fetch-model APP:MODEL [-v V] [-m latest] -o FILE`: saves the model file of a model version (a training's
 * execution name, or the newest successful training), as `unionml train --local -o` saves one. A named training that
 * is still running is waited for, with the live view.
 */
export async function fetchModel(context: CommandContext): Promise<number> {
  const { values, cwd, out } = context;
  const output = option(values, 'output');
  if (output === undefined) throw new UsageError('missing -o MODEL_FILE: where to save the model file', 'fetch-model', { hint: 'e.g. -o model.json' });
  const target = resolve(cwd, output);
  const modelVersion = nonEmptyVersion(values, 'model-version', 'fetch-model') ?? 'latest';
  const { ModelFileError } = await import('@unionml/core');
  await checkOutput(target, ModelFileError);
  const session = await connect(context, 'fetch-model');
  return withSession(session, async () => {
    const again = ['unionml', 'fetch-model', session.address, '-m', modelVersion, '-o', output, ...clusterArgs(session.cluster)];
    if (modelVersion !== 'latest' && (await waitIfRunning(session, out, modelVersion, again)) === 'interrupted') return INTERRUPTED_STATUS;
    const artifact = await session.app.fetchModel(modelVersion, { appVersion: option(values, 'app-version'), output: target });
    out.restore();
    out.say(`saved model version ${artifact.modelVersion} of model '${session.model.name}' to ${artifact.modelFile}`);
    out.say(`metrics: ${formatMetrics(artifact.metrics)}`);
    if (out.json) {
      out.resultJson({
        model: session.model.name,
        modelVersion: artifact.modelVersion,
        modelPath: artifact.modelFile,
        modelUri: artifact.modelUri,
        hyperparameters: artifact.hyperparameters,
        metrics: artifact.metrics,
      } satisfies FetchModelReport);
    }
    return 0;
  });
}

/**
 * `fetch-predictions APP:MODEL [-v V] [-m latest] [-o FILE]`: the predictions of a prediction (its execution name, or
 * the newest successful prediction of the app version), as JSON on stdout or written to FILE. Python UnionML's
 * command opened the file read-only and failed to write it.
 */
export async function fetchPredictions(context: CommandContext): Promise<number> {
  const { values, cwd, out } = context;
  const output = option(values, 'output');
  const target = output === undefined ? undefined : resolve(cwd, output);
  const requested = nonEmptyVersion(values, 'prediction-id', 'fetch-predictions') ?? 'latest';
  if (target) await checkWritable(target);
  const session = await connect(context, 'fetch-predictions');
  return withSession(session, async () => {
    let predictionId = requested;
    if (requested === 'latest') {
      // RemoteModel has no "latest prediction": the newest successful one of the app version (the git commit by default).
      const appVersion = listingAppVersion(session, values, cwd, 'fetch-predictions');
      const [newest] = await session.app.listPredictionIds({ appVersion, limit: 1 });
      if (!newest) {
        throw new RemoteCommandError(
          'CLI_NO_PREDICTION',
          `model '${session.model.name}' has no successful prediction with app version ${appVersion} in ${session.cluster.project}/${session.cluster.domain}`,
          `predict first (unionml predict ${session.address} -f FEATURES.json --wait), or pass the app version of one with -v`,
        );
      }
      predictionId = newest;
    } else {
      const again = ['unionml', 'fetch-predictions', session.address, '-m', requested, ...(output ? ['-o', output] : []), ...clusterArgs(session.cluster)];
      if ((await waitIfRunning(session, out, requested, again)) === 'interrupted') return INTERRUPTED_STATUS;
    }
    const predictions = await session.app.fetchPredictions(predictionId);
    out.restore();
    if (target) {
      await writeFileAtomic(target, `${JSON.stringify(predictions)}\n`).catch((error: unknown) => {
        throw new OutputWriteError(target, error);
      });
      out.say(`saved the predictions of ${predictionId} (model '${session.model.name}') to ${target}`);
      if (out.json) out.resultJson({ model: session.model.name, predictionId, path: target });
    } else {
      out.info(`the predictions of ${predictionId} (model '${session.model.name}')`);
      if (out.json) out.resultJson({ model: session.model.name, predictionId, predictions });
      else out.result(JSON.stringify(predictions));
    }
    return 0;
  });
}

/**
 * `activate-schedules` / `deactivate-schedules APP:MODEL [-v V] [--name N ...]`: the model's schedules (all, or those
 * named) of an app version (default: the git commit). Python UnionML's deactivate-schedules activated them.
 */
export async function setSchedules(context: CommandContext, active: boolean): Promise<number> {
  const { values, cwd, out } = context;
  const command = active ? 'activate-schedules' : 'deactivate-schedules';
  const raw = values['name'];
  const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : undefined;
  if (names?.some((n) => n.trim() === '')) throw new UsageError('--name needs a schedule name', command);
  const session = await connect(context, command);
  return withSession(session, async () => {
    const appVersion = listingAppVersion(session, values, cwd, command);
    const changed = active ? await session.app.activateSchedules({ appVersion, names }) : await session.app.deactivateSchedules({ appVersion, names });
    out.restore();
    const verb = active ? 'activated' : 'deactivated';
    if (changed.length === 0) out.say(`model '${session.model.name}' declares no schedules: nothing ${verb}`);
    else
      out.say(
        `${verb} schedules ${changed.join(', ')} of model '${session.model.name}' (app version ${appVersion}) in ${session.cluster.project}/${session.cluster.domain}`,
      );
    if (out.json) out.resultJson({ model: session.model.name, appVersion, [verb]: changed });
    return 0;
  });
}

/**
 * `list-scheduled-training-runs` / `list-scheduled-prediction-runs APP:MODEL SCHEDULE [-v V] [--limit 5]`: the runs of
 * a schedule (any phase), newest first. Python UnionML's list-scheduled-prediction-runs listed training runs.
 */
export async function listScheduledRuns(context: CommandContext, kind: 'training' | 'prediction'): Promise<number> {
  const { positionals, values, cwd, out } = context;
  const command = `list-scheduled-${kind}-runs`;
  const schedule = positionals[1]!;
  const limit = positiveInt(values, 'limit', 5, command);
  const session = await connect(context, command);
  return withSession(session, async () => {
    const appVersion = listingAppVersion(session, values, cwd, command);
    const runs: ExecutionSummary[] =
      kind === 'training'
        ? await session.app.listScheduledTrainingRuns(schedule, { appVersion, limit })
        : await session.app.listScheduledPredictionRuns(schedule, { appVersion, limit });
    out.restore();
    const where = `schedule '${schedule}' of model '${session.model.name}', app version ${appVersion}`;
    if (runs.length === 0) out.say(`no ${kind} runs (${where})`);
    else out.say(`${kind} runs (${where}), newest first:`);
    if (out.json) {
      out.resultJson({
        model: session.model.name,
        schedule,
        appVersion,
        runs: runs.map((r) => ({ ...r, createdAt: r.createdAt?.toISOString() })),
      });
    } else for (const run of runs) out.result(`- ${run.name}  ${run.phase}${run.createdAt ? `  ${run.createdAt.toISOString()}` : ''}`);
    return 0;
  });
}

function nonEmptyVersion(values: CommandContext['values'], name: string, command: string): string | undefined {
  const value = option(values, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a value`, command);
  return value;
}

/**
 * Waits (with the live view) for a named execution that has not finished; nothing is shown for a finished one. Ctrl-C
 * stops the wait and says how to follow the execution (this command again) or terminate it.
 */
async function waitIfRunning(session: RemoteSession, out: Output, name: string, follow: string[]): Promise<'done' | 'interrupted'> {
  let waited: Awaited<ReturnType<typeof waitFor>>;
  try {
    waited = await waitFor(session.app, { name }, { lazy: true });
  } catch (error) {
    // An unknown name: the fetch that follows says so, with its own hint (list the model versions...).
    if (isUnionMLError(error) && error.code === 'REMOTE_EXECUTION_UNKNOWN') return 'done';
    throw error;
  }
  if (!waited.interrupted) return 'done';
  reportInterrupted(out, session, { name, last: waited.last, follow: follow.map(shellQuote).join(' ') });
  return 'interrupted';
}
