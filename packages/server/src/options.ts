import { Model, stderrLogger, type AnyModel, type Logger } from '@unionml/core';
import { kind } from '@unionml/data';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { ServerError } from './errors.js';

/** Options of {@link createServer} and {@link createRequestListener}. */
export interface ServerOptions {
  /** The interface to listen on. Default `'127.0.0.1'`; `'0.0.0.0'` for every IPv4 interface (e.g. in a container). */
  host?: string;
  /** The port. Default 8000; 0 picks a free one (see the result of `listen()`). */
  port?: number;
  /** The largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Where the server logs (start, shutdown, failures of the app). Default `stderrLogger` of @unionml/core. */
  logger?: Logger;
}

/** {@link ServerOptions} with their defaults applied. */
export type ResolvedServerOptions = Required<ServerOptions>;

/** Checks the options (coded `SERVER_OPTIONS_INVALID` errors) and applies the defaults. */
export function resolveOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const { host = '127.0.0.1', port = 8000, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, logger = stderrLogger } = options;
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
  return { host, port, maxBodyBytes, logger };
}

/** Checks that `model` is a UnionML Model. */
export function assertModel(model: unknown, caller: string): asserts model is AnyModel {
  if (!Model.isModel(model)) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `${caller}(model) expects a UnionML Model, got ${kind(model)}`, {
      hint: "pass the app's exported Model, e.g. await loadModel('app:model')",
    });
  }
}
