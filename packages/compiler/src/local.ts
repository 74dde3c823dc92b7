// Runs a model's compiled workflows on this machine: the protobufs that Flyte would receive, walked node by node
// by @unionml/flyte's local executor, each task in a real `unionml execute` process with real inputs.pb and
// outputs.pb files. This proves the artifacts without a cluster.
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModel, Metrics } from '@unionml/core';
import * as flyte from '@unionml/flyte';
import { compileModel, type CompiledModel, type CompileOptions } from './compile.js';
import { TRANSFORMERS } from './dataframe.js';
import { predictInputValues, trainInputValues, workflowInputLiterals, type WorkflowKey } from './inputs.js';

/** How to run compiled workflows locally. */
export interface LocalRunOptions extends Omit<CompileOptions, 'image' | 'version'> {
  /** The image the task templates name. Default `unionml-local` (local processes ignore it). */
  image?: string;
  /**
   * Makes the runner of every node, e.g. one that runs it in a container of `image` (see @unionml/remote's
   * `containerRunner`), as a cluster would. It is given the run's storage folder, which the nodes must see at the
   * same path. Default: each node is a local process of {@link LocalRunOptions.command}.
   */
  runner?: (run: { workDir: string }) => Promise<flyte.NodeRunner>;
  /** Default `local`. */
  version?: string;
  /** Maps a task container's command (`unionml execute ...`) to a local command. */
  command: (argv: string[]) => string[];
  /** The app's folder: where task processes run. */
  cwd: string;
  /** Storage root of the run. Default: a new temporary folder. */
  workDir?: string;
  /** The environment of the task processes (default: this process's). */
  processEnv?: NodeJS.ProcessEnv;
  onNode?: (event: { nodeId: string; phase: 'running' | 'succeeded' | 'failed'; seconds?: number }) => void;
}

/** What a compiled local training run gives. */
export interface CompiledTrainResult {
  /** The model file the train task wrote (in the run's storage), copied to `output` if given. */
  modelFile: string;
  hyperparameters: unknown;
  metrics: Metrics;
  executionName: string;
  workDir: string;
  nodes: { id: string; seconds: number }[];
}

/** Runs `{model}.train` through the local executor with `inputs` (hyperparameters, kwargs, reader arguments). */
export async function trainCompiled(
  model: AnyModel,
  inputs: Record<string, unknown>,
  options: LocalRunOptions & { output?: string },
): Promise<CompiledTrainResult> {
  const compiled = await compile(model, options);
  const values = trainInputValues(model, inputs);
  const run = await execute(compiled, 'train', values, options);
  const modelFile = (run.outputs['model_object'] as { path: string }).path;
  if (options.output) await flyte.copyFileAtomic(modelFile, resolve(options.output));
  return {
    modelFile: options.output ? resolve(options.output) : modelFile,
    hyperparameters: run.outputs['hyperparameters'],
    metrics: run.outputs['metrics'] as Metrics,
    executionName: run.executionName,
    workDir: run.workDir,
    nodes: run.nodes,
  };
}

/** What a compiled local prediction run gives. */
export interface CompiledPredictResult {
  predictions: unknown;
  executionName: string;
  workDir: string;
  nodes: { id: string; seconds: number }[];
}

/**
 * Runs `{model}.predict_from_features` (with `features`) or `{model}.predict` (with reader `inputs`) through the
 * local executor, with the model file at `modelFile`.
 */
export async function predictCompiled(
  model: AnyModel,
  request: { modelFile: string; features?: unknown; inputs?: Record<string, unknown> },
  options: LocalRunOptions,
): Promise<CompiledPredictResult> {
  const compiled = await compile(model, options);
  // Inside the run's storage, so that containers (which see only that folder) can read it too.
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'unionml-run-')));
  const modelCopy = join(workDir, 'inputs', basename(request.modelFile));
  await mkdir(dirname(modelCopy), { recursive: true });
  await copyFile(resolve(request.modelFile), modelCopy);
  options = { ...options, workDir };
  const modelObject = { uri: modelCopy };
  const run =
    request.features !== undefined
      ? await execute(compiled, 'predictFromFeatures', { model_object: modelObject, features: request.features }, options)
      : await execute(compiled, 'predict', predictInputValues(model, modelObject, request.inputs), options);
  return { predictions: run.outputs['o0'], executionName: run.executionName, workDir: run.workDir, nodes: run.nodes };
}

async function compile(model: AnyModel, options: LocalRunOptions): Promise<CompiledModel> {
  // The templates name the image the nodes run in (or a placeholder: local processes ignore it).
  return compileModel(model, { ...options, image: options.image ?? 'unionml-local', version: options.version ?? 'local' });
}

async function execute(compiled: CompiledModel, workflow: WorkflowKey, values: Record<string, unknown>, options: LocalRunOptions) {
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'unionml-run-')));
  await mkdir(workDir, { recursive: true });
  const inputsDir = join(workDir, 'inputs');
  const ctx: flyte.LiteralContext = {
    storage: flyte.storageFor(workDir),
    rawOutputPrefix: pathToFileURL(join(workDir, 'data', 'inputs')).href,
    workDir: inputsDir,
    transformers: TRANSFORMERS,
  };
  // Inputs left out get the default launch plan's defaults, as on Flyte.
  const literals = { ...compiled.defaults[workflow], ...(await workflowInputLiterals(compiled.interfaces[workflow], values, ctx)) };
  const runner = options.runner ? await options.runner({ workDir }) : undefined;
  const result = await flyte.executeWorkflowLocally({
    workflow: compiled.workflows[workflow],
    tasks: Object.values(compiled.tasks),
    inputs: { literals },
    workDir,
    cwd: options.cwd,
    ...(runner ? { runner } : { command: (argv: string[]) => options.command(argv) }),
    ...(options.processEnv ? { env: options.processEnv } : {}),
    ...(options.project ? { project: options.project } : {}),
    ...(options.domain ? { domain: options.domain } : {}),
    ...(options.onNode ? { onNode: options.onNode } : {}),
    transformers: TRANSFORMERS,
  });
  const outputsCtx: flyte.LiteralContext = { ...ctx, workDir: join(workDir, 'outputs') };
  await mkdir(dirname(join(outputsCtx.workDir, 'x')), { recursive: true });
  const outputs = await flyte.fromLiteralMap(result.outputs, compiled.interfaces[workflow].outputs, outputsCtx);
  return { outputs, executionName: result.executionName, nodes: result.nodes, workDir };
}
