/**
 * The UnionML-on-Flyte compiler: turns a {@link Model} of `@unionml/core` into what Flyte runs, and runs it.
 *
 * - {@link compileModel} / {@link packageModel}: the four tasks (`{dataset}.dataset_task`, `{model}.train_task`,
 *   `{model}.predict_task`, `{model}.predict_from_features_task`), the three workflows (`{model}.train`,
 *   `{model}.predict`, `{model}.predict_from_features`), their default launch plans and the model's schedules, as the
 *   protobufs FlyteAdmin registers, and as a `flytectl register files` bundle.
 * - {@link executeTaskFromArgs}: what a task container runs (behind the entrypoint given at compile time, e.g.
 *   `unionml execute`): reads `inputs.pb`, runs the task, writes `outputs.pb` or `error.pb`.
 * - {@link trainCompiled} / {@link predictCompiled}: the compiled workflows walked on this machine, each task a real
 *   process (or a container, with a runner) with real inputs and outputs.
 *
 * DataFrames cross task boundaries as Parquet structured datasets through {@link dataFrameTransformer}, which the
 * compiler passes to `@unionml/flyte`'s type engine itself.
 *
 * @example
 * ```ts
 * import { loadModel } from '@unionml/core';
 * import { packageModel } from '@unionml/compiler';
 *
 * const model = await loadModel('app:model');
 * await packageModel(model, {
 *   entrypoint: ['unionml', 'execute'],
 *   module: 'app',
 *   exportName: 'model',
 *   image: 'localhost:30000/unionml:digits-classifier-v1',
 *   version: 'v1',
 *   output: 'bundle.tgz',
 * });
 * ```
 * @module
 */
import { writeBundle, type Bundle } from '@unionml/flyte';
import { compileModel, type CompileOptions } from './compile.js';
import type { AnyModel } from '@unionml/core';

export { compileModel } from './compile.js';
export type { CompiledModel, CompileOptions } from './compile.js';
export { trainCompiled, predictCompiled } from './local.js';
export { predictInputValues, trainInputValues, workflowInputLiterals } from './inputs.js';
export type { WorkflowKey } from './inputs.js';
export type { CompiledPredictResult, CompiledTrainResult, LocalRunOptions } from './local.js';
export { executeTaskFromArgs, fastExecuteTaskFromArgs, parseTaskAddress } from './execute.js';
export type { TaskAddress } from './execute.js';
export { planModel, taskDefinition, TASK_NAMES, DEFAULT_RESOURCES } from './plan.js';
export type { ModelPlan, TaskName } from './plan.js';
export { dataFrameTransformer, DATAFRAME_TRANSFORMER_NAME, TRANSFORMERS } from './dataframe.js';
export { COMPILER_ERRORS, FlyteCompileError } from './errors.js';
export type { CompilerErrorCode } from './errors.js';

/**
 * Compiles a model and writes its registration bundle (`flytectl register files` layout) to `output`.
 * @returns the files in the bundle, in registration order, and the bundle
 */
export async function packageModel(model: AnyModel, options: CompileOptions & { output: string }): Promise<{ files: string[]; bundle: Bundle }> {
  const compiled = await compileModel(model, options);
  const { files } = await writeBundle(options.output, compiled.bundle);
  return { files, bundle: compiled.bundle };
}
