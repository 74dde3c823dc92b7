/** The parts of an image reference such as `localhost:5000/team/app:v1` or `ghcr.io/x/y@sha256:...`. */
export interface ImageReference {
  /** The registry host (and port), or undefined for Docker Hub. */
  registry: string | undefined;
  /** The repository with its registry, without tag or digest: `localhost:5000/team/app`. */
  repository: string;
  /** The tag, if the reference has one. */
  tag: string | undefined;
  /** The digest (`sha256:...`), if the reference has one. */
  digest: string | undefined;
}

/** Docker Hub's names for itself: a reference on one of these has no registry of its own. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io']);

/**
 * Splits an image reference the way Docker does (distribution's `splitDockerDomain`): the first path component is a
 * registry when it contains `.` or `:`, is `localhost`, or has upper-case letters; otherwise the image is on Docker
 * Hub. It does not validate the reference; the daemon does.
 */
export function parseImageReference(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const isRegistry = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const registry = isRegistry && !DOCKER_HUB.has(first) ? first : undefined;
  return { registry, repository: rest, tag, digest };
}

/**
 * The registry an image reference names, or undefined for Docker Hub.
 *
 * @example
 * ```ts
 * registryOf('localhost:5000/app:v1'); // 'localhost:5000'
 * registryOf('ghcr.io/x/y:1');          // 'ghcr.io'
 * registryOf('app:v1');                 // undefined (Docker Hub)
 * registryOf('docker.io/library/node'); // undefined (Docker Hub)
 * ```
 */
export function registryOf(image: string): string | undefined {
  return parseImageReference(image).registry;
}

/** The registry's name in messages: `docker.io` for Docker Hub. */
export function registryName(registry: string | undefined): string {
  return registry ?? 'docker.io';
}
