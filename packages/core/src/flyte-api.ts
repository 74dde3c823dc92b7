// The Flyte side of core, loaded lazily: @unionml/flyte (and its 3.4 MB of generated protobuf code) is imported only
// when a model is compiled, packaged or run as compiled tasks, never on the in-process or serving paths.
import type { Bundle } from '@unionml/flyte';
import type { CompiledModel, CompileOptions } from './flyte/compile.js';
import type { CompiledPredictResult, CompiledTrainResult, LocalRunOptions } from './flyte/local.js';
import type { AnyModel } from './model.js';

export type { CompiledModel, CompileOptions } from './flyte/compile.js';
export type { CompiledPredictResult, CompiledTrainResult, LocalRunOptions } from './flyte/local.js';
export type { TaskAddress } from './flyte/execute.js';
export { FlyteCompileError } from './flyte/errors.js';

/** Compiles a model into Flyte tasks, workflows and launch plans (see {@link CompiledModel}). */
export async function compileModel(model: AnyModel, options: CompileOptions): Promise<CompiledModel> {
  return (await import('./flyte/compile.js')).compileModel(model, options);
}

/**
 * Compiles a model and writes its registration bundle (`flytectl register files` layout) to `output`.
 * @returns the files in the bundle, in registration order
 */
export async function packageModel(model: AnyModel, options: CompileOptions & { output: string }): Promise<{ files: string[]; bundle: Bundle }> {
  const compiled = await compileModel(model, options);
  const { writeBundle } = await import('@unionml/flyte');
  const { files } = await writeBundle(options.output, compiled.bundle);
  return { files, bundle: compiled.bundle };
}

/** Runs `{model}.train` compiled, through the local executor (see {@link CompiledTrainResult}). */
export async function trainCompiled(model: AnyModel, inputs: Record<string, unknown>, options: LocalRunOptions & { output?: string }): Promise<CompiledTrainResult> {
  return (await import('./flyte/local.js')).trainCompiled(model, inputs, options);
}

/** Runs `{model}.predict_from_features` or `{model}.predict` compiled, through the local executor. */
export async function predictCompiled(model: AnyModel, request: { modelFile: string; features?: unknown; inputs?: Record<string, unknown> }, options: LocalRunOptions): Promise<CompiledPredictResult> {
  return (await import('./flyte/local.js')).predictCompiled(model, request, options);
}

/** `unionml execute ARGS`: runs one task in this process as Flyte's container contract says; resolves the exit code. */
export async function executeTaskFromArgs(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  return (await import('./flyte/execute.js')).executeTaskFromArgs(argv, options);
}
