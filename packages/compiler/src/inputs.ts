// The inputs of a model's workflows, from what a user passes to train and predict: checked as `model.train` checks
// them (hyperparameters, trainer keyword arguments and reader arguments against their schemas, with their defaults)
// and named as the workflows name them. Shared by the compiled local runs (local.ts) and @unionml/remote, so that a
// run on this machine and a run on a cluster send the same literals.
import type { AnyModel } from '@unionml/core';
import * as flyte from '@unionml/flyte';
import type { CompiledModel } from './compile.js';

/** A workflow of a compiled model, by its key in {@link CompiledModel.workflows}. */
export type WorkflowKey = keyof CompiledModel['workflows'];

/**
 * The values of `{model}.train`'s inputs for train options (`hyperparameters`, `loaderKwargs`, `splitterKwargs`,
 * `parserKwargs`, `trainerKwargs` and the reader's arguments, as `model.train` takes them), checked against the
 * model's schemas. Throws core's coded errors (`HYPERPARAMETERS_INVALID`, `ARGUMENTS_INVALID`) before anything runs.
 */
export function trainInputValues(model: AnyModel, inputs: Record<string, unknown> = {}): Record<string, unknown> {
  const { hyperparameters, loaderKwargs, splitterKwargs, parserKwargs, trainerKwargs, ...readerArgs } = inputs as Record<string, unknown> & {
    trainerKwargs?: Record<string, unknown>;
  };
  return {
    hyperparameters: model.checkHyperparameters(hyperparameters),
    loader_kwargs: loaderKwargs ?? {},
    splitter_kwargs: splitterKwargs ?? {},
    parser_kwargs: parserKwargs ?? {},
    // AnyModel's reader arguments and trainer kwargs are objects of any types (TReaderArgs and TTrainerKwargs extend object)
    ...(model.dataset.checkReaderArgs(readerArgs) as object),
    ...(model.trainerKwargsSchema ? (model.trainerKwargsSchema.parse(trainerKwargs ?? {}) as object) : (trainerKwargs ?? {})),
  };
}

/** The values of `{model}.predict`'s inputs: the model file (`{ uri }` or a literal) and the reader's arguments, checked. */
export function predictInputValues(model: AnyModel, modelObject: unknown, readerArgs: Record<string, unknown> = {}): Record<string, unknown> {
  return { model_object: modelObject, ...(model.dataset.checkReaderArgs(readerArgs) as object) };
}

/**
 * Converts the given values of a workflow's inputs to literals (with the compiler's DataFrame transformer in `ctx`),
 * leaving out the inputs whose value is `undefined`: on Flyte, and in the local executor, those get the default
 * launch plan's defaults. A name the workflow does not have is a `FLYTE_TYPE_MISMATCH` error that lists its inputs.
 */
export async function workflowInputLiterals(
  ifc: flyte.TypedInterface,
  values: Record<string, unknown>,
  ctx: flyte.LiteralContext,
): Promise<Record<string, flyte.flyteidl.core.ILiteral>> {
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const types = Object.fromEntries(Object.keys(given).flatMap((k) => (ifc.inputs[k] ? [[k, ifc.inputs[k]]] : [])));
  if (Object.keys(given).some((k) => !(k in types))) {
    // toLiteralMap names the unknown variable and lists the declared ones.
    await flyte.toLiteralMap(given, ifc.inputs, ctx);
  }
  return (await flyte.toLiteralMap(given, types, ctx)).literals ?? {};
}
