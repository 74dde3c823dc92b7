// The public types of the remote model operations.
import type { BuildEvent, PushEvent } from '@unionml/docker';
import type { Logger, Metrics, ModelArtifact } from '@unionml/core';
import type { AdminLike } from './connection.js';
import type { ExecutionPhase, NodePhase } from './executions.js';

/** Options of {@link remote}: where the cluster is, where the app's image goes, and where the app is. */
export interface RemoteOptions {
  /**
   * The Flyte config file (flytectl's YAML). Default as flytectl and flytekit resolve it: `FLYTECTL_CONFIG`, else
   * `~/.flyte/config.yaml`; flytekit's `FLYTE_*` variables override it (`FLYTE_PLATFORM_URL`, `FLYTE_AWS_*`...).
   */
  config?: string | undefined;
  /** The Flyte project. Default `flytesnacks` (a demo cluster's). */
  project?: string | undefined;
  /** The Flyte domain. Default `development`. */
  domain?: string | undefined;
  /**
   * The registry the app's image is pushed to, e.g. `ghcr.io/acme`. Required for a cluster that is not on this
   * machine; a local endpoint (a demo cluster, the lab) defaults to its registry, `localhost:30000`.
   */
  registry?: string | undefined;
  /** The image name. Default `unionml`. */
  imageName?: string | undefined;
  /** The Dockerfile, relative to the app folder. Default `Dockerfile`. */
  dockerfile?: string | undefined;
  /**
   * Where a patch deploy's code archive is extracted in the task containers (Python UnionML's
   * `patch_destination_dir`). Default: the container's working folder (the Dockerfile's WORKDIR, `/app` in the
   * template's).
   */
  patchDestinationDir?: string | undefined;
  /** The app folder: the image's build context and the git repository of the app version. Default: the current folder. */
  appDir?: string | undefined;
  /**
   * The app address `MODULE:EXPORT` the task containers import the model by (relative to the app folder, as in the
   * image). Default: the export of the app folder's `app` module (`app.ts`, `app.js`...) that is this model.
   */
  app?: string | undefined;
  /** A FlyteAdmin client to use (e.g. one already connected); it stays open after {@link RemoteModel.close}. */
  admin?: AdminLike | undefined;
  /** Where progress is logged (execution links, deploy steps). Default: the model's logger. */
  logger?: Logger | undefined;
  /** The environment the config's overrides and S3 credentials come from. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Options of {@link RemoteModel.deploy}. */
export interface DeployOptions {
  /**
   * The app version (every entity's version and the image tag's suffix). Default: the app folder's git commit, and
   * `{commit}-patch{digest of the code}` with `patch`.
   */
  appVersion?: string | undefined;
  /**
   * Register new code without building an image (Python UnionML's `patch`, flytekit's fast registration): the app's
   * files (as the image build would send them) are uploaded as a code archive, and the tasks reuse the image of the
   * newest deployed app version, extracting the archive over its copy of the app before running. Only for code
   * changes: a change of dependencies (package.json) needs a full deploy. Uncommitted changes are allowed.
   */
  patch?: boolean | undefined;
  /** Take the commit as the version even with uncommitted changes (they are not part of the version). */
  allowUncommitted?: boolean | undefined;
  /** Register the model's schedules and activate those declared `activateOnDeploy` (default true). */
  schedule?: boolean | undefined;
  /** Docker build arguments, e.g. `{ BASE_IMAGE: 'node:20-bookworm-slim' }`. */
  buildArgs?: Record<string, string> | undefined;
  /** The network of the Dockerfile's RUN steps, e.g. `host`. Default: the daemon's. */
  network?: string | undefined;
  onBuildEvent?: ((event: BuildEvent) => void) | undefined;
  onPushEvent?: ((event: PushEvent) => void) | undefined;
}

/** An entity {@link RemoteModel.deploy} registered, or found registered with the same definition. */
export interface RegisteredEntity {
  kind: 'task' | 'workflow' | 'launchPlan';
  name: string;
  version: string;
  /** False when FlyteAdmin already had it, identical (a re-deploy of the same version). */
  created: boolean;
}

/** What {@link RemoteModel.deploy} did. */
export interface DeployResult {
  appVersion: string;
  /** The image the tasks run in, pushed. */
  image: string;
  project: string;
  domain: string;
  /** Tasks, workflows, default launch plans and schedules, in registration order. */
  registered: RegisteredEntity[];
  /** The schedules activated. */
  activated: string[];
  /** For a patch deploy: the app version whose image is reused, and the code archive uploaded. */
  patch?: { of: string; distribution: string; files: number; bytes: number };
  /** Wall seconds: building and pushing the image (packing and uploading the code for a patch), registering, in all. */
  seconds: { build: number; register: number; total: number };
}

/** An execution on Flyte, as started by {@link RemoteModel.train} or {@link RemoteModel.predict} with `wait: false`. */
export interface RemoteExecution<K extends 'train' | 'predict' = 'train' | 'predict'> {
  kind: K;
  /** The execution's name: the model version of a training, the prediction id of a prediction. */
  name: string;
  project: string;
  domain: string;
  /** The launch plan it runs: its name (`{model}.train`...) and version (the app version). */
  launchPlan: { name: string; version: string };
  /** Its page in the console. */
  url: string;
}

/** An execution to wait for or read: a handle, or an execution's name (in the RemoteModel's project and domain). */
export type ExecutionRef = RemoteExecution | { name: string; project?: string | undefined; domain?: string | undefined } | string;

/** Options of {@link RemoteModel.wait}. */
export interface WaitOptions {
  /** Give up (REMOTE_WAIT_TIMEOUT) after this long; the execution keeps running. Default: no limit. */
  timeoutMs?: number | undefined;
  /** The longest pause between two polls (default 5 000 ms). Each pause is a tenth of the time waited so far, at least 250 ms. */
  pollMs?: number | undefined;
  /** Called on every poll that shows a change: the execution's phase and each node's phase and duration. */
  onProgress?: ((progress: ExecutionProgress) => void) | undefined;
  /** Stops waiting (the execution keeps running). */
  signal?: AbortSignal | undefined;
}

/** A node of an execution, as the last poll saw it. */
export interface NodeProgress {
  id: string;
  /** The node's name in the workflow (its task's short name, e.g. `train_task`), when the workflow could be read. */
  name?: string;
  phase: NodePhase;
  /** Its duration so far, as Flyte reports it. */
  seconds: number;
}

/** An execution as the last poll saw it. */
export interface ExecutionProgress {
  name: string;
  phase: ExecutionPhase;
  /** Since the wait began. */
  elapsedSeconds: number;
  /** The workflow's nodes (not start-node and end-node); filled when `onProgress` is given. */
  nodes: NodeProgress[];
}

/** A finished execution (what {@link RemoteModel.wait} resolves to). */
export interface ExecutionStatus extends ExecutionProgress {
  url: string;
  launchPlan: { name: string; version: string };
  /** How long it ran, as Flyte reports it. */
  durationSeconds: number;
}

/** Options of the operations that use an app version's launch plans. */
export interface AppVersionOptions {
  /** The app version. Default: the newest version registered. */
  appVersion?: string | undefined;
}

/** Options of {@link RemoteModel.train}. */
export interface RemoteTrainOptions extends AppVersionOptions, WaitOptions {
  /** Wait for the training and return its artifact (default), or return the execution at once. */
  wait?: boolean | undefined;
}

/** Options of {@link RemoteModel.predict}. */
export interface RemotePredictOptions extends AppVersionOptions, WaitOptions {
  /** The model version (a training execution's name), or `latest` (default): the newest successful training. */
  modelVersion?: string | undefined;
  /** Wait for the prediction and return it (default), or return the execution at once. */
  wait?: boolean | undefined;
}

/** Options of {@link RemoteModel.fetchModel}. */
export interface FetchModelOptions extends AppVersionOptions {
  /** Also save the model file here (atomically); `modelFile` is then this path. */
  output?: string | undefined;
}

/** A model trained on Flyte: core's artifact, with where it came from. */
export interface RemoteArtifact<TModel = unknown, THyper = unknown> extends ModelArtifact<TModel, THyper> {
  /** The trained model object, loaded from the model file as `model.load` loads it. */
  modelObject: TModel;
  hyperparameters: THyper;
  metrics: Metrics;
  /** The model version: the training execution's name. */
  modelVersion: string;
  /** The model file in the cluster's storage (`s3://...`). */
  modelUri: string;
  /** The model file, downloaded. */
  modelFile: string;
}

/** An execution in a listing. */
export interface ExecutionSummary {
  name: string;
  phase: ExecutionPhase;
  launchPlan: { name: string; version: string };
  createdAt: Date | undefined;
  url: string;
}

/** Options of the listings. */
export interface ListOptions {
  /**
   * The app version whose executions are listed. Default: the app folder's git commit (as Python UnionML's
   * `remote_list_model_versions`, uncommitted changes allowed), not the newest registered version.
   */
  appVersion?: string | undefined;
  /** At most this many, newest first (default 10; 5 for scheduled runs). */
  limit?: number | undefined;
}

/** Options of {@link RemoteModel.activateSchedules} and {@link RemoteModel.deactivateSchedules}. */
export interface ScheduleStateOptions {
  /** The app version whose schedules change. Default: the app folder's git commit (as Python UnionML). */
  appVersion?: string | undefined;
  /** Only these schedules. Default: every schedule of the model. */
  names?: readonly string[] | undefined;
}
