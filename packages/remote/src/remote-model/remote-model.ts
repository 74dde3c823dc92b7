// remote(model, options): Python UnionML's remote methods (remote_deploy, remote_train, remote_predict, remote_wait,
// remote_load, remote_fetch_model, remote_list_model_versions, remote_activate_schedules...) as a RemoteModel that
// keeps the model's types. This module is light: the operations (compiler, type engine, gRPC) load on first use.
import { resolve } from 'node:path';
import type { DatasetSpec, Model, PredictInput, RawFeaturesOf, TrainOptions } from '@unionml/core';
import { Connection } from './connection.js';
import type * as Operations from './operations.js';
import type { RemoteContext } from './operations.js';
import type {
  DeployOptions,
  DeployResult,
  ExecutionRef,
  ExecutionStatus,
  ExecutionSummary,
  FetchModelOptions,
  ListOptions,
  RemoteArtifact,
  RemoteExecution,
  RemoteOptions,
  RemotePredictOptions,
  RemoteTrainOptions,
  ScheduleStateOptions,
  WaitOptions,
} from './types.js';

let operations: Promise<typeof Operations> | undefined;
/** The operations module, loaded once. */
function ops(): Promise<typeof Operations> {
  operations ??= import('./operations.js');
  return operations;
}

/**
 * A model on a Flyte cluster: deploy its app, train and predict there, read its model versions and run its
 * schedules. Made by {@link remote}; its methods keep the model's types (hyperparameters, reader arguments, model
 * object, predictions). It connects to FlyteAdmin on first use; {@link RemoteModel.close} closes the connection.
 *
 * @example
 * ```ts
 * const app = remote(model, { config: '~/.flyte/config-sandbox.yaml' });
 * const { appVersion } = await app.deploy();
 * const trained = await app.train({ hyperparameters: { epochs: 100 } }, { appVersion });
 * console.log(trained.metrics, trained.modelVersion);
 * const predictions = await app.predict({ features }, { modelVersion: trained.modelVersion });
 * await app.close();
 * ```
 */
export class RemoteModel<
  THyper extends object = Record<string, unknown>,
  TModel = unknown,
  TReaderArgs extends object = Record<string, unknown>,
  S extends DatasetSpec = DatasetSpec,
  TPrediction = unknown,
  TTrainerKwargs extends object = Record<string, unknown>,
  THyperInput = THyper,
  TReaderInput = TReaderArgs,
> {
  /** The model. */
  readonly model: Model<THyper, TModel, TReaderArgs, S, TPrediction, TTrainerKwargs, THyperInput, TReaderInput>;
  /** The Flyte project. */
  readonly project: string;
  /** The Flyte domain. */
  readonly domain: string;
  readonly #ctx: RemoteContext;

  constructor(model: Model<THyper, TModel, TReaderArgs, S, TPrediction, TTrainerKwargs, THyperInput, TReaderInput>, options: RemoteOptions = {}) {
    this.model = model;
    this.project = options.project ?? 'flytesnacks';
    this.domain = options.domain ?? 'development';
    this.#ctx = {
      model,
      project: this.project,
      domain: this.domain,
      appDir: resolve(options.appDir ?? process.cwd()),
      app: options.app,
      registry: options.registry,
      imageName: options.imageName,
      dockerfile: options.dockerfile,
      patchDestinationDir: options.patchDestinationDir,
      logger: options.logger ?? model.logger,
      connection: new Connection({ config: options.config, admin: options.admin, env: options.env }),
      cache: {},
    };
  }

  /**
   * Builds and pushes the app's image (`{registry}/{imageName}:{model-name}-{appVersion}`), creates the project if
   * missing, and registers the model's tasks, workflows, default launch plans and schedules for the app version; then
   * activates the schedules declared `activateOnDeploy`. Deploying a version again registers nothing new; a version
   * registered with another definition is REMOTE_VERSION_CONFLICT. The registry is required unless FlyteAdmin is on
   * this machine (then it is the demo cluster's, `localhost:30000`).
   */
  async deploy(options: DeployOptions = {}): Promise<DeployResult> {
    return (await ops()).deploy(this.#ctx, options);
  }

  /**
   * Trains on Flyte: an execution of the `{model}.train` launch plan (of `appVersion`, else the newest registered)
   * with the inputs checked and converted as a local compiled run converts them. Waits (default) and returns the
   * artifact, whose model object is loaded from the model file as `model.load` loads it; with `wait: false`, returns
   * the execution at once.
   */
  train(
    inputs?: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput>,
    options?: RemoteTrainOptions & { wait?: true },
  ): Promise<RemoteArtifact<TModel, THyper>>;
  train(
    inputs: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput> | undefined,
    options: RemoteTrainOptions & { wait: false },
  ): Promise<RemoteExecution<'train'>>;
  train(
    inputs?: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput>,
    options?: RemoteTrainOptions,
  ): Promise<RemoteArtifact<TModel, THyper> | RemoteExecution<'train'>>;
  async train(
    inputs: TrainOptions<THyperInput, TTrainerKwargs, TReaderInput> = {} as TrainOptions<THyperInput, TTrainerKwargs, TReaderInput>,
    options: RemoteTrainOptions = {},
  ): Promise<RemoteArtifact<TModel, THyper> | RemoteExecution<'train'>> {
    const operations = await ops();
    const execution = await operations.startTraining(this.#ctx, inputs, options);
    if (options.wait === false) return execution;
    await operations.wait(this.#ctx, execution, options);
    return (await operations.loadTraining(this.#ctx, execution)) as RemoteArtifact<TModel, THyper>;
  }

  /**
   * Predicts on Flyte with the model file of a model version (default: the newest successful training): `{ features }`
   * runs `{model}.predict_from_features` (the features uploaded as a Parquet structured dataset), reader arguments
   * (or `{ inputs }`) run `{model}.predict`. Waits (default) and returns the predictions; with `wait: false`, returns
   * the execution at once.
   */
  predict(input: PredictInput<RawFeaturesOf<S>, TReaderInput>, options?: RemotePredictOptions & { wait?: true }): Promise<TPrediction>;
  predict(input: PredictInput<RawFeaturesOf<S>, TReaderInput>, options: RemotePredictOptions & { wait: false }): Promise<RemoteExecution<'predict'>>;
  predict(input: PredictInput<RawFeaturesOf<S>, TReaderInput>, options?: RemotePredictOptions): Promise<TPrediction | RemoteExecution<'predict'>>;
  async predict(input: PredictInput<RawFeaturesOf<S>, TReaderInput>, options: RemotePredictOptions = {}): Promise<TPrediction | RemoteExecution<'predict'>> {
    const operations = await ops();
    const execution = await operations.startPrediction(this.#ctx, input, options);
    if (options.wait === false) return execution;
    await operations.wait(this.#ctx, execution, options);
    return (await operations.fetchPredictions(this.#ctx, execution)) as TPrediction;
  }

  /**
   * Waits until the execution is finished. SUCCEEDED resolves to its status; FAILED rejects with
   * REMOTE_EXECUTION_FAILED carrying the failing task's own message, ABORTED and TIMED_OUT with
   * REMOTE_EXECUTION_ABORTED and REMOTE_EXECUTION_TIMED_OUT, and `timeoutMs` running out with REMOTE_WAIT_TIMEOUT. A
   * FlyteAdmin that restarts meanwhile is waited out.
   */
  async wait(execution: ExecutionRef, options: WaitOptions = {}): Promise<ExecutionStatus> {
    return (await ops()).wait(this.#ctx, execution, options);
  }

  /**
   * The artifact of a training execution (waited for first if it is still running), and sets `model.artifact` to it,
   * as Python UnionML's `remote_load`.
   */
  async load(execution: ExecutionRef): Promise<RemoteArtifact<TModel, THyper>> {
    return (await (await ops()).loadTraining(this.#ctx, execution)) as RemoteArtifact<TModel, THyper>;
  }

  /**
   * The artifact of a model version (a training execution's name), or of the newest successful training (`latest`,
   * the default) of the launch plan `{model}.train` or of a training schedule: of `appVersion` when given, of any
   * app version otherwise. `model.artifact` is left as it was.
   */
  async fetchModel(modelVersion = 'latest', options: FetchModelOptions = {}): Promise<RemoteArtifact<TModel, THyper>> {
    return (await (await ops()).fetchModel(this.#ctx, modelVersion, options)) as RemoteArtifact<TModel, THyper>;
  }

  /** The predictions of a prediction execution (waited for first if it is still running). */
  async fetchPredictions(execution: ExecutionRef): Promise<TPrediction> {
    return (await (await ops()).fetchPredictions(this.#ctx, execution)) as TPrediction;
  }

  /**
   * The model versions (names of successful trainings by `{model}.train` or a training schedule) of an app version,
   * newest first. The app version defaults to the app folder's git commit, as in Python UnionML (not to the newest
   * registered version, as train and predict do).
   */
  async listModelVersions(options: ListOptions = {}): Promise<string[]> {
    return (await ops()).listModelVersions(this.#ctx, options);
  }

  /** The prediction ids (successful predictions, from features, reader arguments or a schedule) of an app version, newest first. */
  async listPredictionIds(options: ListOptions = {}): Promise<string[]> {
    return (await ops()).listPredictionIds(this.#ctx, options);
  }

  /** Activates the model's schedules (all, or `names`) of an app version (default: the git commit). */
  async activateSchedules(options: ScheduleStateOptions = {}): Promise<string[]> {
    return (await ops()).setSchedules(this.#ctx, true, options);
  }

  /** Deactivates the model's schedules (all, or `names`) of an app version (default: the git commit). */
  async deactivateSchedules(options: ScheduleStateOptions = {}): Promise<string[]> {
    return (await ops()).setSchedules(this.#ctx, false, options);
  }

  /** The executions of a training schedule, newest first (default 5). An unknown name is REMOTE_SCHEDULE_UNKNOWN. */
  async listScheduledTrainingRuns(name: string, options: ListOptions = {}): Promise<ExecutionSummary[]> {
    return (await ops()).listScheduledRuns(this.#ctx, 'training', name, options);
  }

  /** The executions of a prediction schedule, newest first (default 5). An unknown name is REMOTE_SCHEDULE_UNKNOWN. */
  async listScheduledPredictionRuns(name: string, options: ListOptions = {}): Promise<ExecutionSummary[]> {
    return (await ops()).listScheduledRuns(this.#ctx, 'prediction', name, options);
  }

  /** Closes the connection to FlyteAdmin (an injected client stays open). */
  async close(): Promise<void> {
    await this.#ctx.connection.close();
  }
}

/**
 * The remote operations of `model` on the Flyte cluster that the Flyte config names (see {@link RemoteOptions}).
 *
 * @example
 * ```ts
 * import { remote } from '@unionml/remote';
 * import { model } from './app.js';
 *
 * const app = remote(model, { registry: 'ghcr.io/acme' });
 * await app.deploy();
 * const { metrics, modelVersion } = await app.train({ hyperparameters: { learningRate: 0.1 } });
 * ```
 */
export function remote<
  THyper extends object,
  TModel,
  TReaderArgs extends object,
  S extends DatasetSpec,
  TPrediction,
  TTrainerKwargs extends object,
  THyperInput,
  TReaderInput,
>(
  model: Model<THyper, TModel, TReaderArgs, S, TPrediction, TTrainerKwargs, THyperInput, TReaderInput>,
  options: RemoteOptions = {},
): RemoteModel<THyper, TModel, TReaderArgs, S, TPrediction, TTrainerKwargs, THyperInput, TReaderInput> {
  return new RemoteModel(model, options);
}
