/**
 * `unionml predict APP:MODEL --local --model-path MODEL_FILE (-f FEATURES_FILE | -i JSON) [--json]`: predicts in
 * this process with a saved model. Without `--local`, on the Flyte cluster (remote-run.ts).
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { checkInputKeys, readFeatures, readInputs } from '../inputs.js';
import { checkLocal, compiledRunOptions, option } from './shared.js';

export async function predict(context: CommandContext): Promise<number> {
  const { positionals, values, cwd, out } = context;
  // Without --local: on the Flyte cluster.
  if (values['local'] !== true) return (await import('./remote-run.js')).predictRemote(context);
  const address = positionals[0]!;
  checkLocal('predict', values);
  const modelPath = option(values, 'model-path');
  if (modelPath === undefined) {
    throw new UsageError('missing --model-path MODEL_FILE', 'predict', { hint: 'train and save a model first: unionml train APP:MODEL --local -o model.json' });
  }
  const featuresFile = option(values, 'features');
  const inputsText = option(values, 'inputs');
  if ((featuresFile === undefined) === (inputsText === undefined)) {
    throw new UsageError(
      featuresFile === undefined ? 'missing the features: give -f FEATURES_FILE or -i JSON' : 'give -f FEATURES_FILE or -i JSON, not both',
      'predict',
    );
  }
  // Read the input before loading the app, so that a typo fails fast.
  const input = featuresFile !== undefined ? { features: await readFeatures(featuresFile, cwd) } : { inputs: await readInputs(inputsText!, cwd) };

  out.guardStdout();
  const core = await import('@unionml/core');
  const model = await core.loadModel(address, { cwd });
  if (input.inputs) checkInputKeys(input.inputs, model.dataset.readerArgNames, 'predict');
  let predictions: unknown;
  if (values['compiled'] === true) {
    const { module, exportName } = core.parseAppAddress(address);
    const workflow = 'features' in input ? model.predictFromFeaturesWorkflowName : model.predictWorkflowName;
    out.info(`predicting with model '${model.name}' through its compiled workflow ${workflow}, one process per task`);
    const { predictCompiled } = await import('@unionml/compiler');
    const run = await predictCompiled(
      model,
      { modelFile: resolve(cwd, modelPath), ...input },
      {
        ...(await compiledRunOptions('predict', values, { module, exportName, cwd, out })),
        ...(values['keep'] === true ? { keep: true, onWorkDir: (dir: string) => out.info(`keeping the run's files in ${dir} (--keep)`) } : {}),
      },
    );
    predictions = run.predictions;
  } else {
    await model.load(resolve(cwd, modelPath));
    predictions = await model.predict(input).catch(core.fromAppCode('PREDICTION_FAILED', `prediction with model '${model.name}' failed`));
  }
  out.restore();

  if (out.json) out.resultJson({ predictions });
  else out.result(JSON.stringify(predictions));
  return 0;
}
