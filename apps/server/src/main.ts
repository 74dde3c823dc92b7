/**
 * `unionml-server`: serves one `APP:MODEL` over HTTP, configured by environment variables, for a container's `CMD` or
 * a process manager. It is `serveModel` of @unionml/server and nothing else; `unionml serve` is the same with options.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `UNIONML_APP` | the app and its Model, e.g. `app:model` | `app:model` |
 * | `UNIONML_MODEL_PATH` | the model file | (required) |
 * | `HOST` | the address to listen on | `0.0.0.0` (a container's every interface) |
 * | `PORT` | the port | `8000` |
 * | `UNIONML_WORKERS` | processes serving on the port (node:cluster), or `auto` (one per CPU) | `1` |
 * | `UNIONML_SHUTDOWN_GRACE` | seconds the requests already received may take after SIGTERM before their connections are closed | `10` |
 * | `UNIONML_ALLOW_READER_INPUTS` | `1` (or `true`) to take `{"inputs": {reader arguments}}` in `POST /predict` | off |
 * | `UNIONML_HEADERS_TIMEOUT`, `UNIONML_REQUEST_TIMEOUT` | seconds a client has to send a request's headers, and all of it (then 408) | `10`, `30` |
 * | `UNIONML_KEEP_ALIVE_TIMEOUT` | seconds an idle keep-alive connection stays open | `5` |
 * | `UNIONML_MAX_CONNECTIONS` | connections open at once, per worker; more are closed as soon as they are accepted | `1024` |
 *
 * Exit status: 0 after a graceful shutdown (SIGTERM/SIGINT), else the exit code of the error's kind (1), with the
 * error's message and hint on stderr and no stack trace.
 * @module
 */
import { loadModel, stderrLogger, type Logger } from '@unionml/core';
import { errorMessage, exitCodeOf, isUnionMLError } from '@unionml/errors';
import { ServerError, serveModel, type ServeOptions } from '@unionml/server';

/** Runs the server with the configuration in `env`; resolves to the exit status once it has closed. */
export async function run(env: NodeJS.ProcessEnv, options: { cwd?: string; logger?: Logger } = {}): Promise<number> {
  const logger = options.logger ?? stderrLogger;
  try {
    const port = Number(env['PORT'] ?? '8000');
    if (!/^\d+$/.test(env['PORT'] ?? '8000'))
      throw new ServerError('SERVER_OPTIONS_INVALID', `PORT must be an integer from 0 to 65535, got '${env['PORT']}'`, { hint: 'e.g. PORT=8000' });
    const settings = serveSettings(env);
    const model = await loadModel(env['UNIONML_APP'] || 'app:model', { cwd: options.cwd ?? process.cwd() });
    const serving = await serveModel(model, {
      host: env['HOST'] || '0.0.0.0',
      port,
      logger,
      ...settings,
      ...(env['UNIONML_MODEL_PATH'] ? { modelPath: env['UNIONML_MODEL_PATH'] } : {}),
    });
    await serving.closed;
    if (serving.failure) throw serving.failure;
    return 0;
  } catch (error) {
    logger.error(isUnionMLError(error) ? error.describe() : errorMessage(error));
    return exitCodeOf(error);
  }
}

/** The server settings of the `UNIONML_*` variables (see the table above); bad values are `SERVER_OPTIONS_INVALID`. */
export function serveSettings(env: NodeJS.ProcessEnv): Partial<ServeOptions> {
  const settings: Partial<ServeOptions> = {};
  const workers = env['UNIONML_WORKERS'];
  if (workers) {
    if (workers !== 'auto' && !/^[1-9]\d{0,3}$/.test(workers)) {
      throw new ServerError('SERVER_OPTIONS_INVALID', `UNIONML_WORKERS must be a positive integer or auto, got '${workers}'`, {
        hint: 'e.g. UNIONML_WORKERS=2, or UNIONML_WORKERS=auto for one per CPU',
      });
    }
    settings.workers = workers === 'auto' ? 'auto' : Number(workers);
  }
  const readerInputs = env['UNIONML_ALLOW_READER_INPUTS'];
  if (readerInputs) {
    if (!/^(1|0|true|false)$/i.test(readerInputs)) {
      throw new ServerError('SERVER_OPTIONS_INVALID', `UNIONML_ALLOW_READER_INPUTS must be 1 or 0, got '${readerInputs}'`, {
        hint: 'UNIONML_ALLOW_READER_INPUTS=1 takes {"inputs": {...}} in POST /predict',
      });
    }
    settings.allowReaderInputs = /^(1|true)$/i.test(readerInputs);
  }
  const seconds = (name: string): number | undefined => {
    const text = env[name];
    if (!text) return undefined;
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > 86_400) {
      throw new ServerError('SERVER_OPTIONS_INVALID', `${name} must be a number of seconds from 0 to 86400, got '${text}'`, { hint: `e.g. ${name}=10` });
    }
    return Math.round(Number(text) * 1000);
  };
  const grace = seconds('UNIONML_SHUTDOWN_GRACE');
  if (grace !== undefined) settings.shutdownGraceMs = grace;
  const headers = seconds('UNIONML_HEADERS_TIMEOUT');
  const request = seconds('UNIONML_REQUEST_TIMEOUT');
  const keepAlive = seconds('UNIONML_KEEP_ALIVE_TIMEOUT');
  if (request !== undefined) settings.requestTimeoutMs = request;
  // The headers are part of the request: a shorter request timeout alone shortens the headers' timeout too.
  if (headers !== undefined) settings.headersTimeoutMs = headers;
  else if (request !== undefined && request > 0 && request < 10_000) settings.headersTimeoutMs = request;
  if (keepAlive !== undefined) settings.keepAliveTimeoutMs = keepAlive;
  const connections = env['UNIONML_MAX_CONNECTIONS'];
  if (connections) {
    if (!/^[1-9]\d{0,6}$/.test(connections)) {
      throw new ServerError('SERVER_OPTIONS_INVALID', `UNIONML_MAX_CONNECTIONS must be a positive integer, got '${connections}'`, {
        hint: 'e.g. UNIONML_MAX_CONNECTIONS=1024',
      });
    }
    settings.maxConnections = Number(connections);
  }
  return settings;
}
