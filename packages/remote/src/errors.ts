import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';

/** The error codes of @unionml/remote. */
export const REMOTE_ERRORS = defineErrors('@unionml/remote', {
  IMAGE_REGISTRY_REQUIRED: {
    kind: 'input',
    meaning: 'the image is to be pushed, but no registry was named',
    hint: "pass a registry (--registry ghcr.io/acme), or --sandbox for a Flyte demo cluster's registry (localhost:30000)",
  },
  IMAGE_NAME_INVALID: {
    kind: 'input',
    meaning: 'the image name is not a valid Docker repository name',
    hint: "use lower-case letters, digits, '.', '_', '-' and '/', e.g. --image-name my-team/digits",
  },
  IMAGE_CONTEXT_INVALID: {
    kind: 'input',
    meaning: 'the app folder cannot be made into a build context: no package.json, or a file: dependency that does not exist',
    hint: 'run the command in the app folder (unionml init makes one) and fix the paths in its package.json',
  },
  IMAGE_PACK_FAILED: {
    kind: 'app',
    meaning: "npm pack of one of the app's local packages (workspace or file: dependencies) failed",
    hint: 'check that the package builds: run npm pack in its folder (its prepack script runs)',
  },
  APP_VERSION_UNKNOWN: {
    kind: 'state',
    meaning: 'the app version (its git commit) cannot be determined: the app is not in a git repository with a commit, or it has uncommitted changes',
    hint: 'commit the app, pass --allow-uncommitted, or pass --version',
  },
});

/** A code of {@link REMOTE_ERRORS}. */
export type RemoteErrorCode = CodeOf<typeof REMOTE_ERRORS>;

/** The app's image cannot be named, staged or built as asked. */
export class ImageError extends UnionMLError<RemoteErrorCode> {
  constructor(code: Exclude<RemoteErrorCode, 'APP_VERSION_UNKNOWN'>, message: string, hint?: string) {
    super(REMOTE_ERRORS[code], message, { hint });
  }
}

/** The app version cannot be determined from git. */
export class VersionError extends UnionMLError<'APP_VERSION_UNKNOWN'> {
  constructor(message: string, hint: string) {
    super(REMOTE_ERRORS.APP_VERSION_UNKNOWN, message, { hint });
  }
}
