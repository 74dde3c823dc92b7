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
  REMOTE_APP_UNKNOWN: {
    kind: 'input',
    meaning: 'which module of the app folder exports the model (the address task containers import it by) cannot be found',
    hint: "pass the app address: remote(model, { app: 'app:model', appDir })",
  },
  REMOTE_NOT_DEPLOYED: {
    kind: 'state',
    meaning: "the model's workflow has no launch plan in the Flyte project and domain: the app was not deployed there",
    hint: 'deploy it first (app.deploy(), unionml deploy APP:MODEL), or name the project and domain it was deployed to',
  },
  REMOTE_VERSION_UNKNOWN: {
    kind: 'input',
    status: 404,
    meaning: "the app version asked for has no launch plan of the model's workflow; the message lists the versions that do",
    hint: 'pass one of the registered versions, or leave the version out to use the newest',
  },
  REMOTE_VERSION_CONFLICT: {
    kind: 'state',
    meaning: 'the app version is already registered with a different definition of a task, workflow or launch plan (Flyte entities cannot change)',
    hint: 'commit your changes (the app version is the commit) or pass a new app version',
  },
  REMOTE_EXECUTION_FAILED: {
    kind: 'app',
    meaning: "an execution on Flyte failed; the message carries the failing task's own error",
    hint: "fix what the task's error names (the app's code or inputs); its log is linked from the execution in the console",
  },
  REMOTE_EXECUTION_ABORTED: {
    kind: 'state',
    meaning: 'the execution was aborted (terminated) before it finished',
    hint: 'start it again',
  },
  REMOTE_EXECUTION_TIMED_OUT: {
    kind: 'state',
    meaning: 'the execution ran past its timeout on Flyte and was stopped',
    hint: "raise the task's timeout (task options timeoutSeconds), or make the run shorter",
  },
  REMOTE_WAIT_TIMEOUT: {
    kind: 'state',
    meaning: 'the execution had not finished when the wait ran out of time; it is still running on Flyte',
    hint: 'wait again (app.wait(execution)) or follow it in the console',
  },
  REMOTE_EXECUTION_UNKNOWN: {
    kind: 'input',
    status: 404,
    meaning: 'the execution (a model version or prediction id) does not exist, or is not an execution of this model',
    hint: 'list them: app.listModelVersions(), unionml list-model-versions APP:MODEL',
  },
  REMOTE_NO_MODEL_VERSION: {
    kind: 'state',
    meaning: 'the model has no successful training execution to take a model from',
    hint: 'train one first: app.train(), unionml train APP:MODEL',
  },
  REMOTE_SCHEDULE_UNKNOWN: {
    kind: 'input',
    meaning: 'the schedule named is not one of the schedules the model declares',
    hint: 'use a name given to model.scheduleTraining(...) or model.schedulePrediction(...)',
  },
  REMOTE_DATA_FAILED: {
    kind: 'environment',
    meaning: "an execution's inputs cannot be uploaded, or its outputs downloaded, through the signed URLs FlyteAdmin gave",
    hint: "check that this machine reaches the cluster's object store (the signed URL's host), and the storage section of the Flyte config",
  },
});

/** A code of {@link REMOTE_ERRORS}. */
export type RemoteErrorCode = CodeOf<typeof REMOTE_ERRORS>;

/** The app's image cannot be named, staged or built as asked. */
export class ImageError extends UnionMLError<RemoteErrorCode> {
  constructor(code: Extract<RemoteErrorCode, `IMAGE_${string}`>, message: string, hint?: string) {
    super(REMOTE_ERRORS[code], message, { hint });
  }
}

/** The app version cannot be determined from git. */
export class VersionError extends UnionMLError<'APP_VERSION_UNKNOWN'> {
  constructor(message: string, hint: string) {
    super(REMOTE_ERRORS.APP_VERSION_UNKNOWN, message, { hint });
  }
}

/** What a {@link RemoteError} says about the execution it is about, if any. */
export interface RemoteErrorDetails {
  hint?: string | undefined;
  cause?: unknown;
  /** The execution's name (a model version or prediction id). */
  execution?: string | undefined;
  /** The execution's page in the console. */
  url?: string | undefined;
  /** The failing task's error code on Flyte (e.g. `USER:RuntimeError`), for REMOTE_EXECUTION_FAILED. */
  flyteErrorCode?: string | undefined;
  /** The failing task's whole error as Flyte recorded it (its trace included), for REMOTE_EXECUTION_FAILED. */
  taskError?: string | undefined;
}

/** A remote model operation that cannot be done: nothing deployed, an unknown version, a failed execution... */
export class RemoteError extends UnionMLError<Extract<RemoteErrorCode, `REMOTE_${string}`>> {
  constructor(code: Extract<RemoteErrorCode, `REMOTE_${string}`>, message: string, details: RemoteErrorDetails = {}) {
    super(REMOTE_ERRORS[code], message, { hint: details.hint, cause: details.cause });
    this.execution = details.execution;
    this.url = details.url;
    this.flyteErrorCode = details.flyteErrorCode;
    this.taskError = details.taskError;
  }

  /** The execution's name (a model version or prediction id), when the error is about one. */
  readonly execution: string | undefined;
  /** The execution's page in the console. */
  readonly url: string | undefined;
  /** The failing task's error code on Flyte, for REMOTE_EXECUTION_FAILED. */
  readonly flyteErrorCode: string | undefined;
  /** The failing task's whole error as Flyte recorded it (its trace included), for REMOTE_EXECUTION_FAILED. */
  readonly taskError: string | undefined;
}
