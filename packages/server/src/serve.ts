import cluster from 'node:cluster';
import type { AnyModel, Logger } from '@unionml/core';
import {
  failedMessage,
  isServeWorker,
  resolveWorkers,
  servePrimary,
  SIGNAL_REPEAT_MS,
  tellPrimary,
  WORKER_MODEL_PATH_ENV,
  type WorkerMessage,
} from './cluster.js';
import type { ServerError } from './errors.js';
import { assertModel, resolveOptions, type ServerOptions } from './options.js';
import { createServer, type PredictionServer } from './server.js';

/** Options of {@link serveModel}. */
export interface ServeOptions extends ServerOptions {
  /** The model file to load; default `process.env.UNIONML_MODEL_PATH`. Ignored when `model.artifact` is already set. */
  modelPath?: string;
  /**
   * Close gracefully on SIGTERM and SIGINT (see `shutdownGraceMs`); a second signal, 500 ms or more after the first,
   * closes every connection at once (one sooner is taken as the same: `timeout` and process managers that signal a
   * whole process group deliver it twice). Default true.
   */
  handleSignals?: boolean;
  /**
   * How many processes serve: 1 (default) serves in this process; N > 1 makes this process the primary of a
   * `node:cluster` that forks N workers, each of which runs this same program (script, arguments, Node options and
   * environment) and so must reach `serveModel` again with the same options: each loads the model file and listens on
   * the same port, and the primary hands out the connections. `'auto'` is `os.availableParallelism()`. In the primary,
   * SIGTERM/SIGINT make every worker drain as a single server does, and `closed` resolves once all have exited. A
   * worker that fails before it serves stops the others and makes `serveModel` reject with `SERVER_WORKER_FAILED`; one
   * that crashes later is restarted (see `servePrimary`). `maxConnections` applies to each worker.
   */
  workers?: number | 'auto';
}

/** A model being served by {@link serveModel}. */
export interface ServingModel {
  /** E.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Closes the server gracefully (see {@link PredictionServer.close}); resolves `closed`. */
  close(): Promise<void>;
  /** Resolves once the server is closed, by `close()` or by a signal. Never rejects. */
  closed: Promise<void>;
  /**
   * With several workers: set when serving ended because the workers kept crashing (`SERVER_WORKER_FAILED`), after
   * `closed` resolves. Undefined otherwise.
   */
  readonly failure?: ServerError | undefined;
}

/**
 * Serves a model: loads its artifact (unless one is set), listens, logs
 * `[unionml] serving model '<name>' at <url>` to stderr, and on SIGTERM/SIGINT closes gracefully: requests already
 * received are answered (with `Connection: close`), `GET /ready` answers 503, and connections still open after
 * `shutdownGraceMs` (10 s) are closed by force; a second signal closes them at once. With `workers` > 1, see
 * {@link ServeOptions.workers}.
 *
 * Rejects with `MODEL_PATH_NOT_SET` when there is neither an artifact nor a model path, with the
 * {@link ModelFileError} of `model.load` (`MODEL_FILE_NOT_FOUND`, `MODEL_FILE_CORRUPT`...) when the file cannot be
 * loaded, and with `SERVER_PORT_IN_USE` / `SERVER_LISTEN_FAILED` when it cannot listen.
 *
 * @example
 * ```ts
 * const { url, closed } = await serveModel(model, { modelPath: 'model.json', port: 8000 });
 * await closed; // after SIGTERM or Ctrl-C
 * ```
 */
export async function serveModel(model: AnyModel, options: ServeOptions = {}): Promise<ServingModel> {
  assertModel(model, 'serveModel');
  const { modelPath, handleSignals = true, workers, ...serverOptions } = options;
  const { logger, host, port } = resolveOptions(serverOptions); // bad options fail before the model is loaded
  const count = resolveWorkers(workers);
  if (isServeWorker()) return serveWorker(model, modelPath, serverOptions, logger);
  if (count > 1 && cluster.isPrimary) {
    return servePrimary(model, { workers: count, host, port, modelPath: modelPath || undefined, handleSignals, logger });
  }

  await loadArtifact(model, modelPath);
  const server = createServer(model, serverOptions);
  const { url } = await server.listen();

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let firstSignal: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignal === undefined) {
      firstSignal = Date.now();
      logger.info(`received ${signal}: closing the server after the requests in flight`);
      void close();
    } else if (Date.now() - firstSignal >= SIGNAL_REPEAT_MS) {
      logger.warn(`received ${signal} again: closing every connection now`);
      void server.closeNow();
    }
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= server.close().finally(() => {
      if (handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      markClosed();
    }));
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  // Only now: whoever waits for this line may signal at once.
  logger.info(`serving model '${model.name}' at ${url}`);
  return { url, close, closed };
}

/** Loads the model file unless the model has an artifact. */
async function loadArtifact(model: AnyModel, modelPath: string | undefined): Promise<void> {
  if (model.artifact) return;
  // No path and no UNIONML_MODEL_PATH: core's MODEL_PATH_NOT_SET error says how to give one.
  if (modelPath) await model.load(modelPath);
  else await model.loadFromEnv();
}

/**
 * A worker of a served cluster: loads the model file (the primary's, when it was given one), listens on the shared
 * port, tells the primary, and drains on SIGTERM/SIGINT or the primary's word (once: the terminal's Ctrl-C reaches the
 * workers and the primary alike; only the primary's second signal closes every connection at once). Once closed, it
 * disconnects from the primary, so that the process can exit.
 */
async function serveWorker(model: AnyModel, modelPath: string | undefined, serverOptions: ServerOptions, logger: Logger): Promise<ServingModel> {
  const id = cluster.worker?.id ?? 0;
  const log: Logger = {
    info: (message) => logger.info(`worker ${id}: ${message}`),
    warn: (message) => logger.warn(`worker ${id}: ${message}`),
    error: (message) => logger.error(`worker ${id}: ${message}`),
  };
  let server: PredictionServer;
  let url: string;
  try {
    await loadArtifact(model, process.env[WORKER_MODEL_PATH_ENV] || modelPath);
    server = createServer(model, { ...serverOptions, logger: log });
    ({ url } = await server.listen());
  } catch (error) {
    await tellPrimary(failedMessage(error));
    throw error;
  }

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= server.close().finally(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('message', onMessage);
      markClosed();
      if (cluster.worker?.isConnected()) cluster.worker.disconnect();
    }));
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    log.info(`received ${signal}: closing after the requests in flight`);
    void close();
  };
  const onMessage = (message: WorkerMessage) => {
    if (message?.unionml === 'shutdown' && !closing) {
      log.info('closing after the requests in flight');
      void close();
    } else if (message?.unionml === 'force') {
      void server.closeNow();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('message', onMessage);
  await tellPrimary({ unionml: 'listening', url });
  return { url, close, closed };
}
