// Runs a model's compiled workflows on this machine: the protobufs that Flyte would receive, walked node by node
// by @unionml/flyte's local executor, each task in a real `unionml execute` process with real inputs.pb and
// outputs.pb files. This proves the artifacts without a cluster. A run's storage is a temporary folder, removed when
// the run ends unless the caller keeps it (`keep`) or gave its own (`workDir`).
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unflattenMetrics, type AnyModel, type Metrics } from '@unionml/core';
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
  /**
   * Storage root of the run (each node's inputs.pb, outputs.pb and raw data), created if missing and never removed.
   * Default: a new temporary folder, `unionml-run-*` in the OS's temporary folder, removed when the run ends
   * (succeeded or failed) unless {@link LocalRunOptions.keep}.
   */
  workDir?: string;
  /** Keeps the run's temporary folder after the run, to look into its files. Default `false`; no effect with `workDir`. */
  keep?: boolean;
  /**
   * Called with the run's storage folder once it exists, before the first node runs: e.g. to say where a kept folder
   * is, which is then known even when the run fails.
   */
  onWorkDir?: (workDir: string) => void;
  /** The environment of the task processes (default: this process's). */
  processEnv?: NodeJS.ProcessEnv;
  /** Called when a node starts, succeeds or fails, with its id (`n1`) and its task's name (`{model}.train_task`). */
  onNode?: flyte.LocalExecutionOptions['onNode'];
}

/** What a compiled local training run gives. */
export interface CompiledTrainResult {
  /**
   * The model file that the train task wrote: `output` when given. Otherwise the file in the run's storage when that
   * stays (`workDir` or `keep`), else a copy in a new temporary folder of its own (`unionml-model-*`, the run's folder
   * being removed), which is the caller's to remove.
   */
  modelFile: string;
  hyperparameters: unknown;
  metrics: Metrics;
  executionName: string;
  /** The run's storage folder while it exists: the given `workDir`, or the temporary one with `keep`. */
  workDir?: string;
  /** Each node run, in order: its id (`n1`), its task's name (`{model}.train_task`) and its wall time. */
  nodes: { id: string; taskName: string; seconds: number }[];
}

/**
 * Runs `{model}.train` through the local executor with `inputs` (hyperparameters, kwargs, reader arguments). The model
 * file is copied to `output` (if given) before the run's temporary storage is removed.
 */
export async function trainCompiled(
  model: AnyModel,
  inputs: Record<string, unknown>,
  options: LocalRunOptions & { output?: string },
): Promise<CompiledTrainResult> {
  const compiled = await compile(model, options);
  const values = trainInputValues(model, inputs);
  return inStorage(options, async (workDir, removed) => {
    const run = await execute(compiled, 'train', values, workDir, options);
    const written = (run.outputs['model_object'] as { path: string }).path;
    let modelFile = written;
    if (options.output) {
      modelFile = resolve(options.output);
      await flyte.copyFileAtomic(written, modelFile);
    } else if (removed) {
      // The result must not point into a folder that is about to be removed.
      modelFile = join(await mkdtemp(join(tmpdir(), 'unionml-model-')), basename(written));
      await copyFile(written, modelFile);
    }
    return {
      modelFile,
      hyperparameters: run.outputs['hyperparameters'],
      // The workflow's output is a Flyte map of floats, `{"train.accuracy": 0.99}`.
      metrics: unflattenMetrics((run.outputs['metrics'] ?? {}) as Record<string, unknown>, model.metricName),
      executionName: run.executionName,
      nodes: run.nodes,
    };
  });
}

/** What a compiled local prediction run gives. */
export interface CompiledPredictResult {
  predictions: unknown;
  executionName: string;
  /** The run's storage folder while it exists: the given `workDir`, or the temporary one with `keep`. */
  workDir?: string;
  /** Each node run, in order: its id (`n1`), its task's name (`{model}.train_task`) and its wall time. */
  nodes: { id: string; taskName: string; seconds: number }[];
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
  return inStorage(options, async (workDir) => {
    // Inside the run's storage, so that containers (which see only that folder) can read it too.
    const modelCopy = join(workDir, 'inputs', basename(request.modelFile));
    await mkdir(dirname(modelCopy), { recursive: true });
    await copyFile(resolve(request.modelFile), modelCopy);
    const modelObject = { uri: modelCopy };
    const run =
      request.features !== undefined
        ? await execute(compiled, 'predictFromFeatures', { model_object: modelObject, features: request.features }, workDir, options)
        : await execute(compiled, 'predict', predictInputValues(model, modelObject, request.inputs), workDir, options);
    return { predictions: run.outputs['o0'], executionName: run.executionName, nodes: run.nodes };
  });
}

/**
 * Runs `use` in the run's storage folder: the caller's `workDir`, or a new temporary folder that is removed when
 * `use` settles (resolved or rejected) unless `keep`. `use` learns whether the folder will be removed, to copy out
 * what must outlive it. The result has `workDir` when the folder remains.
 */
async function inStorage<T extends object>(
  options: LocalRunOptions,
  use: (workDir: string, removed: boolean) => Promise<T>,
): Promise<T & { workDir?: string }> {
  if (options.workDir !== undefined) {
    const workDir = resolve(options.workDir);
    await mkdir(workDir, { recursive: true });
    options.onWorkDir?.(workDir);
    return { ...(await use(workDir, false)), workDir };
  }
  const workDir = await mkdtemp(join(tmpdir(), 'unionml-run-'));
  const remove = options.keep !== true;
  let remains = true;
  let result: T;
  try {
    options.onWorkDir?.(workDir);
    result = await use(workDir, remove);
  } finally {
    // Best effort: a folder that cannot be removed (e.g. files a container wrote as another user) must neither fail a
    // run that succeeded nor hide the error of one that failed.
    if (remove)
      remains = await rm(workDir, { recursive: true, force: true, maxRetries: 2 }).then(
        () => false,
        () => true,
      );
  }
  return remains ? { ...result, workDir } : result;
}

async function compile(model: AnyModel, options: LocalRunOptions): Promise<CompiledModel> {
  // The templates name the image the nodes run in (or a placeholder: local processes ignore it).
  return compileModel(model, { ...options, image: options.image ?? 'unionml-local', version: options.version ?? 'local' });
}

async function execute(compiled: CompiledModel, workflow: WorkflowKey, values: Record<string, unknown>, workDir: string, options: LocalRunOptions) {
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
  return { outputs, executionName: result.executionName, nodes: result.nodes };
}
