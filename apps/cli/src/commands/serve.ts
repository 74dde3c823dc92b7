/**
 * `unionml serve APP:MODEL --model-path MODEL_FILE [--host 127.0.0.1] [--port 8000]`: serves a saved model over HTTP
 * with @unionml/server until SIGTERM or SIGINT.
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { option } from './shared.js';

export async function serve({ positionals, values, cwd }: CommandContext): Promise<number> {
  const address = positionals[0]!;
  const port = parsePort(option(values, 'port') ?? '8000');
  const host = option(values, 'host') ?? '127.0.0.1';
  if (host.trim() === '')
    throw new UsageError('--host needs a host name or address', 'serve', { hint: 'use 127.0.0.1 (this machine) or 0.0.0.0 (every interface)' });
  const modelPath = option(values, 'model-path');

  const [{ loadModel }, { serveModel }] = await Promise.all([import('@unionml/core'), import('@unionml/server')]);
  const model = await loadModel(address, { cwd });
  // serveModel loads the model file, listens, logs its URL, and closes gracefully on SIGTERM/SIGINT.
  const server = await serveModel(model, { host, port, ...(modelPath ? { modelPath: resolve(cwd, modelPath) } : {}), handleSignals: true });
  await server.closed;
  return 0;
}

/** A TCP port from the command line. */
export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer from 0 to 65535, got '${text}'`, 'serve', { hint: 'use 0 to pick a free port' });
  return port;
}
