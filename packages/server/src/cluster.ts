// Serving with several worker processes (node:cluster): the primary forks the workers, which run the same program,
// each loads the model and listens on the same port (the primary hands out the connections), and the primary stops
// them gracefully on SIGTERM/SIGINT and restarts the ones that crash.
import cluster, { type Worker } from 'node:cluster';
import { createServer as createNetServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import type { AnyModel, Logger } from '@unionml/core';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { ServerError } from './errors.js';

/** Set in the environment of the workers {@link servePrimary} forks. */
export const WORKER_ENV = 'UNIONML_SERVE_WORKER';
/** The absolute model file the primary was given, for its workers (set when it was given one). */
export const WORKER_MODEL_PATH_ENV = 'UNIONML_SERVE_MODEL_PATH';

/** A crashed worker is restarted at most this many times within {@link RESTART_WINDOW_MS}: 5. */
export const MAX_RESTARTS = 5;
/** The window of {@link MAX_RESTARTS}: 60 s. */
export const RESTART_WINDOW_MS = 60_000;
/** The first restart waits this long, each further one within the window twice as long as the one before: 100 ms. */
export const RESTART_BACKOFF_MS = 100;

/**
 * A second SIGTERM/SIGINT closes every connection at once, unless it comes less than this long after the first (500 ms):
 * `timeout`, and process managers that signal a whole process group, deliver one signal twice.
 */
export const SIGNAL_REPEAT_MS = 500;

/** The messages between the primary and its workers. */
export type WorkerMessage =
  | { unionml: 'listening'; url: string }
  | { unionml: 'failed'; code?: string | undefined; message: string; hint?: string | undefined }
  | { unionml: 'shutdown' }
  | { unionml: 'force' };

/** True in a worker process forked by a `serveModel` with several `workers`. */
export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

/** The number of workers for the `workers` option: an integer ≥ 1, or `'auto'` for `os.availableParallelism()`. */
export function resolveWorkers(workers: number | 'auto' | undefined): number {
  if (workers === undefined) return 1;
  if (workers === 'auto') return availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `workers must be a positive integer or 'auto', got ${String(workers)}`, {
      hint: `use 1 (one process), a number such as ${availableParallelism()} (the CPUs here), or 'auto'`,
    });
  }
  return workers;
}

/** Sends a message to the primary, if there is one to send to; resolves once it is sent. */
export function tellPrimary(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send && process.connected) process.send(message, undefined, undefined, () => resolve());
    else resolve();
  });
}

/** Options of {@link servePrimary}. */
export interface PrimaryOptions {
  workers: number;
  host: string;
  port: number;
  modelPath: string | undefined;
  handleSignals: boolean;
  logger: Logger;
}

/** What {@link servePrimary} resolves to: the same shape as `serveModel`'s result. */
export interface ServingCluster {
  url: string;
  close(): Promise<void>;
  closed: Promise<void>;
  /** Set when the workers could not be kept running (they kept crashing): the serving ended with this error. */
  readonly failure: ServerError | undefined;
}

/**
 * The primary of a served cluster: forks `workers` copies of this program (`node:cluster`, the same script,
 * arguments and Node options) with {@link WORKER_ENV} set; each calls `serveModel` again, loads the model and listens
 * on the same port. Resolves once every worker listens (logging `serving model '<name>' at <url> with N workers`);
 * rejects with `SERVER_WORKER_FAILED` when a worker exits before it listens (the others are stopped first), or with
 * `SERVER_PORT_IN_USE` when the port is taken (checked before forking).
 *
 * Then: SIGTERM or SIGINT (with `handleSignals`) or `close()` sends SIGTERM to every worker, each of which drains
 * gracefully, and `closed` resolves once all have exited; a second signal makes them close every connection at once.
 * A worker that exits on its own is logged and restarted after a back-off ({@link RESTART_BACKOFF_MS} doubling), at
 * most {@link MAX_RESTARTS} times in {@link RESTART_WINDOW_MS}; when none is left, `failure` is set and `closed`
 * resolves.
 */
export async function servePrimary(model: AnyModel, options: PrimaryOptions): Promise<ServingCluster> {
  const { workers: count, host, port, handleSignals, logger } = options;
  if (port !== 0) await checkPortFree(host, port);
  const env: Record<string, string> = { [WORKER_ENV]: '1' };
  if (options.modelPath) env[WORKER_MODEL_PATH_ENV] = resolvePath(options.modelPath);

  const live = new Set<Worker>();
  const restarts: number[] = [];
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  let started = false;
  let failure: ServerError | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let startup: { resolve: (url: string) => void; reject: (error: unknown) => void; waiting: number; url?: string } | undefined;

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    live.add(worker);
    let listening = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message?.unionml === 'listening') {
        listening = true;
        if (startup && !started) {
          startup.url ??= message.url;
          if (--startup.waiting === 0) startup.resolve(startup.url);
        } else if (started) {
          logger.info(`worker ${worker.id} (pid ${worker.process.pid}) serving again`);
        }
      } else if (message?.unionml === 'failed' && !started && startup) {
        const error = new ServerError('SERVER_WORKER_FAILED', `worker ${worker.id} of ${count} failed to start: ${message.message}`, {
          hint: message.hint ?? 'see the error of the worker above',
        });
        startup.reject(error);
      }
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (stopping) {
        if (code !== 0 && code !== null) logger.error(`worker ${worker.id} (pid ${worker.process.pid}) exited with ${how} while shutting down`);
        if (live.size === 0) markClosed();
        return;
      }
      if (!started) {
        startup?.reject(
          new ServerError('SERVER_WORKER_FAILED', `worker ${worker.id} of ${count} exited with ${how} before it could serve`, {
            hint: 'see the error of the worker above',
          }),
        );
        return;
      }
      // A crash after start-up: restart it, with a back-off, a few times.
      const now = Date.now();
      while (restarts.length && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        logger.error(
          `worker ${worker.id} (pid ${worker.process.pid}) exited with ${how}${listening ? '' : ' before it could serve'}; not restarting it: ${MAX_RESTARTS} restarts in the last ${RESTART_WINDOW_MS / 1000} s`,
        );
        if (live.size === 0) {
          failure = new ServerError(
            'SERVER_WORKER_FAILED',
            `every worker has stopped: they crashed ${MAX_RESTARTS + 1} times within ${RESTART_WINDOW_MS / 1000} s`,
            {
              hint: "read the workers' errors above; fix the cause, or serve with one worker to see it",
            },
          );
          stopping = true;
          removeSignalHandlers();
          markClosed();
        }
        return;
      }
      const delay = RESTART_BACKOFF_MS * 2 ** restarts.length;
      restarts.push(now);
      logger.error(
        `worker ${worker.id} (pid ${worker.process.pid}) exited with ${how}; restarting it in ${delay} ms (restart ${restarts.length} of at most ${MAX_RESTARTS} a minute)`,
      );
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (!stopping) fork();
      }, delay);
      pendingRestarts.add(timer);
    });
    return worker;
  };

  const signalAll = (message: WorkerMessage, signal?: NodeJS.Signals): void => {
    for (const worker of live) {
      if (signal && worker.process.exitCode === null) worker.process.kill(signal);
      else if (worker.isConnected()) worker.send(message);
    }
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (!closing) {
      stopping = true;
      for (const timer of pendingRestarts) clearTimeout(timer);
      pendingRestarts.clear();
      if (live.size === 0) markClosed();
      // The workers drain as a single server does (serveModel's SIGTERM handler).
      signalAll({ unionml: 'shutdown' }, 'SIGTERM');
      closing = closed.then(removeSignalHandlers);
    }
    return closing;
  };

  let firstSignal: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignal !== undefined && Date.now() - firstSignal < SIGNAL_REPEAT_MS) return;
    if (firstSignal === undefined) {
      firstSignal = Date.now();
      logger.info(`received ${signal}: stopping ${live.size} worker${live.size === 1 ? '' : 's'} after their requests in flight`);
      void close();
    } else {
      logger.warn(`received ${signal} again: the workers close every connection now`);
      signalAll({ unionml: 'force' });
    }
  };
  const removeSignalHandlers = (): void => {
    if (!handleSignals) return;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };

  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      startup = { resolve, reject, waiting: count };
      for (let i = 0; i < count; i++) fork();
    });
  } catch (error) {
    // Stop the others, and wait for them, before reporting.
    stopping = true;
    const gone = new Promise<void>((resolve) => {
      if (live.size === 0) resolve();
      else void closed.then(resolve);
    });
    for (const worker of live) worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
    }, 5000);
    await gone;
    clearTimeout(timer);
    throw error;
  }
  started = true;
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  logger.info(`serving model '${model.name}' at ${url} with ${count} workers`);
  return {
    url,
    close,
    closed,
    get failure() {
      return failure;
    },
  };
}

/** Rejects with `SERVER_PORT_IN_USE` (or `SERVER_LISTEN_FAILED`) when `host:port` cannot be listened on. */
function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new ServerError('SERVER_PORT_IN_USE', `cannot listen on ${host}:${port}: the port is in use`, {
            hint: 'pass another port (--port), or stop the process that uses it',
            cause: error,
          }),
        );
      } else {
        reject(
          new ServerError('SERVER_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${errorMessage(error)}`, {
            hint: "use '127.0.0.1' or '0.0.0.0' and a port above 1023",
            cause: error,
          }),
        );
      }
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** What a worker tells the primary about the error that stopped it at start-up. */
export function failedMessage(error: unknown): WorkerMessage {
  return isUnionMLError(error)
    ? { unionml: 'failed', code: error.code, message: error.message, hint: error.hint }
    : { unionml: 'failed', message: errorMessage(error) };
}
