/**
 * `unionml train APP:MODEL [-i JSON] [-v APP_VERSION] [--wait [-o MODEL_FILE]]` and
 * `unionml predict APP:MODEL (-f FILE | -i JSON) [-v APP_VERSION] [-m MODEL_VERSION] [--wait]` without `--local`: an
 * execution on the Flyte cluster. As Python UnionML's CLI, they start it and return (its name and console link)
 * unless `--wait`; then they print the artifact or the predictions.
 */
import { resolve } from 'node:path';
import type { Metrics } from '@unionml/core';
import type { RemoteArtifact } from '@unionml/remote';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { copyFileAtomic } from '@unionml/core/files';
import { checkInputKeys, readFeatures, readInputs, trainOptions } from '../inputs.js';
import { connect, INTERRUPTED_STATUS, refuseOptions, reportStarted, waitFor, withSession } from './remote.js';
import { checkOutput, checkWritable, formatMetrics, option, roundSeconds, writeReport } from './shared.js';

/** The options of train and predict that only run on this machine. */
const LOCAL_ONLY = ['compiled', 'image', 'network', 'model-path', 'keep'] as const;

/** What `unionml train --wait --json` prints. */
export interface RemoteTrainReport {
  model: string;
  /** The model version: the training execution's name. */
  modelVersion: string;
  appVersion: string;
  project: string;
  domain: string;
  url: string;
  hyperparameters: unknown;
  metrics: Metrics;
  /** How long the execution ran, as Flyte reports it. */
  durationSeconds: number;
  /** Wall seconds of the command, from the start of the execution to its artifact. */
  seconds: number;
  /** With -o: where the model file was saved. */
  modelPath?: string;
}

/** What `unionml predict --wait --json` prints. */
export interface RemotePredictReport {
  predictions: unknown;
  /** The prediction id: the prediction execution's name. */
  predictionId: string;
  appVersion: string;
  url: string;
  durationSeconds: number;
  seconds: number;
}

export async function trainRemote(context: CommandContext): Promise<number> {
  const { values, cwd, out } = context;
  refuseOptions(values, LOCAL_ONLY, 'train', 'for --local runs only');
  const wait = values['wait'] === true;
  const outputArg = option(values, 'output');
  if (outputArg !== undefined && !wait) {
    throw new UsageError('-o saves the trained model file: it needs --wait (or fetch the model later: unionml fetch-model APP:MODEL -o FILE)', 'train');
  }
  const reportArg = option(values, 'report');
  if (reportArg !== undefined && !wait) {
    throw new UsageError("--report writes the trained model's report: it needs --wait (or fetch the model later and train --local)", 'train');
  }
  const inputsText = option(values, 'inputs');
  const inputs = inputsText === undefined ? {} : trainOptions(await readInputs(inputsText, cwd));
  const target = outputArg === undefined ? undefined : resolve(cwd, outputArg);
  if (target) {
    const { ModelFileError } = await import('@unionml/core');
    await checkOutput(target, ModelFileError);
  }
  const reportTarget = reportArg === undefined ? undefined : resolve(cwd, reportArg);
  if (reportTarget) await checkWritable(reportTarget, 'the report ');
  const session = await connect(context, 'train');
  const { model, app } = session;
  return withSession(session, async () => {
    checkInputKeys(inputs, model.dataset.readerArgNames, 'train');
    const started = performance.now();
    const execution = await app.train(inputs, { wait: false, appVersion: option(values, 'app-version') });
    if (!wait) {
      reportStarted(out, session, execution);
      return 0;
    }
    const waited = await waitFor(app, execution, { urlShown: session.logged.some((m) => m.includes(execution.url)) });
    if (waited.interrupted) {
      reportStarted(out, session, execution, waited);
      return INTERRUPTED_STATUS;
    }
    const artifact: RemoteArtifact = await app.load(execution);
    // The model file the training task wrote, byte for byte.
    if (target) await copyFileAtomic(artifact.modelFile, target);
    const modelPath = target;
    const seconds = (performance.now() - started) / 1000;
    out.restore();
    const report: RemoteTrainReport = {
      model: model.name,
      modelVersion: artifact.modelVersion,
      appVersion: waited.status.launchPlan.version,
      project: execution.project,
      domain: execution.domain,
      url: waited.status.url,
      hyperparameters: artifact.hyperparameters,
      metrics: artifact.metrics,
      durationSeconds: roundSeconds(waited.status.durationSeconds),
      seconds: roundSeconds(seconds),
      ...(modelPath ? { modelPath } : {}),
    };
    out.say(`trained model '${model.name}' on Flyte in ${waited.status.durationSeconds.toFixed(1)} s: model version ${artifact.modelVersion}`);
    out.say(`metrics: ${formatMetrics(artifact.metrics)}`);
    out.say(`hyperparameters: ${JSON.stringify(artifact.hyperparameters)}`);
    if (modelPath) out.say(`saved model to ${modelPath}`);
    if (reportTarget) await writeReport(model, reportTarget, out);
    if (out.json) out.resultJson(report);
    return 0;
  });
}

export async function predictRemote(context: CommandContext): Promise<number> {
  const { values, cwd, out } = context;
  refuseOptions(values, LOCAL_ONLY, 'predict', 'for --local runs only');
  const featuresFile = option(values, 'features');
  const inputsText = option(values, 'inputs');
  if ((featuresFile === undefined) === (inputsText === undefined)) {
    throw new UsageError(
      featuresFile === undefined ? 'missing the features: give -f FEATURES_FILE or -i JSON' : 'give -f FEATURES_FILE or -i JSON, not both',
      'predict',
    );
  }
  // Read the input before loading the app and connecting, so that a typo fails fast.
  const input = featuresFile !== undefined ? { features: await readFeatures(featuresFile, cwd) } : { inputs: await readInputs(inputsText!, cwd) };
  const session = await connect(context, 'predict');
  const { app, model } = session;
  return withSession(session, async () => {
    if (input.inputs) checkInputKeys(input.inputs, model.dataset.readerArgNames, 'predict');
    const started = performance.now();
    const execution = await app.predict(input as never, {
      wait: false,
      appVersion: option(values, 'app-version'),
      modelVersion: option(values, 'model-version') ?? 'latest',
    });
    if (values['wait'] !== true) {
      reportStarted(out, session, execution);
      return 0;
    }
    const waited = await waitFor(app, execution, { urlShown: session.logged.some((m) => m.includes(execution.url)) });
    if (waited.interrupted) {
      reportStarted(out, session, execution, waited);
      return INTERRUPTED_STATUS;
    }
    const predictions = await app.fetchPredictions(execution);
    const seconds = (performance.now() - started) / 1000;
    out.restore();
    out.info(`prediction ${execution.name} with model '${session.model.name}' succeeded on Flyte in ${waited.status.durationSeconds.toFixed(1)} s`);
    if (out.json) {
      out.resultJson({
        predictions,
        predictionId: execution.name,
        appVersion: waited.status.launchPlan.version,
        url: waited.status.url,
        durationSeconds: roundSeconds(waited.status.durationSeconds),
        seconds: roundSeconds(seconds),
      } satisfies RemotePredictReport);
    } else out.result(JSON.stringify(predictions));
    return 0;
  });
}
