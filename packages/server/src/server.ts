import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyModel } from '@unionml/core';
import { errorMessage } from '@unionml/errors';
import { declaresTooLarge } from './body.js';
import { ServerError } from './errors.js';
import { requestListener, type ListenerState } from './handler.js';
import { assertModel, resolveOptions, type ServerOptions } from './options.js';

/** Where a server listens, as `listen()` reports it. */
export interface ListenAddress {
  /** E.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The host it was asked to listen on. */
  host: string;
  /** The port it listens on (the chosen one when the option was 0). */
  port: number;
}

/** A prediction server made by {@link createServer}. */
export interface PredictionServer {
  /** The underlying `node:http` server. */
  readonly server: Server;
  /**
   * Starts listening; rejects with `SERVER_PORT_IN_USE` or `SERVER_LISTEN_FAILED` (also once closed). Calling it
   * again while open returns the same result.
   */
  listen(): Promise<ListenAddress>;
  /**
   * Closes gracefully: stops accepting connections, closes idle keep-alive connections, lets in-flight requests
   * finish (their responses say `Connection: close`), and resolves once every connection is closed. Connections
   * still open after {@link CLOSE_GRACE_MS} are closed by force. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** How long `close()` waits for in-flight requests before closing their connections by force: 10 s. */
export const CLOSE_GRACE_MS = 10_000;

/**
 * An HTTP server for `model` (see {@link createRequestListener} for the routes). It does not listen until
 * `listen()`; keep-alive is on, and `Expect: 100-continue` requests over the body limit get 413 without `100`.
 *
 * @example
 * ```ts
 * const server = createServer(model, { port: 0 });
 * const { url } = await server.listen();
 * // ... later
 * await server.close();
 * ```
 */
export function createServer(model: AnyModel, options: ServerOptions = {}): PredictionServer {
  assertModel(model, 'createServer');
  const { host, port, maxBodyBytes, logger } = resolveOptions(options);
  const state: ListenerState = { closing: false };
  const listener = requestListener(model, { maxBodyBytes, logger }, state);
  const server = createHttpServer(listener);
  server.on('checkContinue', (req, res) => {
    if (!declaresTooLarge(req, maxBodyBytes)) res.writeContinue();
    listener(req, res);
  });

  let listening: Promise<ListenAddress> | undefined;
  let closing: Promise<void> | undefined;

  const listen = (): Promise<ListenAddress> => {
    if (closing)
      return Promise.reject(
        new ServerError('SERVER_LISTEN_FAILED', 'cannot listen: the server is closed', { hint: 'create a new server with createServer(...)' }),
      );
    return (listening ??= new Promise<ListenAddress>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        listening = undefined;
        reject(listenError(error, host, port));
      };
      const onListening = () => {
        server.off('error', onError);
        const actual = (server.address() as AddressInfo).port;
        resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`, host, port: actual });
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    }));
  };

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      state.closing = true;
      if (listening) await listening.catch(() => undefined);
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    })());

  return { server, listen, close };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ServerError {
  if (error.code === 'EADDRINUSE') {
    return new ServerError('SERVER_PORT_IN_USE', `cannot listen on ${host}:${port}: the port is in use`, {
      hint: 'pass another port (--port), or stop the process that uses it',
      cause: error,
    });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new ServerError('SERVER_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${host} is not an address of this machine`, {
      hint: "use '127.0.0.1' or '0.0.0.0'",
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ServerError('SERVER_LISTEN_FAILED', `cannot listen on ${host}:${port}: permission denied`, { hint: 'use a port above 1023', cause: error });
  }
  return new ServerError('SERVER_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${errorMessage(error)}`, { cause: error });
}
