/**
 * UnionML on a Flyte cluster: {@link remote} gives a model's remote operations (Python UnionML's `remote_*`
 * methods): deploy the app (build and push its image, register its tasks, workflows, launch plans and schedules),
 * train and predict on Flyte, wait for and load executions, list model versions, activate schedules. Underneath: the
 * app's image (its local packages staged into the build context, Python UnionML's image name, the app version from
 * git) and a runner that runs compiled tasks in containers of that image.
 *
 * @example
 * ```ts
 * import { loadModel } from '@unionml/core';
 * import { remote } from '@unionml/remote';
 *
 * const model = await loadModel('app:model');
 * const app = remote(model, { config: '~/.flyte/config-sandbox.yaml' });
 * const { appVersion } = await app.deploy({ allowUncommitted: true });
 * const { metrics, modelVersion } = await app.train({}, { appVersion });
 * await app.close();
 * ```
 * @module
 */
export { appVersion } from './app-version.js';
export { buildAppImage } from './build.js';
export type { AppImage, BuildAppImageOptions } from './build.js';
export { ImageError, REMOTE_ERRORS, RemoteError, VersionError } from './errors.js';
export type { RemoteErrorCode, RemoteErrorDetails } from './errors.js';
export { imageReference, registryFor, SANDBOX_REGISTRY } from './naming.js';
export type { ImageNameOptions } from './naming.js';
export { containerRunner } from './runner.js';
export { renderProgress } from '@unionml/docker';
export type { ContainerRunnerOptions } from './runner.js';
export { stageLocalPackages } from './stage.js';
export type { StagedContext } from './stage.js';
export { remote, RemoteModel } from './remote-model/remote-model.js';
export type {
  DeployOptions,
  DeployResult,
  ExecutionProgress,
  ExecutionRef,
  ExecutionStatus,
  ExecutionSummary,
  FetchModelOptions,
  ListOptions,
  NodeProgress,
  RegisteredEntity,
  RemoteArtifact,
  RemoteExecution,
  RemoteOptions,
  RemotePredictOptions,
  RemoteTrainOptions,
  ScheduleStateOptions,
  WaitOptions,
  AppVersionOptions,
} from './remote-model/types.js';
export type { AdminLike } from './remote-model/connection.js';
export type { ExecutionPhase, NodePhase } from './remote-model/executions.js';
