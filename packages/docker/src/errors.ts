import { UnionMLError } from '@unionml/errors';

/** How to get a daemon on a machine like the project's (Debian, root, no bridge networking). */
export const START_DAEMON_HINT =
  'start one with `npm run docker:up` (in the UnionML for TypeScript repo), or `dockerd --storage-driver=vfs --iptables=false --bridge=none &` as root, or point DOCKER_HOST at a running daemon';

/**
 * No Docker daemon answers at the configured socket or host (missing socket, refused connection, no permission, or a
 * hung daemon). The message names the address; the hint says how to start a daemon.
 */
export class DockerUnavailableError extends UnionMLError {
  constructor(
    /** The daemon's address as tried, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.5:2375`. */
    readonly address: string,
    reason: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('DOCKER_UNAVAILABLE', `no Docker daemon at ${address}: ${reason}`, { hint: options.hint ?? START_DAEMON_HINT, cause: options.cause });
  }
}

/**
 * A build that failed: a Dockerfile instruction failed (`step` names it), the Dockerfile could not be parsed, the base
 * image is missing... The message names the step and the daemon's error; `logTail` has the last lines of output.
 */
export class DockerBuildError extends UnionMLError {
  constructor(
    message: string,
    options: { step?: string | undefined; logTail?: string[]; hint?: string | undefined; cause?: unknown } = {},
  ) {
    super('DOCKER_BUILD_FAILED', message, { hint: options.hint, cause: options.cause });
    this.step = options.step;
    this.logTail = options.logTail ?? [];
  }

  /** The failing step as the builder printed it, e.g. `Step 5/9 : RUN npm ci`; undefined before the first step. */
  readonly step: string | undefined;
  /** The last (about 20) lines of output of the failing step (or of the build, before any step). */
  readonly logTail: string[];

  override describe(): string {
    const tail = this.logTail.length ? `\n  output:\n${this.logTail.map((line) => `    ${line}`).join('\n')}` : '';
    return `${super.describe()}${tail}`;
  }
}

/** A build context that cannot be made: no such folder, no Dockerfile, an `extraFiles` path outside the context. */
export class DockerContextError extends UnionMLError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('DOCKER_CONTEXT_INVALID', message, options);
  }
}

/** A push the registry refused with an authentication error: wrong or missing credentials for `registry`. */
export class DockerAuthError extends UnionMLError {
  constructor(
    /** The registry, e.g. `localhost:30000` (`docker.io` for Docker Hub). */
    readonly registry: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('DOCKER_AUTH_FAILED', message, options);
  }
}

/** A push that failed for another reason than credentials (registry unreachable, no such local image...). */
export class DockerPushError extends UnionMLError {
  constructor(
    /** The registry, e.g. `localhost:30000` (`docker.io` for Docker Hub). */
    readonly registry: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('DOCKER_PUSH_FAILED', message, options);
  }
}

/**
 * A container that could not be created or started (no such image, a command not found in the image, a bad bind
 * mount). A container that ran and exited non-zero is not an error: {@link Docker.run} returns its exit code.
 */
export class DockerRunError extends UnionMLError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('DOCKER_RUN_FAILED', message, options);
  }
}

/** Any other request the daemon refused; `operation` names it (`tag`, `remove`, `inspect`...). */
export class DockerRequestError extends UnionMLError {
  constructor(
    code: 'DOCKER_REQUEST_FAILED' | 'DOCKER_IMAGE_NOT_FOUND',
    /** What was asked, e.g. `tag app:v1 as localhost:30000/app:v1`. */
    readonly operation: string,
    message: string,
    options: { hint?: string; cause?: unknown; statusCode?: number | undefined } = {},
  ) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.statusCode = options.statusCode;
  }

  /** The daemon's HTTP status, if it answered. */
  readonly statusCode: number | undefined;
}

/** A build, push or run stopped by its `signal`. */
export class DockerAbortedError extends UnionMLError {
  constructor(
    /** What was stopped, e.g. `build of app:v1`. */
    readonly operation: string,
    options: { cause?: unknown } = {},
  ) {
    super('DOCKER_ABORTED', `${operation} was aborted`, options);
  }
}
