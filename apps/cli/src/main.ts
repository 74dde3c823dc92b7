/**
 * The `unionml` command line: parses the arguments, runs a command, and turns errors into messages and exit statuses.
 *
 * Exit statuses: 0 success, 1 an error (bad app, data, model file...), 2 a usage error (unknown command or option,
 * missing argument, remote mode asked for).
 */
import { parseArgs } from 'node:util';
import { editDistance as distance, errorMessage, exitCodeOf, isUnionMLError } from '@unionml/errors';
import { COMMANDS, commandHelp, findCommand, GLOBAL_OPTIONS, mainHelp, type Command, type CommandContext, type OptionSpec } from './commands.js';
import { CLI_ERRORS, resultOf, UsageError } from './errors.js';
import { Output } from './output.js';
import type { RemoteFactory } from './remote-app.js';
import { VERSION } from './version.js';

/**
 * Runs the CLI with `argv` (the arguments after `unionml`) and resolves to the exit status. It never throws and
 * never calls `process.exit`.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['train', 'app:model', '--local']);
 * ```
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return run(argv);
}

/** What {@link run} may be given instead of the defaults: the seam of the CLI's tests. */
export interface Seams {
  /** Makes the RemoteModel of the remote commands (default: `remote` of @unionml/remote). */
  remote?: RemoteFactory | undefined;
  /** The folder the command runs in (default: the current folder). */
  cwd?: string | undefined;
}

/** {@link main}, with the remote model made by `seams.remote` (for tests; not exported by the package). */
export async function run(argv: readonly string[], seams: Seams = {}): Promise<number> {
  const options = optionArgs(argv);
  const verbose = options.includes('--verbose');
  const out = new Output({ json: options.includes('--json') });
  try {
    const { globals, name, rest } = splitGlobals(argv);
    if (name === undefined) {
      if (globals.version) {
        out.stdout(VERSION);
        return 0;
      }
      if (globals.help) {
        out.stdout(mainHelp(VERSION));
        return 0;
      }
      out.stderr(mainHelp(VERSION));
      out.stderr('error: missing command');
      return 2;
    }
    if (name === 'help') return help(rest, out);
    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command '${name}'${suggest(name)}`, undefined, { hint: 'run unionml --help for the list of commands' });
    if (globals.help || optionArgs(rest).some((a) => a === '-h' || a === '--help')) {
      out.stdout(commandHelp(command));
      return 0;
    }
    const cwd = seams.cwd ?? process.cwd();
    if (command.raw) return await command.run({ positionals: [...rest], values: {}, cwd, out });
    const { positionals, values } = parseCommand(command, rest);
    return await command.run({ positionals, values, cwd, out, remote: seams.remote });
  } catch (error) {
    return report(error, { out, verbose });
  } finally {
    out.restore();
  }
}

function help(rest: readonly string[], out: Output): number {
  const name = rest.find((a) => !a.startsWith('-'));
  if (name === undefined) {
    out.stdout(mainHelp(VERSION));
    return 0;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command '${name}'${suggest(name)}`, undefined, { hint: 'run unionml --help for the list of commands' });
  out.stdout(commandHelp(command));
  return 0;
}

/** The arguments before a `--` terminator (after it, everything is a positional). */
function optionArgs(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** Splits `[global options] <command> [rest]`. */
function splitGlobals(argv: readonly string[]): { globals: { help: boolean; version: boolean }; name: string | undefined; rest: string[] } {
  const globals = { help: false, version: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '-h' || arg === '--help') globals.help = true;
    else if (arg === '-V' || arg === '--version') globals.version = true;
    else if (arg === '--verbose') continue;
    else throw new UsageError(`unknown option '${arg}'`, undefined, { hint: 'options go after the command: unionml <command> [options]; run unionml --help' });
  }
  return { globals, name: argv[i], rest: argv.slice(i + 1) };
}

/** Parses a command's arguments with `node:util` parseArgs and checks the positionals. */
function parseCommand(command: Command, args: readonly string[]): { positionals: string[]; values: CommandContext['values'] } {
  const specs: Record<string, OptionSpec> = { ...command.options, ...GLOBAL_OPTIONS };
  const config = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.default !== undefined ? { default: spec.default } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed: { values: CommandContext['values']; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error, specs), command.name);
  }
  const { positionals, values } = parsed;
  const required = command.arguments.filter((a) => !a.optional);
  if (positionals.length < required.length) {
    throw new UsageError(
      `missing ${required
        .slice(positionals.length)
        .map((a) => a.name)
        .join(' and ')}`,
      command.name,
    );
  }
  if (positionals.length > command.arguments.length) {
    const extra = positionals[command.arguments.length]!;
    throw new UsageError(`unexpected argument '${extra}'`, command.name, extra.includes(' ') ? { hint: 'quote JSON values as one argument' } : {});
  }
  return { positionals, values };
}

/** Rewrites parseArgs' messages (written for Node's own CLI) in the CLI's words. */
function parseArgsMessage(error: unknown, specs: Record<string, OptionSpec>): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = errorMessage(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = quoted.replace(/^-+/, '').split('=')[0]!;
    const close = Object.keys(specs).find((k) => distance(k, name) <= 2);
    return `unknown option '${quoted}'${close ? ` (did you mean --${close}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = quoted.replace(/ <value>$/, '');
    if (message.includes('argument missing')) return `option ${flag} needs a value`;
    if (message.includes('does not take an argument')) return `option ${flag} takes no value`;
    if (message.includes('ambiguous')) return `option ${flag} needs a value; to pass one that starts with '-', write --name=VALUE`;
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** Prints an error and returns its exit status. */
function report(error: unknown, context: { out: Output; verbose: boolean }): number {
  const { out } = context;
  const { status, stderr, json } = describeError(error, { verbose: context.verbose });
  out.stderr(stderr);
  const result = resultOf(error);
  if (out.json) out.resultJson(result ? { ...json, result } : json);
  return status;
}

/**
 * What the CLI prints for an error: `error: <message>` and `  hint: <hint>` on stderr (a usage error adds the
 * command's usage; `verbose` adds the stack), the `{"error": {code, message, hint}}` of `--json`, and the exit
 * status, from the error's kind: 2 for usage errors, 1 for the others.
 */
export function describeError(
  error: unknown,
  options: { verbose?: boolean } = {},
): { status: 1 | 2; stderr: string; json: { error: { code: string; message: string; hint?: string } } } {
  const usage = error instanceof UsageError;
  const coded = isUnionMLError(error);
  const message = errorMessage(error) || String(error);
  const lines = [`error: ${message}`];
  if (coded && error.hint) lines.push(`  hint: ${error.hint}`);
  if (usage) {
    const command = error.command ? findCommand(error.command) : undefined;
    if (command) lines.push(`usage: ${command.usage}`, `run 'unionml ${command.name} --help' for the options`);
    else if (!error.hint) lines.push("run 'unionml --help' for usage");
  }
  if (options.verbose) {
    const detail = (error as { detail?: unknown }).detail;
    if (typeof detail === 'string' && detail.includes('\n')) lines.push(detail);
    lines.push(stackOf(error));
  } else if (!coded) lines.push('  (run with --verbose for the stack trace)');
  return { status: exitCodeOf(error), stderr: lines.join('\n'), json: { error: coded ? error.toJSON() : { code: CLI_ERRORS.UNEXPECTED_ERROR.code, message } } };
}

/** The stack of an error and of its causes. */
function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : errorMessage(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

function suggest(name: string): string {
  const close = COMMANDS.map((c) => c.name).find((c) => distance(c, name) <= 2);
  return close ? ` (did you mean '${close}'?)` : '';
}
