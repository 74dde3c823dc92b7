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
 *
 * Exit status: 0 after a graceful shutdown (SIGTERM/SIGINT), else the exit code of the error's kind (1), with the
 * error's message and hint on stderr and no stack trace.
 * @module
 */
import { loadModel, stderrLogger, type Logger } from '@unionml/core';
import { errorMessage, exitCodeOf, isUnionMLError } from '@unionml/errors';
import { ServerError, serveModel } from '@unionml/server';

/** Runs the server with the configuration in `env`; resolves to the exit status once it has closed. */
export async function run(env: NodeJS.ProcessEnv, options: { cwd?: string; logger?: Logger } = {}): Promise<number> {
  const logger = options.logger ?? stderrLogger;
  try {
    const port = Number(env['PORT'] ?? '8000');
    if (!/^\d+$/.test(env['PORT'] ?? '8000'))
      throw new ServerError('SERVER_OPTIONS_INVALID', `PORT must be an integer from 0 to 65535, got '${env['PORT']}'`, { hint: 'e.g. PORT=8000' });
    const model = await loadModel(env['UNIONML_APP'] || 'app:model', { cwd: options.cwd ?? process.cwd() });
    const serving = await serveModel(model, {
      host: env['HOST'] || '0.0.0.0',
      port,
      logger,
      ...(env['UNIONML_MODEL_PATH'] ? { modelPath: env['UNIONML_MODEL_PATH'] } : {}),
    });
    await serving.closed;
    return 0;
  } catch (error) {
    logger.error(isUnionMLError(error) ? error.describe() : errorMessage(error));
    return exitCodeOf(error);
  }
}
