// What a Model becomes on Flyte: its tasks' names, interfaces and settings, and the functions they run.
// Python UnionML's names and shapes (tasks `{dataset}.dataset_task`, `{model}.train_task`, `{model}.predict_task`,
// `{model}.predict_from_features_task`), so that users of both SDKs recognise them in the Flyte console.
import { join } from 'node:path';
import { flattenMetrics, jsonSchemaOf, type AnyModel, type TaskOptions } from '@unionml/core';
import { DataFrame, isPlainObject } from '@unionml/data';
import type { FlyteType, TaskDefinition, TypedInterface } from '@unionml/flyte';
import { DATAFRAME_TRANSFORMER_NAME } from './dataframe.js';
import { FlyteCompileError } from './errors.js';
import { declare, declareFields, structSchema, type Declared } from './types.js';

/** The tasks of a model, by their short names (the `task-name` of the container's address). */
export const TASK_NAMES = ['dataset_task', 'train_task', 'predict_task', 'predict_from_features_task'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** A DataFrame crossing a task boundary: a Parquet structured dataset, converted by core's transformer. */
export const DATAFRAME: FlyteType = { kind: 'structuredDataset', format: 'parquet', transformer: DATAFRAME_TRANSFORMER_NAME };
/** A model file written by the model's saver. */
export const MODEL_OBJECT: FlyteType = { kind: 'blob', format: '' };
/** Metrics: the evaluator's score per split. */
export const METRICS: FlyteType = { kind: 'map', of: { kind: 'float' } };
/** Keyword arguments of the loader, splitter and parser: JSON objects. */
export const KWARGS: FlyteType = { kind: 'struct' };

/** Python UnionML's default task resources: requests = limits = 1 CPU, 1 GiB. */
export const DEFAULT_RESOURCES = { cpu: '1', memory: '1Gi' };

const RESERVED = ['hyperparameters', 'loader_kwargs', 'splitter_kwargs', 'parser_kwargs', 'model_object', 'features', 'data', 'metrics', 'o0'];

/** A model's tasks and the declarations they are built from. */
export interface ModelPlan {
  readerArgs: Record<string, Declared>;
  trainerKwargs: Record<string, Declared>;
  hyperparameters: Declared;
  prediction: FlyteType;
  tasks: Record<TaskName, { name: string; interface: TypedInterface; options: TaskOptions }>;
}

/**
 * Declares a model's tasks to Flyte. Fails with a {@link FlyteCompileError} naming the field for anything Flyte
 * cannot carry (an undeclarable type, a missing prediction schema, a reader argument named like a task input).
 */
export function planModel(model: AnyModel): ModelPlan {
  const dataset = model.dataset;
  if (!dataset.tabular) {
    throw new FlyteCompileError(
      'FLYTE_TYPE_UNSUPPORTED',
      `dataset '${dataset.name}' is not tabular: only tables (DataFrames) cross Flyte task boundaries in this version`,
      'run it in process (unionml train --local) or return a table from the reader',
    );
  }
  const readerArgs = declareFields(dataset.readerArgsSchema, 'reader arguments', jsonSchemaOf);
  const trainerKwargs = declareFields(model.trainerKwargsSchema, 'trainer keyword arguments', jsonSchemaOf);
  for (const [what, fields] of [
    ['reader argument', readerArgs],
    ['trainer keyword argument', trainerKwargs],
  ] as const) {
    for (const name of Object.keys(fields)) {
      if (RESERVED.includes(name))
        throw new FlyteCompileError(
          'FLYTE_NAME_CLASH',
          `the ${what} '${name}' of model '${model.name}' has the name of a workflow input (${RESERVED.join(', ')})`,
          'rename it',
        );
    }
  }
  const clash = Object.keys(readerArgs).find((name) => name in trainerKwargs);
  if (clash)
    throw new FlyteCompileError(
      'FLYTE_NAME_CLASH',
      `'${clash}' of model '${model.name}' is both a reader argument and a trainer keyword argument; on Flyte both are inputs of {model}.train`,
      'rename one of them',
    );

  const hyperparameters: Declared = model.hyperparameterSchema
    ? {
        type: { kind: 'struct', jsonSchema: structSchema(model.hyperparameterSchema, 'Hyperparameters', jsonSchemaOf) },
        optional: defaultsOf(model) !== undefined,
        default: defaultsOf(model),
      }
    : { type: { kind: 'struct' }, optional: true, default: {} };
  if (!model.predictionSchema) {
    throw new FlyteCompileError(
      'FLYTE_DECLARATION_MISSING',
      `model '${model.name}' does not declare its prediction type, which Flyte needs for the predict tasks' output`,
      'pass it to the model: new Model({ ..., prediction: z.array(z.number()) })',
    );
  }
  const prediction = declare(model.predictionSchema, `the prediction of model '${model.name}'`, jsonSchemaOf).type;

  const types = (fields: Record<string, Declared>) => Object.fromEntries(Object.entries(fields).map(([k, d]) => [k, d.type]));
  const withDefaults = (options: TaskOptions | undefined): TaskOptions => ({
    requests: { ...DEFAULT_RESOURCES },
    limits: { ...DEFAULT_RESOURCES },
    ...options,
  });
  return {
    readerArgs,
    trainerKwargs,
    hyperparameters,
    prediction,
    tasks: {
      dataset_task: {
        name: `${dataset.name}.dataset_task`,
        interface: { inputs: types(readerArgs), outputs: { data: DATAFRAME } },
        options: withDefaults(dataset.taskOptions.reader),
      },
      train_task: {
        name: `${model.name}.train_task`,
        interface: {
          inputs: {
            hyperparameters: hyperparameters.type,
            data: DATAFRAME,
            loader_kwargs: KWARGS,
            splitter_kwargs: KWARGS,
            parser_kwargs: KWARGS,
            ...types(trainerKwargs),
          },
          outputs: { model_object: MODEL_OBJECT, hyperparameters: hyperparameters.type, metrics: METRICS },
        },
        options: withDefaults(model.taskOptions.trainer),
      },
      predict_task: {
        name: `${model.name}.predict_task`,
        interface: { inputs: { model_object: MODEL_OBJECT, data: DATAFRAME }, outputs: { o0: prediction } },
        options: withDefaults(model.taskOptions.predictor),
      },
      predict_from_features_task: {
        name: `${model.name}.predict_from_features_task`,
        interface: { inputs: { model_object: MODEL_OBJECT, features: DATAFRAME }, outputs: { o0: prediction } },
        options: withDefaults(model.taskOptions.predictor),
      },
    },
  };
}

/** The hyperparameters' defaults (the schema applied to `{}`), or undefined when some are required. */
function defaultsOf(model: AnyModel): Record<string, unknown> | undefined {
  const result = model.hyperparameterSchema?.safeParse({});
  return result?.success ? (result.data as Record<string, unknown>) : undefined;
}

/**
 * The function a task container runs for `taskName` (the address in its args). Unknown names are a
 * {@link FlyteCompileError} (`FLYTE_TASK_UNKNOWN`), which the runtime reports as a SYSTEM error.
 */
export function taskDefinition(model: AnyModel, taskName: string): TaskDefinition {
  if (!(TASK_NAMES as readonly string[]).includes(taskName)) {
    throw new FlyteCompileError(
      'FLYTE_TASK_UNKNOWN',
      `model '${model.name}' has no task '${taskName}'; its tasks are ${TASK_NAMES.join(', ')}`,
      'check the task-name in the container arguments',
    );
  }
  const plan = planModel(model);
  const task = plan.tasks[taskName as TaskName];
  const run = RUNNERS[taskName as TaskName];
  return { name: task.name, interface: task.interface, run: (inputs, ctx) => run(model, plan, inputs, ctx.workDir) };
}

/** Runs a task's code; `workDir` is the task's scratch folder (removed once its outputs are written). */
type Runner = (model: AnyModel, plan: ModelPlan, inputs: Record<string, unknown>, workDir: string) => Promise<Record<string, unknown>>;

const RUNNERS: Record<TaskName, Runner> = {
  async dataset_task(model, _plan, inputs) {
    const raw = await model.dataset.read(withoutNulls(inputs));
    return { data: DataFrame.from(raw) };
  },

  async train_task(model, plan, inputs, workDir) {
    const trainerKwargs = Object.fromEntries(Object.keys(plan.trainerKwargs).map((k) => [k, inputs[k]]));
    const result = await model.trainOn(inputs['data'], {
      hyperparameters: inputs['hyperparameters'],
      loaderKwargs: objectOr(inputs['loader_kwargs']),
      splitterKwargs: objectOr(inputs['splitter_kwargs']),
      parserKwargs: objectOr(inputs['parser_kwargs']),
      trainerKwargs: withoutNulls(trainerKwargs),
    });
    const file = join(workDir, 'model.json');
    await model.save(file);
    return { model_object: { uri: file }, hyperparameters: result.hyperparameters, metrics: flattenMetrics(result.metrics) };
  },

  // The model file's hash is checked; a sample predicted otherwise only warns: a deployed patch may change the
  // predictor on purpose and still use the model versions the cluster has.
  async predict_task(model, _plan, inputs) {
    const modelObject: unknown = await model.load(blobPath(inputs['model_object']), { verify: 'integrity' });
    const features = await model.dataset.featuresOf(inputs['data'], model.artifact);
    return { o0: await model.predictFromFeatures(modelObject, features) };
  },

  async predict_from_features_task(model, _plan, inputs) {
    const modelObject: unknown = await model.load(blobPath(inputs['model_object']), { verify: 'integrity' });
    const features = await model.dataset.getFeatures(inputs['features'], model.artifact);
    return { o0: await model.predictFromFeatures(modelObject, features) };
  },
};

function blobPath(value: unknown): string {
  const path = (value as { path?: string } | undefined)?.path;
  if (!path) throw new FlyteCompileError('FLYTE_DECLARATION_MISSING', 'the model_object input was not downloaded to a local file');
  return path;
}

function objectOr(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}

/** Optional inputs arrive as null; the app's schemas expect them absent. */
function withoutNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}
