import { Model, stderrLogger, type AnyModel, type Logger } from '@unionml/core';
import { kind } from '@unionml/data';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_DEPTH } from './body.js';
import { ServerError } from './errors.js';

/** How long `close()` lets the requests it has finish before it closes their connections by force: 10 s. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** How long a client has to send a request's headers: 10 s (Node's default is 60 s). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** How long a client has to send a whole request, headers and body: 30 s (Node's default is 300 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long an idle keep-alive connection stays open: 5 s (Node's default). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** The most connections a server holds open at once: 1024. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** How many predictions from reader arguments a server keeps: 16. */
export const DEFAULT_READER_CACHE_SIZE = 16;

/** Options of {@link createServer} and {@link createRequestListener}. */
export interface ServerOptions {
  /** The interface to listen on. Default `'127.0.0.1'`; `'0.0.0.0'` for every IPv4 interface (e.g. in a container). */
  host?: string;
  /** The port. Default 8000; 0 picks a free one (see the result of `listen()`). */
  port?: number;
  /** The largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * The deepest nesting of arrays and objects accepted in a request body; deeper bodies get 400
   * `REQUEST_BODY_TOO_DEEP` before they are parsed. `{"features": [{"column": value}]}` is 3 deep (4 when the cells
   * hold arrays). Default 64.
   */
  maxBodyDepth?: number;
  /**
   * Whether `POST /predict` takes `{"inputs": {reader arguments}}`: predictions from data the dataset's reader reads on
   * the server (files, databases, URLs). Default false: such requests get 400 `READER_INPUTS_DISABLED`, since they
   * make the server read data a client chooses. When allowed, the arguments are checked against the dataset's
   * `readerArgs` (unknown ones are refused) and the predictions are cached (see `readerCacheSize`).
   */
  allowReaderInputs?: boolean;
  /**
   * How many predictions from reader arguments are kept, by the arguments (their canonical JSON, after the schema's
   * defaults), least recently used first out; 0 keeps none. Default 16. The reader is assumed to give the same data for
   * the same arguments while the server runs; the cache is emptied when the model's artifact changes.
   */
  readerCacheSize?: number;
  /**
   * How long `close()` (and SIGTERM/SIGINT in `serveModel`) lets the requests already received finish, in ms, before
   * it closes their connections by force. Default 10 000 (10 s).
   */
  shutdownGraceMs?: number;
  /**
   * How long a client has to send a request's headers, in ms, from the first byte (or from the connection, for its first
   * request); then it gets 408 `REQUEST_TIMEOUT` and the connection is closed. Default 10 000; 0 disables it. Checked
   * about once a second, so a timeout can fire up to a second late.
   */
  headersTimeoutMs?: number;
  /**
   * How long a client has to send a whole request (headers and body), in ms; then 408 `REQUEST_TIMEOUT`. It does not
   * bound the prediction. Default 30 000; 0 disables it. Must not be less than `headersTimeoutMs`.
   */
  requestTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open after a response, in ms. Default 5 000 (Node's). Keep it below the
   * idle timeout of a load balancer in front (AWS ALB: 60 s), so that the server, not the balancer, closes idle
   * connections.
   */
  keepAliveTimeoutMs?: number;
  /**
   * The most connections held open at once. Over it, Node closes each new connection as soon as it is accepted, without
   * a response (the client sees the connection closed or reset), and the server logs a warning at most every 10 s.
   * Per process: with `workers`, each worker has its own. Default 1024.
   */
  maxConnections?: number;
  /** Where the server logs (start, shutdown, failures of the app). Default `stderrLogger` of @unionml/core. */
  logger?: Logger;
}

/** {@link ServerOptions} with their defaults applied. */
export type ResolvedServerOptions = Required<ServerOptions>;

/** Checks the options (coded `SERVER_OPTIONS_INVALID` errors) and applies the defaults. */
export function resolveOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const {
    host = '127.0.0.1',
    port = 8000,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    maxBodyDepth = DEFAULT_MAX_BODY_DEPTH,
    allowReaderInputs = false,
    readerCacheSize = DEFAULT_READER_CACHE_SIZE,
    shutdownGraceMs = DEFAULT_SHUTDOWN_GRACE_MS,
    headersTimeoutMs = DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs = DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections = DEFAULT_MAX_CONNECTIONS,
    logger = stderrLogger,
  } = options;
  if (typeof host !== 'string' || host.trim() === '') {
    throw new ServerError('SERVER_OPTIONS_INVALID', `the host must be a host name or address, got ${JSON.stringify(host)}`, {
      hint: "use '127.0.0.1' (this machine) or '0.0.0.0' (every interface)",
    });
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `the port must be an integer from 0 to 65535, got ${String(port)}`, { hint: 'use 0 to pick a free port' });
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `maxBodyBytes must be a positive integer, got ${String(maxBodyBytes)}`);
  }
  if (!Number.isInteger(maxBodyDepth) || maxBodyDepth <= 0) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `maxBodyDepth must be a positive integer, got ${String(maxBodyDepth)}`, {
      hint: `the default is ${DEFAULT_MAX_BODY_DEPTH}; {"features": [{"column": value}]} needs 3`,
    });
  }
  if (typeof allowReaderInputs !== 'boolean') {
    throw new ServerError('SERVER_OPTIONS_INVALID', `allowReaderInputs must be true or false, got ${kind(allowReaderInputs)}`);
  }
  for (const [name, value] of [
    ['readerCacheSize', readerCacheSize],
    ['shutdownGraceMs', shutdownGraceMs],
    ['headersTimeoutMs', headersTimeoutMs],
    ['requestTimeoutMs', requestTimeoutMs],
    ['keepAliveTimeoutMs', keepAliveTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new ServerError('SERVER_OPTIONS_INVALID', `${name} must be a non-negative integer, got ${String(value)}`, {
        hint: name === 'readerCacheSize' ? '0 disables the cache' : 'times are in milliseconds',
      });
    }
  }
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new ServerError(
      'SERVER_OPTIONS_INVALID',
      `headersTimeoutMs (${headersTimeoutMs}) must not be more than requestTimeoutMs (${requestTimeoutMs}): the headers are part of the request`,
      { hint: `e.g. headersTimeoutMs ${DEFAULT_HEADERS_TIMEOUT_MS} and requestTimeoutMs ${DEFAULT_REQUEST_TIMEOUT_MS}` },
    );
  }
  if (!Number.isInteger(maxConnections) || maxConnections <= 0) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `maxConnections must be a positive integer, got ${String(maxConnections)}`, {
      hint: `the default is ${DEFAULT_MAX_CONNECTIONS}`,
    });
  }
  return {
    host,
    port,
    maxBodyBytes,
    maxBodyDepth,
    allowReaderInputs,
    readerCacheSize,
    shutdownGraceMs,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxConnections,
    logger,
  };
}

/** Checks that `model` is a UnionML Model. */
export function assertModel(model: unknown, caller: string): asserts model is AnyModel {
  if (!Model.isModel(model)) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `${caller}(model) expects a UnionML Model, got ${kind(model)}`, {
      hint: "pass the app's exported Model, e.g. await loadModel('app:model')",
    });
  }
}
