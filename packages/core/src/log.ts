/**
 * Where UnionML writes diagnostics. There is no global logger: a {@link Model} takes one in its options (default
 * {@link stderrLogger}), and the server and CLI pass theirs to the calls they make.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const write = (level: string) => (message: string) => {
  process.stderr.write(`[unionml] ${level}${message}\n`);
};

/** Writes to stderr, prefixed `[unionml]`, so that stdout stays for results. */
export const stderrLogger: Logger = Object.freeze({ info: write(''), warn: write('warning: '), error: write('error: ') });

/** Drops every message. */
export const silentLogger: Logger = Object.freeze({ info: () => {}, warn: () => {}, error: () => {} });
