import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';

/**
 * Every error code of `@unionml/docker`, with its kind (whose move it is), its meaning and a general hint. Errors carry
 * a more specific hint where one is known (e.g. the registry to log in to).
 */
export const DOCKER_ERRORS = defineErrors('@unionml/docker', {
  DOCKER_UNAVAILABLE: {
    kind: 'environment',
    meaning:
      'No Docker daemon answers at the configured address (a missing socket, a refused connection, no permission, a daemon that does not answer, or a DOCKER_HOST that is not a URL).',
    hint: 'start Docker (e.g. `sudo systemctl start docker` or Docker Desktop) or set DOCKER_HOST to a reachable daemon',
  },
  DOCKER_CONTEXT_INVALID: {
    kind: 'input',
    meaning: 'the build context cannot be made: the folder or its Dockerfile is missing, unreadable, or a path given for it points outside the context',
    hint: 'check the context folder and the Dockerfile path (relative to the context)',
  },
  DOCKER_BUILD_FAILED: {
    kind: 'app',
    meaning:
      "The daemon could not build the image from the app's Dockerfile: an instruction failed, the Dockerfile does not parse, or its base image cannot be found.",
    hint: 'read the failing step and its output, then fix the Dockerfile or the command it runs',
  },
  DOCKER_AUTH_FAILED: {
    kind: 'input',
    meaning:
      "The registry answered and refused a push because the user's credentials (given to the push, or configured with `docker login`) are wrong or missing: an input to fix, not a failing environment.",
    hint: 'log in to the registry with `docker login <registry>` (or pass the right username and password or token)',
  },
  DOCKER_PUSH_FAILED: {
    kind: 'environment',
    meaning:
      'A push to a registry failed for another reason than credentials: the registry is unreachable, speaks plain HTTP, or failed, or there is no such local image.',
    hint: 'check that the registry is reachable from the Docker daemon (and listed in "insecure-registries" if it speaks plain HTTP), and that the image was built',
  },
  DOCKER_RUN_FAILED: {
    kind: 'input',
    meaning:
      'The daemon could not create or start a container for the given image, command, user or bind mounts (a command that exits non-zero is not an error).',
    hint: 'check that the image exists on the daemon and contains the command, and that bind-mounted host paths exist',
  },
  DOCKER_IMAGE_NOT_FOUND: {
    kind: 'input',
    status: 404,
    meaning: 'the image named in the request does not exist on the Docker daemon',
    hint: 'check the name, or build, pull or tag the image first',
  },
  DOCKER_REFERENCE_INVALID: {
    kind: 'input',
    meaning: 'an image reference cannot be used for the operation: a build without a tag, or a digest (`@sha256:...`) where a tag is needed (tag, push)',
    hint: 'give image references as `[registry/]repository[:tag]`, e.g. `registry.example.com/team/app:v1`',
  },
  DOCKER_REQUEST_FAILED: {
    kind: 'environment',
    meaning: 'the Docker daemon refused or failed another request (inspect, tag, remove, attach, wait)',
    hint: "read the daemon's message in the error; `docker info` and the daemon's log show its state",
  },
  DOCKER_ABORTED: {
    kind: 'state',
    status: 503,
    meaning: 'a build, push or run was stopped by its abort signal before it finished (the caller cancelled it or is shutting down)',
    hint: 'run it again and let it finish',
  },
});

/** A code of {@link DOCKER_ERRORS}, e.g. `'DOCKER_UNAVAILABLE'`. */
export type DockerErrorCode = CodeOf<typeof DOCKER_ERRORS>;

/** The codes a {@link DockerRequestError} is made from. */
export type DockerRequestErrorCode = (typeof DOCKER_ERRORS)['DOCKER_REQUEST_FAILED' | 'DOCKER_IMAGE_NOT_FOUND' | 'DOCKER_REFERENCE_INVALID'];

/** How to get a Docker daemon: the general hint of `DOCKER_UNAVAILABLE`. */
export const START_DAEMON_HINT: string = DOCKER_ERRORS.DOCKER_UNAVAILABLE.hint;

/**
 * No Docker daemon answers at the configured socket or host (missing socket, refused connection, no permission, or a
 * hung daemon). The message names the address; the hint says how to start a daemon.
 */
export class DockerUnavailableError extends UnionMLError<'DOCKER_UNAVAILABLE'> {
  constructor(
    /** The daemon's address as tried, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.5:2375`. */
    readonly address: string,
    reason: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(DOCKER_ERRORS.DOCKER_UNAVAILABLE, `no Docker daemon at ${address}: ${reason}`, {
      hint: options.hint ?? DOCKER_ERRORS.DOCKER_UNAVAILABLE.hint,
      cause: options.cause,
    });
  }
}

/**
 * A build that failed: a Dockerfile instruction failed (`step` names it), the Dockerfile could not be parsed, the base
 * image is missing... The message names the step and the daemon's error; `logTail` has the last lines of output.
 */
export class DockerBuildError extends UnionMLError<'DOCKER_BUILD_FAILED'> {
  constructor(message: string, options: { step?: string | undefined; logTail?: string[]; hint?: string | undefined; cause?: unknown } = {}) {
    super(DOCKER_ERRORS.DOCKER_BUILD_FAILED, message, { hint: options.hint, cause: options.cause });
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
export class DockerContextError extends UnionMLError<'DOCKER_CONTEXT_INVALID'> {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(DOCKER_ERRORS.DOCKER_CONTEXT_INVALID, message, options);
  }
}

/** A push the registry refused with an authentication error: wrong or missing credentials for `registry`. */
export class DockerAuthError extends UnionMLError<'DOCKER_AUTH_FAILED'> {
  constructor(
    /** The registry, e.g. `registry.example.com` (`docker.io` for Docker Hub). */
    readonly registry: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(DOCKER_ERRORS.DOCKER_AUTH_FAILED, message, options);
  }
}

/** A push that failed for another reason than credentials (registry unreachable, no such local image...). */
export class DockerPushError extends UnionMLError<'DOCKER_PUSH_FAILED'> {
  constructor(
    /** The registry, e.g. `registry.example.com` (`docker.io` for Docker Hub). */
    readonly registry: string,
    message: string,
    options: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(DOCKER_ERRORS.DOCKER_PUSH_FAILED, message, options);
  }
}

/**
 * A container that could not be created or started (no such image, a command not found in the image, a bad bind
 * mount). A container that ran and exited non-zero is not an error: {@link Docker.run} returns its exit code.
 */
export class DockerRunError extends UnionMLError<'DOCKER_RUN_FAILED'> {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(DOCKER_ERRORS.DOCKER_RUN_FAILED, message, options);
  }
}

/**
 * Any other request the daemon refused (`DOCKER_REQUEST_FAILED`), an image that does not exist
 * (`DOCKER_IMAGE_NOT_FOUND`), or an image reference that cannot be used (`DOCKER_REFERENCE_INVALID`); `operation` names
 * what was asked (`tag`, `remove`, `inspect`...).
 */
export class DockerRequestError extends UnionMLError<'DOCKER_REQUEST_FAILED' | 'DOCKER_IMAGE_NOT_FOUND' | 'DOCKER_REFERENCE_INVALID'> {
  constructor(
    code: DockerRequestErrorCode,
    /** What was asked, e.g. `tag app:v1 as registry.example.com/app:v1`. */
    readonly operation: string,
    message: string,
    options: { hint?: string | undefined; cause?: unknown; statusCode?: number | undefined } = {},
  ) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.statusCode = options.statusCode;
  }

  /** The daemon's HTTP status, if it answered. */
  readonly statusCode: number | undefined;
}

/** A build, push or run stopped by its `signal`. */
export class DockerAbortedError extends UnionMLError<'DOCKER_ABORTED'> {
  constructor(
    /** What was stopped, e.g. `build of app:v1`. */
    readonly operation: string,
    options: { cause?: unknown } = {},
  ) {
    super(DOCKER_ERRORS.DOCKER_ABORTED, `${operation} was aborted`, options);
  }
}
