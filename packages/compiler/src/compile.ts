// Compiles a Model and its Dataset into Flyte entities: the four tasks, the three workflows, their default launch
// plans and the model's schedules, as the protobufs FlyteAdmin registers (and Flyte's own compiler checks).
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { VERSION, type AnyModel, type ModelSchedule } from '@unionml/core';
import * as flyte from '@unionml/flyte';
import { TRANSFORMERS } from './dataframe.js';
import { FlyteCompileError } from './errors.js';
import { KWARGS, METRICS, MODEL_OBJECT, DATAFRAME, planModel, type ModelPlan, type TaskName } from './plan.js';
import type { Declared } from './types.js';

type Literal = flyte.flyteidl.core.ILiteral;

/** Where the compiled app runs: its image, version, project and domain, and how containers find it again. */
export interface CompileOptions {
  /**
   * The command every task container runs, before its arguments: an executable on the image's PATH that calls
   * {@link executeTaskFromArgs} with what follows, e.g. `['unionml', 'execute']` for the `unionml` CLI.
   */
  entrypoint: readonly string[];
  /** The app module of `APP:MODEL` (e.g. `app`), as containers import it from their working folder. */
  module: string;
  /** The export holding the Model (e.g. `model`). */
  exportName: string;
  /** The container image of every task. */
  image: string;
  /** The version of every entity (the app version: a git commit, or given). */
  version: string;
  /** Default `flytesnacks`, the project a Flyte demo cluster has. */
  project?: string;
  /** Default `development`. */
  domain?: string;
  /** Environment variables of every task container. */
  env?: Record<string, string>;
}

/** A compiled model: its plan and the protobufs, also as a registration bundle. */
export interface CompiledModel {
  plan: ModelPlan;
  tasks: Record<TaskName, flyte.flyteidl.admin.ITaskSpec>;
  workflows: {
    train: flyte.flyteidl.admin.IWorkflowSpec;
    predict: flyte.flyteidl.admin.IWorkflowSpec;
    predictFromFeatures: flyte.flyteidl.admin.IWorkflowSpec;
  };
  launchPlans: flyte.flyteidl.admin.ILaunchPlan[];
  bundle: flyte.Bundle;
  /** The workflows' interfaces in declared types (to convert inputs and outputs). */
  interfaces: { train: flyte.TypedInterface; predict: flyte.TypedInterface; predictFromFeatures: flyte.TypedInterface };
  /** The default launch plans' default inputs, by workflow. */
  defaults: { train: Record<string, Literal>; predict: Record<string, Literal>; predictFromFeatures: Record<string, Literal> };
}

/** Compiles `model` (see {@link CompiledModel}); fails with coded errors naming what cannot be declared. */
export async function compileModel(model: AnyModel, options: CompileOptions): Promise<CompiledModel> {
  if (!Array.isArray(options.entrypoint) || options.entrypoint.length === 0 || !options.entrypoint.every((part) => typeof part === 'string' && part !== '')) {
    throw new FlyteCompileError(
      'COMPILE_OPTIONS_INVALID',
      `the task entrypoint must be a non-empty list of non-empty strings, got ${JSON.stringify(options.entrypoint)}`,
      "pass compileModel(model, { entrypoint: ['unionml', 'execute'], ... })",
    );
  }
  const plan = planModel(model);
  const project = options.project ?? 'flytesnacks';
  const domain = options.domain ?? 'development';
  const id = (name: string) => ({ project, domain, name, version: options.version });
  const ctx = literalContext();

  const tasks = Object.fromEntries(
    (Object.keys(plan.tasks) as TaskName[]).map((taskName) => {
      const task = plan.tasks[taskName];
      const settings = task.options;
      return [
        taskName,
        flyte.taskSpec({
          id: id(task.name),
          interface: task.interface,
          image: options.image,
          args: flyte.taskArgs([...options.entrypoint], ['app-module', options.module, 'unionml-obj-name', options.exportName, 'task-name', taskName]),
          ...(options.env ? { env: options.env } : {}),
          ...(settings.requests ? { requests: settings.requests } : {}),
          ...(settings.limits ? { limits: settings.limits } : {}),
          ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
          ...(settings.timeoutSeconds !== undefined ? { timeoutSeconds: settings.timeoutSeconds } : {}),
          ...(settings.interruptible !== undefined ? { interruptible: settings.interruptible } : {}),
          ...(settings.cache !== undefined ? { cache: settings.cache } : {}),
          ...(settings.cacheVersion !== undefined ? { cacheVersion: settings.cacheVersion } : {}),
          sdk: { name: 'unionml-ts', version: VERSION },
        }),
      ];
    }),
  ) as Record<TaskName, flyte.flyteidl.admin.ITaskSpec>;
  const template = (taskName: TaskName) => tasks[taskName].template!;

  const readerInputs = Object.fromEntries(Object.keys(plan.readerArgs).map((k) => [k, { input: k }]));
  const trainerInputs = Object.fromEntries(Object.keys(plan.trainerKwargs).map((k) => [k, { input: k }]));
  const typesOf = (fields: Record<string, Declared>) => Object.fromEntries(Object.entries(fields).map(([k, d]) => [k, d.type]));

  const interfaces = {
    train: {
      inputs: {
        hyperparameters: plan.hyperparameters.type,
        loader_kwargs: KWARGS,
        splitter_kwargs: KWARGS,
        parser_kwargs: KWARGS,
        ...typesOf(plan.readerArgs),
        ...typesOf(plan.trainerKwargs),
      },
      outputs: { model_object: MODEL_OBJECT, hyperparameters: plan.hyperparameters.type, metrics: METRICS },
    },
    predict: { inputs: { model_object: MODEL_OBJECT, ...typesOf(plan.readerArgs) }, outputs: { o0: plan.prediction } },
    predictFromFeatures: { inputs: { model_object: MODEL_OBJECT, features: DATAFRAME }, outputs: { o0: plan.prediction } },
  };

  const workflows = {
    train: flyte.workflowSpec({
      id: id(model.trainWorkflowName),
      interface: interfaces.train,
      nodes: [
        { id: 'n0', name: 'dataset_task', task: template('dataset_task'), inputs: readerInputs },
        {
          id: 'n1',
          name: 'train_task',
          task: template('train_task'),
          inputs: {
            hyperparameters: { input: 'hyperparameters' },
            data: { node: 'n0', output: 'data' },
            loader_kwargs: { input: 'loader_kwargs' },
            splitter_kwargs: { input: 'splitter_kwargs' },
            parser_kwargs: { input: 'parser_kwargs' },
            ...trainerInputs,
          },
        },
      ],
      outputs: {
        model_object: { node: 'n1', output: 'model_object' },
        hyperparameters: { node: 'n1', output: 'hyperparameters' },
        metrics: { node: 'n1', output: 'metrics' },
      },
    }),
    predict: flyte.workflowSpec({
      id: id(model.predictWorkflowName),
      interface: interfaces.predict,
      nodes: [
        { id: 'n0', name: 'dataset_task', task: template('dataset_task'), inputs: readerInputs },
        {
          id: 'n1',
          name: 'predict_task',
          task: template('predict_task'),
          inputs: { model_object: { input: 'model_object' }, data: { node: 'n0', output: 'data' } },
        },
      ],
      outputs: { o0: { node: 'n1', output: 'o0' } },
    }),
    predictFromFeatures: flyte.workflowSpec({
      id: id(model.predictFromFeaturesWorkflowName),
      interface: interfaces.predictFromFeatures,
      nodes: [
        {
          id: 'n0',
          name: 'predict_from_features_task',
          task: template('predict_from_features_task'),
          inputs: { model_object: { input: 'model_object' }, features: { input: 'features' } },
        },
      ],
      outputs: { o0: { node: 'n0', output: 'o0' } },
    }),
  };

  const fieldDefaults = async (fields: Record<string, Declared>) => {
    const out: Record<string, Literal> = {};
    for (const [name, declared] of Object.entries(fields)) {
      if (declared.optional) out[name] = await flyte.toLiteral(declared.default ?? null, declared.type, ctx, name);
    }
    return out;
  };
  const defaults = {
    train: {
      ...(plan.hyperparameters.optional
        ? { hyperparameters: await flyte.toLiteral(plan.hyperparameters.default ?? {}, plan.hyperparameters.type, ctx, 'hyperparameters') }
        : {}),
      loader_kwargs: await flyte.toLiteral({}, KWARGS, ctx),
      splitter_kwargs: await flyte.toLiteral({}, KWARGS, ctx),
      parser_kwargs: await flyte.toLiteral({}, KWARGS, ctx),
      ...(await fieldDefaults(plan.readerArgs)),
      ...(await fieldDefaults(plan.trainerKwargs)),
    },
    predict: await fieldDefaults(plan.readerArgs),
    predictFromFeatures: {},
  };

  const launchPlans = [
    flyte.launchPlan({ id: id(model.trainWorkflowName), workflow: workflows.train, defaultInputs: defaults.train }),
    flyte.launchPlan({ id: id(model.predictWorkflowName), workflow: workflows.predict, defaultInputs: defaults.predict }),
    flyte.launchPlan({ id: id(model.predictFromFeaturesWorkflowName), workflow: workflows.predictFromFeatures, defaultInputs: defaults.predictFromFeatures }),
  ];
  for (const schedule of model.schedules) {
    launchPlans.push(await scheduledLaunchPlan(model, plan, schedule, { id, workflows, interfaces, defaults, ctx }));
  }

  const bundle: flyte.Bundle = {
    tasks: (['dataset_task', 'train_task', 'predict_task', 'predict_from_features_task'] as const).map((t) => tasks[t]),
    workflows: [workflows.train, workflows.predict, workflows.predictFromFeatures],
    launchPlans,
  };
  return { plan, tasks, workflows, launchPlans, bundle, interfaces, defaults };
}

async function scheduledLaunchPlan(
  model: AnyModel,
  plan: ModelPlan,
  schedule: ModelSchedule,
  c: {
    id: (name: string) => flyte.EntityId;
    workflows: CompiledModel['workflows'];
    interfaces: CompiledModel['interfaces'];
    defaults: CompiledModel['defaults'];
    ctx: flyte.LiteralContext;
  },
): Promise<flyte.flyteidl.admin.ILaunchPlan> {
  const training = schedule.kind === 'training';
  const workflowInterface = training ? c.interfaces.train : c.interfaces.predict;
  const where = `${schedule.kind} schedule '${schedule.name}' of model '${model.name}'`;
  const { hyperparameters, loaderKwargs, splitterKwargs, parserKwargs, trainerKwargs, modelUri, ...readerArgs } = schedule.inputs as Record<string, unknown> & {
    trainerKwargs?: Record<string, unknown>;
    modelUri?: string;
  };
  const fixed: Record<string, unknown> = {};
  if (training) {
    if (hyperparameters !== undefined) fixed['hyperparameters'] = model.checkHyperparameters(hyperparameters);
    if (loaderKwargs !== undefined) fixed['loader_kwargs'] = loaderKwargs;
    if (splitterKwargs !== undefined) fixed['splitter_kwargs'] = splitterKwargs;
    if (parserKwargs !== undefined) fixed['parser_kwargs'] = parserKwargs;
    for (const [k, v] of Object.entries(trainerKwargs ?? {})) fixed[k] = v;
  } else {
    if (typeof modelUri !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(modelUri) || modelUri.startsWith('file:')) {
      throw new FlyteCompileError(
        'FLYTE_DECLARATION_MISSING',
        `the ${where} needs modelUri: the uri of a model file in Flyte's storage (e.g. s3://bucket/model.json)`,
        'pass schedulePrediction(name, { expression, modelUri, ... })',
      );
    }
    fixed['model_object'] = { uri: modelUri };
  }
  for (const [k, v] of Object.entries(readerArgs)) {
    if (!(k in plan.readerArgs))
      throw new FlyteCompileError('FLYTE_DECLARATION_MISSING', `the ${where} sets '${k}', which is not a reader argument of dataset '${model.dataset.name}'`);
    fixed[k] = v;
  }
  const timeArg = schedule.readerTimeArg;
  if (timeArg !== undefined) {
    const declared = plan.readerArgs[timeArg];
    if (!declared || declared.type.kind !== 'datetime') {
      throw new FlyteCompileError(
        'FLYTE_DECLARATION_MISSING',
        `the ${where} passes the scheduled time to '${timeArg}', which is not a date reader argument`,
        "declare it in the dataset's readerArgs as z.date()",
      );
    }
    delete fixed[timeArg];
  }
  const fixedInputs: Record<string, Literal> = {};
  for (const [k, v] of Object.entries(fixed)) fixedInputs[k] = await flyte.toLiteral(v, workflowInterface.inputs[k]!, c.ctx, k);
  const defaults = Object.fromEntries(Object.entries(training ? c.defaults.train : c.defaults.predict).filter(([k]) => !(k in fixedInputs) && k !== timeArg));
  const unset = Object.keys(workflowInterface.inputs).filter((k) => !(k in fixedInputs) && !(k in defaults) && k !== timeArg);
  if (unset.length) {
    throw new FlyteCompileError(
      'FLYTE_DECLARATION_MISSING',
      `the ${where} leaves the required input${unset.length > 1 ? 's' : ''} ${unset.map((k) => `'${k}'`).join(', ')} unset; a scheduled run has nobody to ask`,
      'give them in the schedule options',
    );
  }
  if (schedule.expression !== undefined) flyte.validateCron(schedule.expression);
  const when: flyte.Schedule =
    schedule.expression !== undefined
      ? { cron: schedule.expression, ...(schedule.offset ? { offset: schedule.offset } : {}), ...(timeArg ? { kickoffTimeInputArg: timeArg } : {}) }
      : { fixedRate: schedule.fixedRate!, ...(timeArg ? { kickoffTimeInputArg: timeArg } : {}) };
  return flyte.launchPlan({
    id: c.id(schedule.name),
    workflow: training ? c.workflows.train : c.workflows.predict,
    defaultInputs: defaults,
    fixedInputs,
    schedule: when,
  });
}

/** A literal context for constants (no data is written). */
function literalContext(): flyte.LiteralContext {
  const dir = tmpdir();
  return { storage: flyte.storageFor(dir), rawOutputPrefix: pathToFileURL(dir).href, workDir: dir, transformers: TRANSFORMERS };
}
