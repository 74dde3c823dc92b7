/**
 * Docker images over the Engine API (dockerode): build any image from a folder (a tar context honouring
 * `.dockerignore`, with files added or replaced on the fly), follow its steps, tag, push with the Docker CLI's
 * credentials, inspect, remove, and run commands in containers. It knows nothing of UnionML.
 *
 * Importing this module is cheap: dockerode (CommonJS, with ssh2 and gRPC) is loaded on the first daemon call.
 * Builds' RUN steps and containers use the daemon's default network unless `networkMode` says otherwise (a daemon
 * started without a bridge network needs `networkMode: 'host'`). Every error is a `UnionMLError` with a code of
 * {@link DOCKER_ERRORS}.
 *
 * @example
 * ```ts
 * import { Docker, renderProgress } from '@unionml/docker';
 * const docker = new Docker();
 * await docker.ping();
 * const progress = renderProgress(process.stderr);
 * try {
 *   const image = await docker.build({ context: '.', tags: ['registry.example.com/team/app:v1'], onEvent: progress.onBuild });
 *   await docker.push('registry.example.com/team/app:v1', { onEvent: progress.onPush });
 * } finally {
 *   progress.done();
 * }
 * ```
 * @module
 */

export { Docker, resolveConnection } from './docker.js';
export { Demultiplexer } from './demux.js';
export type { BuildOptions, BuiltImage, DockerConnection, ImageInfo, PushAuth, PushOptions, RunOptions, RunResult } from './docker.js';
export { createContext, DEFAULT_EXCLUDES, listContextFiles, parseDockerignore } from './context.js';
export type { ContextOptions } from './context.js';
export { dockerConfigAuth, dockerConfigPath, DOCKER_HUB_AUTH_KEY } from './auth.js';
export type { RegistryAuth } from './auth.js';
export { parseImageReference, registryOf } from './reference.js';
export type { ImageReference } from './reference.js';
export { BuildStreamParser, PushStreamParser, readJsonMessages } from './progress.js';
export type { BuildEvent, JsonMessage, PushEvent } from './progress.js';
export { formatBytes, formatElapsed, renderProgress } from './render.js';
export type { ProgressRenderer, RenderOptions } from './render.js';
export {
  DOCKER_ERRORS,
  DockerAbortedError,
  DockerAuthError,
  DockerBuildError,
  DockerContextError,
  DockerPushError,
  DockerRequestError,
  DockerRunError,
  DockerUnavailableError,
  START_DAEMON_HINT,
} from './errors.js';
export type { DockerErrorCode, DockerRequestErrorCode } from './errors.js';
