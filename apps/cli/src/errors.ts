import { UnionMLError, errorMessage, isUnionMLError } from '@unionml/errors';

/**
 * The command line was wrong: an unknown command or option, a missing or extra argument, a bad option value.
 * The CLI prints the message, the command's usage line, and exits with status 2.
 */
export class UsageError extends UnionMLError {
  constructor(
    message: string,
    /** The command whose usage to print, if known. */
    readonly command?: string,
    options: { code?: string; hint?: string } = {},
  ) {
    super(options.code ?? 'CLI_USAGE', message, { hint: options.hint });
  }
}

/** `unionml init` could not create the app (its name, its folder, its template or the given packages). */
export class InitError extends UnionMLError {
  constructor(code: 'INIT_DESTINATION_EXISTS' | 'INIT_TEMPLATE_NOT_FOUND' | 'INIT_PACKAGES_NOT_FOUND' | 'INIT_WRITE_FAILED', message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** The `--inputs` or features given to a command are not what it takes (beyond JSON syntax). */
export class InputsError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super('CLI_INPUTS_INVALID', message, { hint });
  }
}

/**
 * The app's own code (its reader, trainer, predictor...) threw an error that is not a UnionML error. The message
 * says which step failed; the original error is the `cause` (printed with `--verbose`).
 */
export class AppCodeError extends UnionMLError {
  constructor(code: 'TRAINING_FAILED' | 'PREDICTION_FAILED', message: string, cause: unknown) {
    super(code, message, { cause, hint: "the error comes from the app's code; run with --verbose for its stack trace" });
  }
}

/** Rethrows UnionML errors as they are, and wraps other errors of the app's code in {@link AppCodeError}. */
export function fromAppCode(code: 'TRAINING_FAILED' | 'PREDICTION_FAILED', what: string): (error: unknown) => never {
  return (error) => {
    if (isUnionMLError(error)) throw error;
    throw new AppCodeError(code, `${what}: ${errorMessage(error)}`, error);
  };
}
