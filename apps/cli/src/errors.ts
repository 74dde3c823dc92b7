import { defineErrors, isUnionMLError, UnionMLError, type CodeOf } from '@unionml/errors';
import type * as Remote from '@unionml/remote';

/** The error codes of the `unionml` CLI. */
export const CLI_ERRORS = defineErrors('unionml', {
  CLI_USAGE: {
    kind: 'usage',
    meaning: 'the command line is wrong: an unknown command or option, a missing or extra argument, a bad option value',
    hint: "run 'unionml <command> --help' for the command's usage",
  },
  INIT_TEMPLATE_UNKNOWN: {
    kind: 'usage',
    meaning: 'unionml init was given a template name it does not have',
    hint: 'use one of the templates its help lists (basic, regression, tabular)',
  },
  INIT_APP_NAME_INVALID: {
    kind: 'usage',
    meaning: 'the app name given to unionml init is not a valid identifier',
    hint: 'use letters, digits and underscores, starting with a letter or underscore, e.g. my_app',
  },
  INIT_DESTINATION_EXISTS: {
    kind: 'state',
    meaning: "the app's folder already exists and is not empty (or is a file)",
    hint: 'choose another app name, or remove or empty that folder',
  },
  INIT_TEMPLATE_NOT_FOUND: {
    kind: 'internal',
    meaning: 'the template is missing from this installation of unionml',
    hint: 'reinstall unionml',
  },
  INIT_PACKAGES_NOT_FOUND: {
    kind: 'input',
    meaning: 'the folder given to --packages-from does not hold one tarball of each @unionml package the app needs',
    hint: 'npm pack the packages into one folder (one tarball per package) and pass that folder',
  },
  INIT_WRITE_FAILED: {
    kind: 'environment',
    meaning: "the app's files cannot be written (permissions, disk, or git failed)",
    hint: 'check that the folder is writable and that git is installed',
  },
  CLI_INPUTS_INVALID: {
    kind: 'usage',
    meaning: 'the --inputs given to a command are not JSON, or valid JSON but not what it takes',
    hint: 'write --inputs \'{"key": value, ...}\' with each argument once',
  },
  CLI_PACKAGE_MISSING: {
    kind: 'environment',
    meaning: 'the command needs an optional UnionML package that is not installed (e.g. @unionml/remote for build)',
    hint: 'install it in the app: npm install --save-dev @unionml/remote',
  },
  CLI_NO_PREDICTION: {
    kind: 'state',
    meaning: 'unionml fetch-predictions (-m latest) found no successful prediction of the model for the app version',
    hint: 'predict first (unionml predict APP:MODEL -f FEATURES.json --wait), or pass the app version of one with -v; unionml list-prediction-ids lists them',
  },
  CLI_OUTPUT_WRITE_FAILED: {
    kind: 'environment',
    meaning: "a command's output file cannot be written where asked (no such folder, a folder in the way, no permission)",
    hint: 'check that the folder exists and is writable, or choose another -o path',
  },
  UNEXPECTED_ERROR: {
    kind: 'internal',
    meaning: 'an error that UnionML did not expect (a bug, or an error thrown by a dependency); --json reports it with this code',
    hint: 'run again with --verbose for the stack trace, and report it if it is not caused by the app',
  },
});

/** A code of {@link CLI_ERRORS}. */
export type CliErrorCode = CodeOf<typeof CLI_ERRORS>;

type UsageCode = 'CLI_USAGE' | 'INIT_TEMPLATE_UNKNOWN' | 'INIT_APP_NAME_INVALID';

/**
 * The command line was wrong: an unknown command or option, a missing or extra argument, a bad option value.
 * The CLI prints the message, the command's usage line, and exits with status 2 (the `usage` kind's).
 */
export class UsageError extends UnionMLError<UsageCode> {
  constructor(
    message: string,
    /** The command whose usage to print, if known. */
    readonly command?: string,
    options: { code?: UsageCode; hint?: string } = {},
  ) {
    super(CLI_ERRORS[options.code ?? 'CLI_USAGE'], message, { hint: options.hint });
  }
}

/** `unionml init` could not create the app (its name, its folder, its template or the given packages). */
export class InitError extends UnionMLError<'INIT_DESTINATION_EXISTS' | 'INIT_TEMPLATE_NOT_FOUND' | 'INIT_PACKAGES_NOT_FOUND' | 'INIT_WRITE_FAILED'> {
  constructor(
    code: 'INIT_DESTINATION_EXISTS' | 'INIT_TEMPLATE_NOT_FOUND' | 'INIT_PACKAGES_NOT_FOUND' | 'INIT_WRITE_FAILED',
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(CLI_ERRORS[code], message, options);
  }
}

/** The `--inputs` or features given to a command are not what it takes (beyond JSON syntax). */
export class InputsError extends UnionMLError<'CLI_INPUTS_INVALID'> {
  constructor(message: string, hint?: string) {
    super(CLI_ERRORS.CLI_INPUTS_INVALID, message, { hint });
  }
}

const RESULT = Symbol('unionml.cli.result');

/**
 * Attaches what a command achieved before it failed (e.g. a training whose model file could not be saved) to its
 * error: `--json` prints it beside the error, as `{"error": {...}, "result": {...}}`.
 */
export function withResult<E>(error: E, result: object): E {
  if (error !== null && typeof error === 'object') Object.defineProperty(error, RESULT, { value: result, configurable: true });
  return error;
}

/** What {@link withResult} attached to an error, if anything. */
export function resultOf(error: unknown): object | undefined {
  return error !== null && typeof error === 'object' ? ((error as Record<symbol, object | undefined>)[RESULT] ?? undefined) : undefined;
}

/** A remote command found nothing to act on (no prediction to fetch). */
export class RemoteCommandError extends UnionMLError<'CLI_NO_PREDICTION'> {
  constructor(code: 'CLI_NO_PREDICTION', message: string, hint?: string) {
    super(CLI_ERRORS[code], message, { hint });
  }
}

/** A command's output file cannot be written. */
export class OutputWriteError extends UnionMLError<'CLI_OUTPUT_WRITE_FAILED'> {
  constructor(
    /** The file. */
    readonly path: string,
    cause: unknown,
    message?: string,
    hint?: string,
  ) {
    // Core's OUTPUT_PATH_INVALID (a device, a FIFO... at the path) already says "cannot write PATH: why".
    const pathError = isUnionMLError(cause) && cause.code === 'OUTPUT_PATH_INVALID' ? cause : undefined;
    super(
      CLI_ERRORS.CLI_OUTPUT_WRITE_FAILED,
      message ?? pathError?.message ?? `cannot write ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        hint: hint ?? pathError?.hint ?? 'check that the folder exists and is writable, or choose another -o path',
      },
    );
  }
}

/** A command needs an optional package that is not installed. */
export class PackageMissingError extends UnionMLError<'CLI_PACKAGE_MISSING'> {
  constructor(packageName: string, command: string, cause: unknown) {
    super(CLI_ERRORS.CLI_PACKAGE_MISSING, `unionml ${command} needs ${packageName}, which is not installed`, {
      hint: `install it in the app: npm install --save-dev ${packageName}`,
      cause,
    });
  }
}

/**
 * Imports `@unionml/remote` (an optional peer dependency: it brings the Docker client, which task images do not need),
 * or fails with {@link PackageMissingError}.
 */
export async function importRemote(command: string): Promise<typeof Remote> {
  try {
    return await import('@unionml/remote');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('@unionml/remote')) {
      throw new PackageMissingError('@unionml/remote', command, error);
    }
    throw error;
  }
}
