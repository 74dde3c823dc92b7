/**
 * Where the CLI writes. stdout carries results only (predictions, the `--json` object); everything else goes to
 * stderr. While a command runs the user's app, {@link Output.guardStdout} sends whatever the app writes to stdout
 * (console.log, library banners) to stderr, so that stdout stays parseable.
 */
export class Output {
  /** `--json`: one JSON object on stdout, human lines on stderr. */
  readonly json: boolean;
  readonly #stdoutWrite: (text: string) => boolean;
  readonly #stderrWrite: (text: string) => boolean;
  #restore: (() => void) | undefined;

  constructor(options: { json?: boolean } = {}) {
    this.json = options.json ?? false;
    // Bound now, before guardStdout replaces process.stdout.write: results keep reaching the real stdout.
    this.#stdoutWrite = process.stdout.write.bind<(text: string) => boolean>(process.stdout);
    this.#stderrWrite = process.stderr.write.bind<(text: string) => boolean>(process.stderr);
  }

  /** Writes a result to the real stdout (even while it is guarded). */
  result(text: string): void {
    this.#stdoutWrite(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Writes one JSON value as a line on the real stdout. bigints (z.bigint() hyperparameters, Flyte int64s) are numbers
   * within 2^53 and decimal strings beyond, as in model files.
   */
  resultJson(value: unknown): void {
    // As @unionml/data's bigintReplacer (not imported here: loading that package would add ~40 ms to every command).
    this.result(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v)));
  }

  /** A summary line for people (`[unionml] ...`): stdout, or stderr with `--json`. */
  say(line: string): void {
    const text = `[unionml] ${line}\n`;
    if (this.json) this.#stderrWrite(text);
    else this.#stdoutWrite(text);
  }

  /** A progress line on stderr. */
  info(line: string): void {
    this.#stderrWrite(`[unionml] ${line}\n`);
  }

  /** A warning on stderr. */
  warn(line: string): void {
    this.#stderrWrite(`[unionml] warning: ${line}\n`);
  }

  /** Raw text on stderr (errors, usage). */
  stderr(text: string): void {
    this.#stderrWrite(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Raw text on the real stdout (help, version). */
  stdout(text: string): void {
    this.result(text);
  }

  /**
   * Redirects writes to `process.stdout` (and so `console.log`, `console.info`, `console.debug`) to stderr until
   * {@link Output.restore}. The CLI's own results still reach stdout through {@link Output.result}.
   */
  guardStdout(): void {
    if (this.#restore) return;
    const stdout = process.stdout;
    // An own `write` (one that something set on the stream) is put back as it was; else the prototype's shows again.
    const own = Object.getOwnPropertyDescriptor(stdout, 'write');
    const stderr = process.stderr;
    stdout.write = ((...args: Parameters<typeof stderr.write>) => stderr.write(...args)) as typeof stdout.write;
    this.#restore = () => {
      if (own) Object.defineProperty(stdout, 'write', own);
      else delete (stdout as { write?: unknown }).write;
    };
  }

  /** Undoes {@link Output.guardStdout}. */
  restore(): void {
    this.#restore?.();
    this.#restore = undefined;
  }
}
