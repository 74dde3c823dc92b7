/**
 * UnionML on a Flyte cluster. Today: the app's image — its local packages staged into the build context, Python
 * UnionML's image name, the app version from git — and a runner that runs compiled tasks in containers of that image.
 * Next (see DEVELOPERS.md, "Remote"): deploy, remote train and predict, model versions and schedules.
 *
 * @example
 * ```ts
 * import { loadModel } from '@unionml/core';
 * import { appVersion, buildAppImage } from '@unionml/remote';
 *
 * const model = await loadModel('app:model');
 * const image = await buildAppImage(model, { cwd: process.cwd(), version: appVersion(process.cwd()) });
 * console.log(image.image); // unionml:digits-classifier-<commit>
 * ```
 * @module
 */
export { appVersion } from './app-version.js';
export { buildAppImage } from './build.js';
export type { AppImage, BuildAppImageOptions } from './build.js';
export { ImageError, REMOTE_ERRORS, VersionError } from './errors.js';
export type { RemoteErrorCode } from './errors.js';
export { imageReference, registryFor, SANDBOX_REGISTRY } from './naming.js';
export type { ImageNameOptions } from './naming.js';
export { containerRunner } from './runner.js';
export { renderProgress } from '@unionml/docker';
export type { ContainerRunnerOptions } from './runner.js';
export { stageLocalPackages } from './stage.js';
export type { StagedContext } from './stage.js';
