/**
 * `unionml serve APP:MODEL --model-path MODEL_FILE [--host 127.0.0.1] [--port 8000]`: serves a saved model over HTTP
 * with @unionml/server until SIGTERM or SIGINT. With `--remote`, the model file of a model version is fetched from
 * the Flyte cluster first (into a temporary folder, removed when the server stops). With `--workers N`, this process
 * is the primary of N worker processes, each of which runs this same command: a worker loads the model file the
 * primary names (it does not fetch it again).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnyModel } from '@unionml/core';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { CLUSTER_OPTIONS, connect, refuseOptions, withSession } from './remote.js';
import { option } from './shared.js';

export async function serve(context: CommandContext): Promise<number> {
  const { positionals, values, cwd, out } = context;
  const address = positionals[0]!;
  const port = parsePort(option(values, 'port') ?? '8000');
  const host = option(values, 'host') ?? '127.0.0.1';
  if (host.trim() === '')
    throw new UsageError('--host needs a host name or address', 'serve', { hint: 'use 127.0.0.1 (this machine) or 0.0.0.0 (every interface)' });
  const modelPath = option(values, 'model-path');
  const remote = values['remote'] === true;
  if (remote && modelPath !== undefined) {
    throw new UsageError('give --model-path (a model file here) or --remote (a model version on the cluster), not both', 'serve');
  }
  if (!remote) refuseOptions(values, ['app-version', 'model-version', ...CLUSTER_OPTIONS], 'serve', 'for --remote only');
  const serverOptions = serveOptions(values);
  const { isServeWorker, serveModel } = await import('@unionml/server');

  let fetched: { file: string; dir: string } | undefined;
  let model: AnyModel;
  if (remote && !isServeWorker()) {
    const modelVersion = option(values, 'model-version') ?? 'latest';
    const session = await connect(context, 'serve --remote');
    model = session.model;
    const dir = await mkdtemp(join(tmpdir(), 'unionml-serve-remote-'));
    fetched = { dir, file: join(dir, 'model.json') };
    try {
      const artifact = await withSession(session, () =>
        session.app.fetchModel(modelVersion, { appVersion: option(values, 'app-version'), output: fetched!.file }),
      );
      out.info(`fetched model version ${artifact.modelVersion} of model '${model.name}' from ${session.cluster.project}/${session.cluster.domain}`);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    out.restore();
  } else {
    const { loadModel } = await import('@unionml/core');
    model = await loadModel(address, { cwd });
  }
  try {
    const file = fetched?.file ?? (modelPath ? resolve(cwd, modelPath) : undefined);
    // serveModel loads the model file, listens, logs its URL, and closes gracefully on SIGTERM/SIGINT (with --workers,
    // it forks the workers, which run this command again, and stops them on SIGTERM/SIGINT).
    const server = await serveModel(model, { host, port, ...serverOptions, ...(file ? { modelPath: file } : {}), handleSignals: true });
    await server.closed;
    if (server.failure) throw server.failure;
  } finally {
    if (fetched) await rm(fetched.dir, { recursive: true, force: true });
  }
  return 0;
}

/** The server options of `serve`'s command line: workers, shutdown grace, timeouts, connection cap, reader inputs. */
export function serveOptions(values: CommandContext['values']): {
  workers: number | 'auto';
  shutdownGraceMs?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  allowReaderInputs: boolean;
} {
  const workersText = option(values, 'workers') ?? '1';
  if (workersText !== 'auto' && !/^[1-9]\d{0,3}$/.test(workersText)) {
    throw new UsageError(`--workers must be a positive integer or auto, got '${workersText}'`, 'serve', {
      hint: 'e.g. --workers 2, or --workers auto for one per CPU',
    });
  }
  const out: ReturnType<typeof serveOptions> = {
    workers: workersText === 'auto' ? 'auto' : Number(workersText),
    allowReaderInputs: values['allow-reader-inputs'] === true,
  };
  const seconds = (name: string, key: 'shutdownGraceMs' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs') => {
    const text = option(values, name);
    if (text === undefined) return;
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > 86_400) {
      throw new UsageError(`--${name} must be a number of seconds from 0 to 86400, got '${text}'`, 'serve', { hint: `e.g. --${name} 10, or 0.5` });
    }
    out[key] = Math.round(Number(text) * 1000);
  };
  seconds('shutdown-grace', 'shutdownGraceMs');
  seconds('headers-timeout', 'headersTimeoutMs');
  seconds('request-timeout', 'requestTimeoutMs');
  seconds('keep-alive-timeout', 'keepAliveTimeoutMs');
  // The headers are part of the request: a shorter --request-timeout alone shortens the headers' timeout too.
  if (out.requestTimeoutMs !== undefined && out.headersTimeoutMs === undefined && out.requestTimeoutMs > 0 && out.requestTimeoutMs < 10_000) {
    out.headersTimeoutMs = out.requestTimeoutMs;
  }
  const connections = option(values, 'max-connections');
  if (connections !== undefined) {
    if (!/^[1-9]\d{0,6}$/.test(connections)) {
      throw new UsageError(`--max-connections must be a positive integer, got '${connections}'`, 'serve', { hint: 'e.g. --max-connections 1024' });
    }
    out.maxConnections = Number(connections);
  }
  return out;
}

/** A TCP port from the command line. */
export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer from 0 to 65535, got '${text}'`, 'serve', { hint: 'use 0 to pick a free port' });
  return port;
}
