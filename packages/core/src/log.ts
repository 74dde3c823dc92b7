/** Where UnionML writes diagnostics: stderr, prefixed `[unionml]`, so that stdout stays for results. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const write = (level: string) => (message: string) => {
  process.stderr.write(`[unionml] ${level}${message}\n`);
};

let current: Logger = { info: write(''), warn: write('warning: '), error: write('error: ') };

/** The logger in use. */
export function logger(): Logger {
  return current;
}

/** Replaces the logger (e.g. to silence it in tests, or to route it to a server's log). Returns the previous one. */
export function setLogger(next: Logger): Logger {
  const previous = current;
  current = next;
  return previous;
}
