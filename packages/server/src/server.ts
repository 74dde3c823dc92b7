import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyModel } from '@unionml/core';
import { errorMessage } from '@unionml/errors';
import { declaresTooLarge } from './body.js';
import { ServerError } from './errors.js';
import { requestListener, type ListenerState } from './handler.js';
import { assertModel, DEFAULT_SHUTDOWN_GRACE_MS, resolveOptions, type ServerOptions } from './options.js';
import { configureProtocol } from './protocol.js';
import { trackConnections } from './shutdown.js';

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
   * Closes gracefully: stops accepting connections, answers every request already received (in flight, pipelined
   * behind one, or arriving on an open keep-alive connection while it drains; the last response on each connection
   * says `Connection: close`), closes idle keep-alive connections, and resolves once every connection is closed.
   * Connections still open after `shutdownGraceMs` (default 10 s) are closed by force. `GET /ready` answers 503 from
   * the start. Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /** Closes every connection now, without waiting for their requests (e.g. on a second SIGTERM); returns `close()`. */
  closeNow(): Promise<void>;
}

/** How long `close()` waits for in-flight requests by default before closing their connections by force: 10 s. */
export const CLOSE_GRACE_MS = DEFAULT_SHUTDOWN_GRACE_MS;

/**
 * An HTTP server for `model` (see {@link createRequestListener} for the routes). It does not listen until
 * `listen()`; keep-alive is on, and `Expect: 100-continue` requests over the body limit get 413 without `100`.
 *
 * Below the routes (see `ServerOptions` for the values): a request's headers must arrive within `headersTimeoutMs`
 * (10 s) and the whole request within `requestTimeoutMs` (30 s), else 408; idle keep-alive connections close after
 * `keepAliveTimeoutMs` (5 s); at most `maxConnections` (1024) connections are open at once, and Node closes the ones
 * over it as soon as they are accepted. Requests Node's parser refuses get 400 (malformed), 431 (headers over Node's
 * 16 KiB) or 408, CONNECT 405, protocol upgrades 400, unmet `Expect` headers 417: all with the JSON error body and
 * `Connection: close`.
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
  const resolved = resolveOptions(options);
  const { host, port, maxBodyBytes, shutdownGraceMs } = resolved;
  const state: ListenerState = { closing: false };
  const listener = requestListener(model, resolved, state);
  const server = createHttpServer(listener);
  server.on('checkContinue', (req, res) => {
    if (!declaresTooLarge(req, maxBodyBytes)) res.writeContinue();
    listener(req, res);
  });
  configureProtocol(server, resolved);
  const connections = trackConnections(server);

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
      await connections.drain(shutdownGraceMs);
    })());

  const closeNow = (): Promise<void> => {
    const done = close();
    state.closing = true;
    connections.destroyAll();
    return done;
  };

  return { server, listen, close, closeNow };
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
