import { ImageError } from './errors.js';

/** Where the app's image goes. */
export interface ImageNameOptions {
  /** A registry host, e.g. `localhost:30000` or `ghcr.io/acme`. None: the local daemon only. */
  registry?: string | undefined;
  /** The image name. Default `unionml` (Python UnionML's). */
  imageName?: string | undefined;
  /** The model's name: `_` becomes `-` in the tag. */
  modelName: string;
  /** The app version (a git commit). */
  version: string;
}

/** Python UnionML's image reference: `{registry/}{image}:{model-name}-{version}`. */
export function imageReference(options: ImageNameOptions): string {
  const name = options.imageName ?? 'unionml';
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(name)) {
    throw new ImageError(
      'IMAGE_NAME_INVALID',
      `'${name}' is not a valid image name: use lower-case letters, digits, '.', '_', '-' and '/'`,
      'e.g. --image-name my-team/digits',
    );
  }
  const tag = `${options.modelName.replaceAll('_', '-')}-${options.version}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128);
  const registry = options.registry?.replace(/\/+$/, '');
  return `${registry ? `${registry}/` : ''}${name}:${tag}`;
}

/** The registry of a Flyte demo cluster (`flytectl demo start`), which its nodes pull from. */
export const SANDBOX_REGISTRY = 'localhost:30000';

/**
 * The registry to push the app's image to: the given one, or, as an explicit choice (`sandbox`), the demo cluster's
 * (`localhost:30000`). Nothing is picked silently: without either, a remote endpoint gets Python UnionML's error and
 * any other case an error that names both choices.
 */
export function registryFor(options: { endpoint?: string | undefined; registry?: string | undefined; sandbox?: boolean | undefined }): string {
  if (options.registry && options.sandbox) {
    throw new ImageError(
      'IMAGE_REGISTRY_REQUIRED',
      `give a registry or the sandbox's, not both (registry ${options.registry})`,
      `drop --sandbox to push to ${options.registry}`,
    );
  }
  if (options.registry) return options.registry;
  if (options.sandbox) return SANDBOX_REGISTRY;
  const endpoint = (options.endpoint ?? '').replace(/^(dns:\/\/\/|grpcs?:\/\/|https?:\/\/)/, '');
  if (endpoint !== '' && !/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(endpoint)) {
    throw new ImageError(
      'IMAGE_REGISTRY_REQUIRED',
      `You must specify a registry when deploying to a remote cluster (endpoint ${options.endpoint}).`,
      'pass --registry, e.g. --registry ghcr.io/acme',
    );
  }
  throw new ImageError(
    'IMAGE_REGISTRY_REQUIRED',
    `no registry to push the image to${endpoint ? ` (endpoint ${options.endpoint})` : ''}`,
    `pass --registry R, or --sandbox to push to the registry of a Flyte demo cluster (flytectl demo start), ${SANDBOX_REGISTRY}`,
  );
}
