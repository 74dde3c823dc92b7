// A stand-in for RemoteModel at the CLI's one seam (run(argv, { remote })): it records what the commands call, with
// which arguments, and answers as a script says. It knows nothing of Flyte: the remote operations themselves are
// @unionml/remote's, tested there against a FlyteAdmin stand-in.
import { copyFileSync } from 'node:fs';
import type { AnyModel } from '@unionml/core';
import { UnionMLError } from '@unionml/errors';
import { REMOTE_ERRORS, RemoteError } from '@unionml/remote';
import type { ExecutionProgress, ExecutionStatus, ExecutionSummary, RemoteArtifact, RemoteExecution, RemoteOptions } from '@unionml/remote';
import type { RemoteApp, RemoteFactory } from '../remote-app.js';

/** What the stand-in answers. JSON, so that a child process can take it from the environment. */
export interface FakeScript {
  /** The name of the executions train and predict start. */
  execution?: string;
  /** The app version of the launch plans they run. */
  appVersion?: string;
  /** The progress reported to `onProgress`, in turn, before wait settles. */
  progress?: ExecutionProgress[];
  /** How wait settles: succeeds, fails (an error code of @unionml/remote), or never (until its signal aborts). */
  wait?: 'succeed' | 'hang' | { code: keyof typeof REMOTE_ERRORS; message: string; hint?: string };
  /** The model file that load and fetchModel return (and copy to `output`). */
  modelFile?: string;
  predictions?: unknown;
  modelVersions?: string[];
  predictionIds?: string[];
  runs?: { name: string; phase: ExecutionSummary['phase']; createdAt?: string }[];
  /** Schedules the model "declares" for activate/deactivate. */
  schedules?: string[];
  /** Make a method reject with an error of @unionml/remote's registry. */
  fail?: { method: string; code: keyof typeof REMOTE_ERRORS; message: string; hint?: string };
}

export interface FakeCall {
  method: string;
  args: unknown[];
}

export interface FakeRemote {
  factory: RemoteFactory;
  /** Every call, in order (the factory's own as `remote`). */
  calls: FakeCall[];
  /** The options the factory was given. */
  options: RemoteOptions[];
}

const URL_BASE = 'http://localhost:30080/console/projects';

/** A fake RemoteModel factory that follows `script`. */
export function fakeRemote(script: FakeScript = {}): FakeRemote {
  const calls: FakeCall[] = [];
  const options: RemoteOptions[] = [];
  const factory: RemoteFactory = (model: AnyModel, remoteOptions: RemoteOptions) => {
    options.push(remoteOptions);
    const { logger, ...settings } = remoteOptions;
    calls.push({ method: 'remote', args: [model.name, plain({ ...settings, logger: logger ? 'given' : undefined })] });
    const project = remoteOptions.project ?? 'flytesnacks';
    const domain = remoteOptions.domain ?? 'development';
    const url = (name: string) => `${URL_BASE}/${project}/domains/${domain}/executions/${name}`;
    const appVersion = script.appVersion ?? 'v1';
    const name = script.execution ?? 'fexec123';
    const record = (method: string, ...args: unknown[]) => {
      calls.push({ method, args: args.map(plain) });
      const failure = script.fail?.method === method ? script.fail : undefined;
      if (failure) throw remoteError(failure);
    };
    const execution = <K extends 'train' | 'predict'>(kind: K, launchPlan: string): RemoteExecution<K> => {
      remoteOptions.logger?.info(`Executing ${launchPlan}, execution name: ${name}.\nGo to ${url(name)} to see the execution in the console.`);
      return { kind, name, project, domain, launchPlan: { name: launchPlan, version: appVersion }, url: url(name) };
    };
    const artifact = (modelVersion: string, output?: string): RemoteArtifact => {
      const modelFile = output ?? script.modelFile ?? '/nonexistent/model.json';
      if (output && script.modelFile) copyFileSync(script.modelFile, output);
      return {
        modelObject: {},
        hyperparameters: { shift: 0.5 },
        metrics: { train: { score: 1 }, test: { score: 0.95 } },
        modelVersion,
        modelUri: `s3://my-s3-bucket/data/${modelVersion}/model.json`,
        modelFile,
      };
    };
    const app: RemoteApp = {
      project,
      domain,
      deploy: (deployOptions = {}) => {
        record('deploy', deployOptions);
        const version = deployOptions.appVersion ?? (deployOptions.patch ? `${appVersion}-patch0f3a9c1` : appVersion);
        const entity = (kind: 'task' | 'workflow' | 'launchPlan', entityName: string) => ({ kind, name: entityName, version, created: true });
        return Promise.resolve({
          appVersion: version,
          image: `localhost:30000/${remoteOptions.imageName ?? 'unionml'}:${model.name.replace(/_/g, '-')}-${deployOptions.patch ? appVersion : version}`,
          project,
          domain,
          registered: [
            entity('task', `${model.dataset.name}.dataset_task`),
            entity('task', `${model.name}.train_task`),
            entity('workflow', `${model.name}.train`),
            entity('launchPlan', `${model.name}.train`),
          ],
          activated: deployOptions.schedule === false ? [] : (script.schedules ?? []),
          ...(deployOptions.patch
            ? { patch: { of: appVersion, distribution: `s3://my-s3-bucket/${project}/${domain}/unionml-fast-0f3a/fast0f3a.tar.gz`, files: 7, bytes: 51234 } }
            : {}),
          seconds: { build: 1.5, register: 0.25, total: 1.75 },
        });
      },
      train: ((inputs: unknown, trainOptions: { wait?: boolean; appVersion?: string } = {}) => {
        record('train', inputs, trainOptions);
        return Promise.resolve(execution('train', `${model.name}.train`));
      }) as RemoteApp['train'],
      predict: ((input: unknown, predictOptions: Record<string, unknown> = {}) => {
        record('predict', input, predictOptions);
        const features = typeof input === 'object' && input !== null && 'features' in input;
        return Promise.resolve(execution('predict', features ? `${model.name}.predict_from_features` : `${model.name}.predict`));
      }) as RemoteApp['predict'],
      wait: async (ref, waitOptions = {}) => {
        const refName = typeof ref === 'string' ? ref : ref.name;
        record('wait', refName);
        for (const progress of script.progress ?? []) waitOptions.onProgress?.(progress);
        const how = script.wait ?? 'succeed';
        if (how === 'hang') {
          // As the real wait: polls (a timer keeps the process alive) until its signal aborts.
          return new Promise<ExecutionStatus>((_resolve, reject) => {
            const signal = waitOptions.signal;
            const poll = setInterval(() => undefined, 250);
            signal?.addEventListener(
              'abort',
              () => {
                clearInterval(poll);
                reject(signal.reason as Error);
              },
              { once: true },
            );
          });
        }
        if (how !== 'succeed') throw remoteError(how);
        const last = script.progress?.at(-1);
        return {
          name: refName,
          phase: 'SUCCEEDED',
          elapsedSeconds: last?.elapsedSeconds ?? 3,
          nodes: last?.nodes ?? [],
          url: url(refName),
          launchPlan: { name: `${model.name}.train`, version: appVersion },
          durationSeconds: 2.5,
        };
      },
      load: (ref) => {
        const refName = typeof ref === 'string' ? ref : ref.name;
        record('load', refName);
        return Promise.resolve(artifact(refName) as never);
      },
      fetchModel: (modelVersion = 'latest', fetchOptions = {}) => {
        record('fetchModel', modelVersion, fetchOptions);
        return Promise.resolve(artifact(modelVersion === 'latest' ? (script.modelVersions?.[0] ?? name) : modelVersion, fetchOptions.output) as never);
      },
      fetchPredictions: (ref) => {
        record('fetchPredictions', typeof ref === 'string' ? ref : ref.name);
        return Promise.resolve(script.predictions ?? [0, 1]);
      },
      listModelVersions: (listOptions = {}) => {
        record('listModelVersions', listOptions);
        return Promise.resolve((script.modelVersions ?? []).slice(0, listOptions.limit ?? 10));
      },
      listPredictionIds: (listOptions = {}) => {
        record('listPredictionIds', listOptions);
        return Promise.resolve((script.predictionIds ?? []).slice(0, listOptions.limit ?? 10));
      },
      activateSchedules: (scheduleOptions = {}) => {
        record('activateSchedules', scheduleOptions);
        return Promise.resolve([...(scheduleOptions.names ?? script.schedules ?? [])]);
      },
      deactivateSchedules: (scheduleOptions = {}) => {
        record('deactivateSchedules', scheduleOptions);
        return Promise.resolve([...(scheduleOptions.names ?? script.schedules ?? [])]);
      },
      listScheduledTrainingRuns: (schedule, listOptions = {}) => {
        record('listScheduledTrainingRuns', schedule, listOptions);
        return Promise.resolve(summaries(script, schedule, url));
      },
      listScheduledPredictionRuns: (schedule, listOptions = {}) => {
        record('listScheduledPredictionRuns', schedule, listOptions);
        return Promise.resolve(summaries(script, schedule, url));
      },
      close: () => {
        calls.push({ method: 'close', args: [] });
        return Promise.resolve();
      },
    };
    return app;
  };
  return { factory, calls, options };
}

/** An error of @unionml/remote's registry, as RemoteModel throws it (a RemoteError for the REMOTE_* codes). */
function remoteError(failure: { code: keyof typeof REMOTE_ERRORS; message: string; hint?: string | undefined }): Error {
  const { code, message, hint } = failure;
  if (code.startsWith('REMOTE_')) return new RemoteError(code as ConstructorParameters<typeof RemoteError>[0], message, { hint });
  return new UnionMLError(REMOTE_ERRORS[code], message, { hint });
}

function summaries(script: FakeScript, schedule: string, url: (name: string) => string): ExecutionSummary[] {
  return (script.runs ?? []).map((run) => ({
    name: run.name,
    phase: run.phase,
    launchPlan: { name: schedule, version: script.appVersion ?? 'v1' },
    createdAt: run.createdAt ? new Date(run.createdAt) : undefined,
    url: url(run.name),
  }));
}

/** Arguments as data (functions and signals dropped), for comparing calls. */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => typeof v !== 'function' && !(v instanceof AbortSignal) && v !== undefined)
      .map(([k, v]) => [k, plain(v)]),
  );
}
