// The model of an AWS Lambda handler, loaded once per container: lazily, on the first event (so that a module import
// stays cheap and a missing file is a clear error rather than a crashed init), shared by the events that arrive while
// it loads, and tried again on the next event when it failed.
import { fileURLToPath } from 'node:url';
import type { AnyModel, Logger } from '@unionml/core';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { ServerError } from '../errors.js';

/** Where a Lambda handler finds its model file. */
export interface ModelFileOptions {
  /**
   * The model file to load. It wins over `UNIONML_MODEL_PATH` and `defaultModelPath`. A relative path is relative to
   * the current folder, which is the function's folder in Lambda (`LAMBDA_TASK_ROOT`, `/var/task`).
   */
  modelPath?: string | URL;
  /**
   * The model file to load when neither `modelPath` nor `UNIONML_MODEL_PATH` names one: typically the file bundled with
   * the handler, `new URL('./model.json', import.meta.url)`.
   */
  defaultModelPath?: string | URL;
  /** Where `UNIONML_MODEL_PATH` (and, for S3, the `AWS_*` variables) are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Makes the function that ensures `model` has an artifact: it returns undefined at once when one is set (a model
 * trained in the process, or loaded by an earlier event), and otherwise the promise of loading the model file, which
 * the calls made meanwhile share. A failed load rejects with `LAMBDA_MODEL_NOT_LOADED` (which says why, with the
 * model file's own error code) and is forgotten, so that the next event tries again: a file that appears, or a
 * transient read error, does not leave the container broken for its lifetime. Each failure is logged once.
 */
export function modelLoader(model: AnyModel, options: ModelFileOptions, logger: Logger): () => Promise<void> | undefined {
  let loading: Promise<void> | undefined;
  const load = async (): Promise<void> => {
    const env = options.env ?? process.env;
    const chosen = options.modelPath ?? (env['UNIONML_MODEL_PATH'] || undefined) ?? options.defaultModelPath;
    if (chosen === undefined || chosen === '') {
      throw new ServerError(
        'LAMBDA_MODEL_NOT_LOADED',
        `model '${model.name}' has no model file to load: no modelPath option, no UNIONML_MODEL_PATH environment variable and no defaultModelPath`,
        { hint: 'copy the trained model.json into the image and set UNIONML_MODEL_PATH=model.json (the Dockerfile of the template does both)' },
      );
    }
    const path = chosen instanceof URL || chosen.startsWith('file:') ? fileURLToPath(chosen) : chosen;
    const started = performance.now();
    try {
      await model.load(path);
    } catch (error) {
      const code = isUnionMLError(error) ? `${error.code}: ` : '';
      throw new ServerError('LAMBDA_MODEL_NOT_LOADED', `cannot load the model file of model '${model.name}' (${code}${errorMessage(error)})`, {
        hint: isUnionMLError(error) && error.hint ? error.hint : 'check the model file named by UNIONML_MODEL_PATH',
        cause: error,
      });
    }
    logger.info(`loaded model '${model.name}' from ${path} in ${Math.round(performance.now() - started)} ms`);
  };
  return () => {
    if (model.artifact) return undefined;
    return (loading ??= load().then(
      () => {
        loading = undefined;
      },
      (error: unknown) => {
        loading = undefined;
        logger.error(isUnionMLError(error) ? error.describe() : errorMessage(error));
        throw error;
      },
    ));
  };
}
