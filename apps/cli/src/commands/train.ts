/**
 * `unionml train APP:MODEL --local [-i JSON] [-o MODEL_FILE] [--json]`: trains in this process and saves the model
 * file. Without `--local`, on the Flyte cluster (remote-run.ts).
 */
import { resolve } from 'node:path';
import type { Metrics } from '@unionml/core';
import type { CommandContext } from '../commands.js';
import { checkInputKeys, readInputs, trainOptions } from '../inputs.js';
import { withResult } from '../errors.js';
import { checkLocal, checkOutput, checkWritable, compiledRunOptions, formatMetrics, option, roundSeconds, writeReport } from './shared.js';

export { formatMetrics } from './shared.js';

/** What `unionml train --json` prints. */
export interface TrainReport {
  model: string;
  /** The model file, or null when it could not be saved (`--json` then prints this report beside the error). */
  modelPath: string | null;
  hyperparameters: unknown;
  metrics: Metrics;
  seconds: number;
  /** With --compiled: the local execution's name and each node's time. */
  executionName?: string;
  /** With --compiled --keep: the run's storage (each node's inputs.pb, outputs.pb and raw data), kept. */
  workDir?: string;
  nodes?: { id: string; taskName: string; seconds: number }[];
}

export async function train(context: CommandContext): Promise<number> {
  const { positionals, values, cwd, out } = context;
  // Without --local: on the Flyte cluster.
  if (values['local'] !== true) return (await import('./remote-run.js')).trainRemote(context);
  const address = positionals[0]!;
  checkLocal('train', values);
  // Everything that can be checked before loading the app (which may be slow) is checked first.
  const inputsText = option(values, 'inputs');
  const options = inputsText === undefined ? {} : trainOptions(await readInputs(inputsText, cwd));
  const target = resolve(cwd, option(values, 'output') ?? 'model.json');
  const reportArg = option(values, 'report');
  const reportTarget = reportArg === undefined ? undefined : resolve(cwd, reportArg);
  const core = await import('@unionml/core');
  await checkOutput(target, core.ModelFileError);
  if (reportTarget) await checkWritable(reportTarget, 'the report ');

  out.guardStdout();
  const model = await core.loadModel(address, { cwd });
  checkInputKeys(options, model.dataset.readerArgNames, 'train');
  const started = performance.now();
  let result: { hyperparameters: unknown; metrics: TrainReport['metrics'] };
  let modelPath: string | undefined;
  let saveError: unknown;
  let compiled: Pick<TrainReport, 'executionName' | 'workDir' | 'nodes'> = {};
  if (values['compiled'] === true) {
    out.info(`training model '${model.name}' (${address}) through its compiled workflow ${model.trainWorkflowName}, one process per task`);
    const { module, exportName } = core.parseAppAddress(address);
    const { trainCompiled } = await import('@unionml/compiler');
    const run = await trainCompiled(model, options, {
      ...(await compiledRunOptions('train', values, { module, exportName, cwd, out })),
      output: target,
      ...(values['keep'] === true ? { keep: true, onWorkDir: (dir: string) => out.info(`keeping the run's files in ${dir} (--keep)`) } : {}),
    });
    result = run;
    modelPath = run.modelFile;
    compiled = { executionName: run.executionName, workDir: run.workDir, nodes: run.nodes };
    if (reportTarget) await model.load(modelPath); // the report's evaluation is in the model file the train task wrote
  } else {
    out.info(`training model '${model.name}' (${address}) in this process`);
    result = await model.train(options as never).catch(core.fromAppCode('TRAINING_FAILED', `training model '${model.name}' failed`));
    // A model file that cannot be written does not throw the training away: its metrics are still reported.
    modelPath = await model.save(target).catch((error: unknown) => void (saveError = error));
  }
  const seconds = (performance.now() - started) / 1000;
  out.restore();

  const report: TrainReport = {
    model: model.name,
    modelPath: modelPath ?? null,
    hyperparameters: result.hyperparameters,
    metrics: result.metrics,
    seconds: roundSeconds(seconds),
    ...compiled,
  };
  out.say(`trained model '${model.name}' in ${seconds.toFixed(1)} s`);
  out.say(`metrics: ${formatMetrics(result.metrics)}`);
  if (reportTarget) await writeReport(model, reportTarget, out);
  if (saveError !== undefined) throw withResult(saveError as Error, report);
  out.say(`saved model to ${modelPath}`);
  if (out.json) out.resultJson(report);
  return 0;
}
