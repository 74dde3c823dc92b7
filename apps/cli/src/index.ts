/**
 * The `unionml` command line: `init`, `train`, `predict` and `serve` (in this process, or on a Flyte cluster), `deploy`,
 * `package`, `build`, and the remote model's listings, fetches and schedules.
 *
 * The package's bin runs {@link main}; programs can call it too, with the arguments after `unionml`. It resolves to
 * the exit status (0 success, 1 error, 2 usage error) and never calls `process.exit`.
 *
 * This module imports nothing heavy: @unionml/core, the user's app, TensorFlow.js and the server load only inside
 * the command that needs them, so `unionml --help` is fast.
 *
 * @example
 * ```ts
 * import { main } from 'unionml';
 * process.exitCode = await main(['train', 'app:model', '--local', '-o', 'model.json']);
 * ```
 * @module
 */
export { describeError, main } from './main.js';
export { COMMANDS, commandHelp, findCommand, mainHelp } from './commands.js';
export type { Command, CommandContext, OptionSpec } from './commands.js';
export { CLI_ERRORS, InitError, InputsError, OutputWriteError, PackageMissingError, RemoteCommandError, UsageError } from './errors.js';
export type { CliErrorCode } from './errors.js';
export { TEMPLATES } from './templates.js';
export type { TemplateSpec } from './templates.js';
export { VERSION } from './version.js';
