import type { AnyModel } from '@unionml/core';
import { assertModel, resolveOptions, type ServerOptions } from './options.js';
import { createServer } from './server.js';

/** Options of {@link serveModel}. */
export interface ServeOptions extends ServerOptions {
  /** The model file to load; default `process.env.UNIONML_MODEL_PATH`. Ignored when `model.artifact` is already set. */
  modelPath?: string;
  /** Close gracefully on SIGTERM and SIGINT (a second signal closes every connection at once). Default true. */
  handleSignals?: boolean;
}

/** A model being served by {@link serveModel}. */
export interface ServingModel {
  /** E.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Closes the server gracefully (see {@link PredictionServer.close}); resolves `closed`. */
  close(): Promise<void>;
  /** Resolves once the server is closed, by `close()` or by a signal. Never rejects. */
  closed: Promise<void>;
}

/**
 * Serves a model: loads its artifact (unless one is set), listens, logs
 * `[unionml] serving model '<name>' at <url>` to stderr, and on SIGTERM/SIGINT closes gracefully.
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
  const { modelPath, handleSignals = true, ...serverOptions } = options;
  const { logger } = resolveOptions(serverOptions); // bad options fail before the model is loaded
  if (!model.artifact) {
    // No path and no UNIONML_MODEL_PATH: core's MODEL_PATH_NOT_SET error says how to give one.
    if (modelPath) await model.load(modelPath);
    else await model.loadFromEnv();
  }
  const server = createServer(model, serverOptions);
  const { url } = await server.listen();

  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      logger.info(`received ${signal}: closing the server after the requests in flight`);
      void close();
    } else {
      logger.warn(`received ${signal} again: closing every connection now`);
      server.server.closeAllConnections();
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
