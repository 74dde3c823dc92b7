// Builds the app's image with @unionml/docker: the app folder as context (its .dockerignore honoured), local
// packages staged in, Python UnionML's tag, labels naming the model and the app version.
import type { BuildEvent, BuiltImage, DockerConnection, PushEvent } from '@unionml/docker';
import { VERSION, type AnyModel } from '@unionml/core';
import { imageReference } from './naming.js';
import { stageLocalPackages } from './stage.js';

/** Options of {@link buildAppImage}. */
export interface BuildAppImageOptions {
  /** The app folder: the build context. */
  cwd: string;
  /** The app version (the image tag's suffix and a label). */
  version: string;
  /** The registry the image is tagged for (and pushed to with `push`). */
  registry?: string | undefined;
  /** Default `unionml`. */
  imageName?: string | undefined;
  /** Relative to `cwd`. Default `Dockerfile`. */
  dockerfile?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  /** The network of the Dockerfile's RUN steps, e.g. `host`. Default: the daemon's default network. */
  networkMode?: string | undefined;
  /** Push the image to its registry after the build. */
  push?: boolean | undefined;
  onBuildEvent?: ((event: BuildEvent) => void) | undefined;
  onPushEvent?: ((event: PushEvent) => void) | undefined;
  connection?: DockerConnection | undefined;
}

/** What {@link buildAppImage} made. */
export interface AppImage extends BuiltImage {
  /** The image reference, `{registry/}{image}:{model-name}-{version}`. */
  image: string;
  /** Whether it was pushed. */
  pushed: boolean;
  /** The local packages staged into the context (workspace or `file:` dependencies), by name. */
  stagedPackages: string[];
}

/** Builds (and optionally pushes) the image of `model`'s app. */
export async function buildAppImage(model: AnyModel, options: BuildAppImageOptions): Promise<AppImage> {
  const { Docker } = await import('@unionml/docker');
  const image = imageReference({ registry: options.registry, imageName: options.imageName, modelName: model.name, version: options.version });
  const docker = new Docker(options.connection);
  await docker.ping();
  const staged = await stageLocalPackages(options.cwd);
  const built = await docker.build({
    context: options.cwd,
    dockerfile: options.dockerfile ?? 'Dockerfile',
    tags: [image],
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    ...(options.networkMode ? { networkMode: options.networkMode } : {}),
    labels: { 'org.unionml.model': model.name, 'org.unionml.app-version': options.version, 'org.unionml.version': VERSION },
    ...(staged ? { extraFiles: staged.extraFiles, exclude: staged.exclude } : {}),
    ...(options.onBuildEvent ? { onEvent: options.onBuildEvent } : {}),
  });
  if (options.push) await docker.push(image, options.onPushEvent ? { onEvent: options.onPushEvent } : {});
  return { ...built, image, pushed: options.push === true, stagedPackages: Object.keys(staged?.packages ?? {}) };
}
