// The remote model operations: deploy, train, predict, wait, load, model versions and schedules against FlyteAdmin.
// Loaded on first use by RemoteModel (remote-model.ts), so that importing @unionml/remote does not load the compiler,
// the Flyte type engine or gRPC.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  compileModel,
  predictInputValues,
  trainInputValues,
  TRANSFORMERS,
  workflowInputLiterals,
  type CompiledModel,
  type WorkflowKey,
} from '@unionml/compiler';
import {
  importAppModule,
  parseAppAddress,
  PredictInputError,
  unflattenMetrics,
  resolveAppModule,
  type AnyModel,
  type AppAddress,
  type Logger,
  type Metrics,
} from '@unionml/core';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { copyFileAtomic, fastExecuteArgs, flyteidl, fromLiteralMap, int64ToNumber, type LiteralContext } from '@unionml/flyte';
import { appVersion as gitAppVersion } from '../app-version.js';
import { buildAppImage } from '../build.js';
import { ImageError, RemoteError } from '../errors.js';
import { imageReference, registryFor, SANDBOX_REGISTRY } from '../naming.js';
import { packAppCode } from '../patch.js';
import { isLocalEndpoint, type AdminLike, type Connection } from './connection.js';
import { DataProxyUploads, executionOutputs, noUploads } from './data.js';
import {
  adminDetails,
  adminStatus,
  describeVersions,
  executionFilter,
  executionPhase,
  isDifferentStructure,
  isIdenticalStructure,
  isTerminal,
  nodePhase,
  terminalError,
} from './executions.js';
import type {
  DeployOptions,
  DeployResult,
  ExecutionRef,
  ExecutionStatus,
  ExecutionSummary,
  FetchModelOptions,
  ListOptions,
  NodeProgress,
  RegisteredEntity,
  RemoteArtifact,
  RemoteExecution,
  RemotePredictOptions,
  RemoteTrainOptions,
  ScheduleStateOptions,
  WaitOptions,
} from './types.js';

/** The command every task container runs (the `unionml` CLI on the image's PATH), as `unionml package` compiles it. */
export const TASK_ENTRYPOINT: readonly string[] = ['unionml', 'execute'];
/** What a patched task runs first: it extracts the code archive, then runs {@link TASK_ENTRYPOINT}. */
export const FAST_ENTRYPOINT: readonly string[] = ['unionml', 'fast-execute'];

const { ResourceType } = flyteidl.core;
const DESCENDING = flyteidl.admin.Sort.Direction.DESCENDING;
const NEWEST_FIRST = { key: 'created_at', direction: DESCENDING };

/** What every operation works with: the model, the resolved options and the connection. */
export interface RemoteContext {
  model: AnyModel;
  project: string;
  domain: string;
  appDir: string;
  app: string | undefined;
  registry: string | undefined;
  imageName: string | undefined;
  dockerfile: string | undefined;
  patchDestinationDir: string | undefined;
  logger: Logger;
  connection: Connection;
  /** Made once per RemoteModel. */
  cache: { compiled?: Promise<CompiledModel>; uploads?: Promise<DataProxyUploads> };
}

// ---------------------------------------------------------------------------------------------------------------
// deploy

/**
 * Builds and pushes the app's image, makes sure the project exists, compiles the model for that image and version
 * and registers its tasks, workflows, default launch plans and schedules (idempotently), then activates the schedules
 * declared `activateOnDeploy`.
 */
export async function deploy(ctx: RemoteContext, options: DeployOptions): Promise<DeployResult> {
  if (options.patch === true) return deployPatch(ctx, options);
  const started = performance.now();
  const { model, project, domain } = ctx;
  const version = options.appVersion ?? gitAppVersion(ctx.appDir, { allowUncommitted: options.allowUncommitted === true });
  const endpoint = await ctx.connection.endpoint();
  const local = isLocalEndpoint(endpoint);
  if (!ctx.registry && !local) {
    throw new ImageError(
      'IMAGE_REGISTRY_REQUIRED',
      `You must specify a registry in \`remote(model, { registry })\` when deploying to a remote cluster (endpoint ${endpoint}).`,
      'pass a registry the cluster pulls from, e.g. remote(model, { registry: "ghcr.io/acme" }) or --registry ghcr.io/acme',
    );
  }
  const registry = registryFor({ endpoint, registry: ctx.registry, sandbox: !ctx.registry && local });
  // Checked before the (long) build: the address is in every task's container arguments, and FlyteAdmin must answer.
  const address = await appAddress(ctx);
  const admin = await ctx.connection.admin();
  const image = imageReference({ registry, imageName: ctx.imageName, modelName: model.name, version });
  ctx.logger.info(`Using remote endpoint ${endpoint}${registry === SANDBOX_REGISTRY ? ` (registry ${registry})` : ''}`);
  ctx.logger.info(`Deploying app version ${version} of model '${model.name}' to ${project}/${domain}`);
  ctx.logger.info(`Building docker image ${image}. If no dependencies have changed, deploy with patch to skip the build.`);
  const buildStarted = performance.now();
  await buildAppImage(model, {
    cwd: ctx.appDir,
    version,
    registry,
    imageName: ctx.imageName,
    dockerfile: ctx.dockerfile,
    buildArgs: options.buildArgs,
    networkMode: options.network,
    push: true,
    onBuildEvent: options.onBuildEvent,
    onPushEvent: options.onPushEvent,
  });
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  const registerStarted = performance.now();
  const { registered, activated } = await registerApp(ctx, admin, { address, image, version, schedule: options.schedule !== false });
  const registerSeconds = (performance.now() - registerStarted) / 1000;
  return {
    appVersion: version,
    image,
    project,
    domain,
    registered,
    activated,
    seconds: { build: buildSeconds, register: registerSeconds, total: (performance.now() - started) / 1000 },
  };
}

/**
 * A patch deploy (Python UnionML's `patch=True`, flytekit's fast registration): no image is built. The app's files are
 * packed into a code archive, uploaded through DataProxy, and the model is registered with the image of the newest
 * deployed app version and tasks that extract the archive before running (`unionml fast-execute`). The version is
 * `{commit}-patch{digest}` (uncommitted changes allowed), the digest being the archive's: the same code gives the same
 * version, so deploying it again is a no-op (Python UnionML draws a random suffix instead).
 */
async function deployPatch(ctx: RemoteContext, options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const { model, project, domain } = ctx;
  const address = await appAddress(ctx);
  const code = await packAppCode(ctx.appDir, { dockerfile: ctx.dockerfile });
  const version = options.appVersion ?? `${gitAppVersion(ctx.appDir, { allowUncommitted: true })}-patch${code.digest.slice(0, 7)}`;
  const endpoint = await ctx.connection.endpoint();
  const admin = await ctx.connection.admin();
  const base = await deployedImage(ctx, admin);
  ctx.logger.info(`Using remote endpoint ${endpoint}`);
  ctx.logger.info(`Deploying app version ${version} of model '${model.name}' to ${project}/${domain} (patch of app version ${base.version})`);
  const uploadStarted = performance.now();
  // Under a root named by the digest (as flytekit names fast archives by their MD5): the same code, the same URL.
  const uploads = await DataProxyUploads.open(admin, project, domain, `unionml-fast-${code.digest.slice(0, 32)}`);
  const distribution = `${uploads.prefix}/fast${code.digest.slice(0, 32)}.tar.gz`;
  await uploads.write(distribution, code.bytes);
  ctx.logger.info(`Uploaded the app's code (${code.files} files, ${code.bytes.length} bytes) to ${distribution}`);
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;

  const registerStarted = performance.now();
  const entrypoint = [...FAST_ENTRYPOINT, ...fastExecuteArgs(distribution, ctx.patchDestinationDir), ...TASK_ENTRYPOINT];
  const { registered, activated } = await registerApp(ctx, admin, {
    address,
    image: base.image,
    version,
    schedule: options.schedule !== false,
    entrypoint,
  });
  const registerSeconds = (performance.now() - registerStarted) / 1000;
  return {
    appVersion: version,
    image: base.image,
    project,
    domain,
    registered,
    activated,
    patch: { of: base.version, distribution, files: code.files, bytes: code.bytes.length },
    seconds: { build: uploadSeconds, register: registerSeconds, total: (performance.now() - started) / 1000 },
  };
}

/**
 * The image and app version of the newest deployed app version (the container image of its `{model}.train_task`); a
 * model never deployed is REMOTE_NOT_DEPLOYED, as there is no image to patch.
 */
async function deployedImage(ctx: RemoteContext, admin: AdminLike): Promise<{ image: string; version: string }> {
  const { project, domain, model } = ctx;
  const name = `${model.name}.train_task`;
  const { tasks } = await admin.service.listTasks({ id: { project, domain, name }, limit: 1, sortBy: NEWEST_FIRST });
  const task = tasks[0];
  const image = task?.closure?.compiledTask?.template?.container?.image;
  if (!task || !image) {
    throw new RemoteError(
      'REMOTE_NOT_DEPLOYED',
      `model '${model.name}' has no app version in ${project}/${domain} whose image a patch could reuse (FlyteAdmin has no task ${name})`,
      {
        hint: 'deploy once without --patch (that builds and pushes the image); later code-only changes can then be deployed with --patch',
      },
    );
  }
  return { image, version: task.id?.version ?? '' };
}

/**
 * Registers the model compiled for `image` and `version`: the project if missing, then the tasks, the workflows and
 * the launch plans (the schedules' too with `schedule`), each kind at once. An entity FlyteAdmin already has with the
 * same definition (ALREADY_EXISTS) counts as registered; one with another definition is REMOTE_VERSION_CONFLICT. Then
 * activates the schedules declared `activateOnDeploy`.
 */
export async function registerApp(
  ctx: RemoteContext,
  admin: AdminLike,
  options: { address: AppAddress; image: string; version: string; schedule: boolean; entrypoint?: readonly string[] },
): Promise<{ registered: RegisteredEntity[]; activated: string[] }> {
  const { model, project, domain } = ctx;
  const { image, version } = options;
  await ensureProject(admin, project);
  const compiled = await compileModel(model, {
    entrypoint: options.entrypoint ?? TASK_ENTRYPOINT,
    module: options.address.module,
    exportName: options.address.exportName,
    image,
    version,
    project,
    domain,
  });
  const schedules = new Set(model.schedules.map((s) => s.name));
  const launchPlans = compiled.launchPlans.filter((lp) => options.schedule || !schedules.has(lp.id!.name!));
  const outcomes = new Map<string, boolean>();
  const register = async (kind: RegisteredEntity['kind'], name: string, create: () => Promise<unknown>) => {
    try {
      await create();
      outcomes.set(`${kind}/${name}`, true);
    } catch (error) {
      if (isIdenticalStructure(error)) {
        outcomes.set(`${kind}/${name}`, false);
        return;
      }
      if (isDifferentStructure(error)) {
        throw new RemoteError(
          'REMOTE_VERSION_CONFLICT',
          `app version ${version} of model '${model.name}' is already registered in ${project}/${domain} with a different ${kind === 'launchPlan' ? 'launch plan' : kind} ${name}: ${firstLine(adminDetails(error))}`,
          { cause: error, hint: 'commit your changes (the app version is the commit) or pass a new app version' },
        );
      }
      throw error;
    }
  };
  const tasks = Object.values(compiled.tasks).map((spec) => ({ name: spec.template!.id!.name!, id: spec.template!.id!, spec }));
  const workflows = Object.values(compiled.workflows).map((spec) => ({ name: spec.template!.id!.name!, id: spec.template!.id!, spec }));
  // Tasks, then the workflows that use them, then their launch plans: each kind at once.
  await Promise.all(tasks.map(({ name, id, spec }) => register('task', name, () => admin.service.createTask({ id, spec }))));
  await Promise.all(
    workflows.map(({ name, id, spec }) => {
      ctx.logger.info(`Deploying workflow '${name}'`);
      return register('workflow', name, () => admin.service.createWorkflow({ id, spec }));
    }),
  );
  await Promise.all(
    launchPlans.map((lp) => {
      if (schedules.has(lp.id!.name!)) ctx.logger.info(`Deploying launchplan '${lp.id!.name!}'`);
      return register('launchPlan', lp.id!.name!, () => admin.service.createLaunchPlan({ id: lp.id!, spec: lp.spec! }));
    }),
  );
  const registered: RegisteredEntity[] = [
    ...tasks.map(({ name }) => ({ kind: 'task' as const, name })),
    ...workflows.map(({ name }) => ({ kind: 'workflow' as const, name })),
    ...launchPlans.map((lp) => ({ kind: 'launchPlan' as const, name: lp.id!.name! })),
  ].map((entity) => ({ ...entity, version, created: outcomes.get(`${entity.kind}/${entity.name}`) === true }));

  const activated: string[] = [];
  if (options.schedule) {
    for (const schedule of model.schedules.filter((s) => s.activateOnDeploy)) {
      await setLaunchPlanState(ctx, admin, schedule.name, version, true);
      activated.push(schedule.name);
    }
  }
  return { registered, activated };
}

/** Registers the project unless FlyteAdmin has it (as Python UnionML's create_project). */
async function ensureProject(admin: AdminLike, project: string): Promise<void> {
  const { projects } = await admin.service.listProjects({ filters: `eq(project.identifier,${project})` });
  if (projects.some((p) => p.id === project)) return;
  try {
    await admin.service.registerProject({ project: { id: project, name: project, description: project } });
  } catch (error) {
    if (adminStatus(error) !== 'ALREADY_EXISTS') throw error;
  }
}

/**
 * The app address the task containers import the model by: the option, else the export of the app folder's `app`
 * module that is this model.
 */
async function appAddress(ctx: RemoteContext): Promise<AppAddress> {
  if (ctx.app) return parseAppAddress(ctx.app);
  let file: string;
  try {
    file = resolveAppModule('app', ctx.appDir);
  } catch (error) {
    throw new RemoteError(
      'REMOTE_APP_UNKNOWN',
      `cannot tell which module exports model '${ctx.model.name}': ${ctx.appDir} has no app module (${errorMessage(error).split('\n')[0]})`,
      {
        cause: error,
        hint: "pass the app address: remote(model, { app: 'app:model', appDir })",
      },
    );
  }
  const namespace = await importAppModule(file);
  const exportName = Object.keys(namespace).find((key) => namespace[key] === ctx.model);
  if (!exportName) {
    throw new RemoteError('REMOTE_APP_UNKNOWN', `${file} does not export model '${ctx.model.name}' (the Model object given to remote())`, {
      hint: "pass the app address: remote(model, { app: 'module:export', appDir })",
    });
  }
  return { module: 'app', exportName };
}

// ---------------------------------------------------------------------------------------------------------------
// launch plans and executions

/**
 * The id of launch plan `name`: of the version given, else the newest registered. Unknown versions are
 * REMOTE_VERSION_UNKNOWN listing the registered ones; none at all is REMOTE_NOT_DEPLOYED.
 */
export async function launchPlanId(ctx: RemoteContext, admin: AdminLike, name: string, version: string | undefined): Promise<flyteidl.core.IIdentifier> {
  const { project, domain } = ctx;
  const id = { resourceType: ResourceType.LAUNCH_PLAN, project, domain, name };
  if (version !== undefined) {
    try {
      const lp = await admin.service.getLaunchPlan({ id: { ...id, version } });
      return lp.id ?? { ...id, version };
    } catch (error) {
      if (adminStatus(error) !== 'NOT_FOUND') throw error;
    }
  }
  const { launchPlans, token } = await admin.service.listLaunchPlans({
    id: { project, domain, name },
    limit: version === undefined ? 1 : 100,
    sortBy: NEWEST_FIRST,
  });
  if (launchPlans.length === 0) {
    throw new RemoteError('REMOTE_NOT_DEPLOYED', `model '${ctx.model.name}' is not deployed to ${project}/${domain}: FlyteAdmin has no launch plan ${name}`, {
      hint: `deploy it first (app.deploy(), unionml deploy APP:MODEL)${project === 'flytesnacks' ? '' : `, or check the project (${project})`}`,
    });
  }
  if (version === undefined) return launchPlans[0]!.id!;
  const versions = launchPlans.map((lp) => lp.id!.version!);
  throw new RemoteError(
    'REMOTE_VERSION_UNKNOWN',
    `app version ${version} of model '${ctx.model.name}' is not deployed to ${project}/${domain}: launch plan ${name} has the versions ${describeVersions(versions, token ? versions.length + 1 : versions.length)} (newest first)`,
    { hint: 'pass one of them, or leave the version out to use the newest' },
  );
}

/** Starts an execution of a launch plan with these inputs and logs its console link (as Python UnionML). */
async function createExecution<K extends 'train' | 'predict'>(
  ctx: RemoteContext,
  admin: AdminLike,
  kind: K,
  launchPlan: flyteidl.core.IIdentifier,
  literals: Record<string, flyteidl.core.ILiteral>,
): Promise<RemoteExecution<K>> {
  const { project, domain } = ctx;
  const response = await admin.service.createExecution({
    project,
    domain,
    spec: { launchPlan, metadata: { mode: flyteidl.admin.ExecutionMetadata.ExecutionMode.MANUAL, principal: 'unionml' } },
    inputs: { literals },
  });
  const name = response.id?.name ?? '';
  const url = await ctx.connection.consoleUrl(project, domain, name);
  ctx.logger.info(`Executing ${launchPlan.name}, execution name: ${name}.\nGo to ${url} to see the execution in the console.`);
  return { kind, name, project, domain, launchPlan: { name: launchPlan.name ?? '', version: launchPlan.version ?? '' }, url };
}

/** The workflow execution id of a reference. */
function executionId(ctx: RemoteContext, ref: ExecutionRef): { project: string; domain: string; name: string } {
  if (typeof ref === 'string') return { project: ctx.project, domain: ctx.domain, name: ref };
  return { project: ref.project ?? ctx.project, domain: ref.domain ?? ctx.domain, name: ref.name };
}

/** GetExecution; an unknown name is REMOTE_EXECUTION_UNKNOWN. */
async function getExecution(ctx: RemoteContext, admin: AdminLike, ref: ExecutionRef, what = 'execution'): Promise<flyteidl.admin.Execution> {
  const id = executionId(ctx, ref);
  try {
    return await admin.service.getExecution({ id });
  } catch (error) {
    if (adminStatus(error) !== 'NOT_FOUND') throw error;
    throw new RemoteError('REMOTE_EXECUTION_UNKNOWN', `${what} ${id.name} does not exist in ${id.project}/${id.domain}`, {
      cause: error,
      execution: id.name,
      hint: what === 'model version' ? 'list the model versions: app.listModelVersions()' : 'check the name (and the project and domain)',
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// wait

/** How long FlyteAdmin may stay unreachable during a wait without a timeout before the wait gives up. */
export const UNAVAILABLE_GRACE_MS = 10 * 60_000;

/**
 * Polls GetExecution (and ListNodeExecutions, for `onProgress`) until the execution is terminal. SUCCEEDED resolves;
 * FAILED, ABORTED and TIMED_OUT reject with their coded errors. FlyteAdmin being unavailable (restarting) is waited
 * out: the client retries each call, and the wait retries the poll.
 */
export async function wait(ctx: RemoteContext, ref: ExecutionRef, options: WaitOptions = {}): Promise<ExecutionStatus> {
  const admin = await ctx.connection.admin();
  const id = executionId(ctx, ref);
  const url = await ctx.connection.consoleUrl(id.project, id.domain, id.name);
  const started = performance.now();
  const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
  const maxPause = Math.max(1, options.pollMs ?? 5_000);
  let lastShown = '';
  let unavailableSince: number | undefined;
  let warned = false;
  /** Node id -> the node's name in the workflow (its task's short name), read once. */
  let names: ReadonlyMap<string, string> | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    let execution: flyteidl.admin.Execution | undefined;
    let nodes: NodeProgress[] = [];
    try {
      execution = await getExecution(ctx, admin, id);
      if (options.onProgress) {
        names ??= await nodeNames(admin, execution);
        nodes = await nodeProgress(admin, id, names);
      }
      unavailableSince = undefined;
    } catch (error) {
      if (!isUnavailableError(error)) throw error;
      unavailableSince ??= performance.now();
      const grace = deadline === undefined ? unavailableSince + UNAVAILABLE_GRACE_MS : deadline;
      if (performance.now() >= grace) throw error;
      if (!warned) ctx.logger.warn(`${errorMessage(error)}; still waiting for execution ${id.name}`);
      warned = true;
    }
    if (execution) {
      const phase = executionPhase(execution.closure?.phase);
      const progress = { name: id.name, phase, elapsedSeconds: (performance.now() - started) / 1000, nodes };
      const shown = JSON.stringify([phase, nodes.map((n) => [n.id, n.phase])]);
      if (options.onProgress && shown !== lastShown) options.onProgress(progress);
      lastShown = shown;
      if (isTerminal(phase)) {
        const error = terminalError(execution, url);
        if (error) throw error;
        const launchPlan = execution.spec?.launchPlan;
        return {
          ...progress,
          url,
          launchPlan: { name: launchPlan?.name ?? '', version: launchPlan?.version ?? '' },
          durationSeconds: durationSeconds(execution.closure?.duration),
        };
      }
    }
    const now = performance.now();
    if (deadline !== undefined && now >= deadline) {
      const phase = execution ? executionPhase(execution.closure?.phase) : 'unknown (FlyteAdmin unavailable)';
      throw new RemoteError(
        'REMOTE_WAIT_TIMEOUT',
        `execution ${id.name} is still ${String(phase).toLowerCase()} after ${((now - started) / 1000).toFixed(0)} s of waiting: ${url}`,
        { execution: id.name, url, hint: 'wait again (app.wait(execution)) or follow it in the console' },
      );
    }
    // A tenth of the time waited so far (250 ms at first, then up to pollMs): a short execution is seen finished within
    // a few hundred milliseconds, a long one costs a call every few seconds.
    const pause = Math.min(maxPause, Math.max(250, (now - started) / 10));
    await sleep(deadline === undefined ? pause : Math.min(pause, Math.max(0, deadline - now)), options.signal);
  }
}

function isUnavailableError(error: unknown): boolean {
  return isUnionMLError(error) && (error.code === 'FLYTE_ADMIN_UNAVAILABLE' || error.code === 'FLYTE_ADMIN_TIMEOUT');
}

async function nodeProgress(
  admin: AdminLike,
  id: { project: string; domain: string; name: string },
  names: ReadonlyMap<string, string>,
): Promise<NodeProgress[]> {
  const { nodeExecutions } = await admin.service.listNodeExecutions({ workflowExecutionId: id, limit: 100 });
  return nodeExecutions
    .filter((n) => n.id?.nodeId && n.id.nodeId !== 'start-node' && n.id.nodeId !== 'end-node')
    .map((n) => {
      const nodeId = n.id!.nodeId!;
      const name = names.get(nodeId);
      return { id: nodeId, ...(name ? { name } : {}), phase: nodePhase(n.closure?.phase), seconds: durationSeconds(n.closure?.duration) };
    });
}

/**
 * The names of the execution's workflow nodes (`dataset_task`, `train_task`: flytekit and our compiler name a node
 * after its task), from the workflow's compiled closure: FlyteAdmin's node executions carry only ids (n0, n1). One
 * GetWorkflow per wait. Names are only for display, so a workflow that cannot be read gives none (the ids are shown);
 * FlyteAdmin being unavailable is the poll's to retry.
 */
async function nodeNames(admin: AdminLike, execution: flyteidl.admin.IExecution): Promise<ReadonlyMap<string, string>> {
  const workflowId = execution.closure?.workflowId;
  if (!workflowId?.name) return new Map();
  try {
    const workflow = await admin.service.getWorkflow({ id: workflowId });
    const nodes = workflow.closure?.compiledWorkflow?.primary?.template?.nodes ?? [];
    return new Map(nodes.flatMap((node) => (node.id && node.metadata?.name ? [[node.id, node.metadata.name] as const] : [])));
  } catch (error) {
    if (isUnavailableError(error)) throw error;
    return new Map();
  }
}

function durationSeconds(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!duration) return 0;
  return int64ToNumber(duration.seconds as number | undefined) + (duration.nanos ?? 0) / 1e9;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  // Rejects with the signal's reason (not the AbortError node:timers makes), as the callers' own checks do.
  return delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
  });
}

/** The execution, finished: waited for first when it is still running (as Python UnionML's remote_load). */
async function finished(ctx: RemoteContext, admin: AdminLike, ref: ExecutionRef, what: string): Promise<flyteidl.admin.Execution> {
  let execution = await getExecution(ctx, admin, ref, what);
  if (!isTerminal(executionPhase(execution.closure?.phase))) {
    await wait(ctx, ref);
    execution = await getExecution(ctx, admin, ref, what);
  }
  const id = executionId(ctx, ref);
  const error = terminalError(execution, await ctx.connection.consoleUrl(id.project, id.domain, id.name));
  if (error) throw error;
  return execution;
}

// ---------------------------------------------------------------------------------------------------------------
// train, models

/** The launch plans whose executions train the model: `{model}.train` and the training schedules. */
function trainingLaunchPlans(model: AnyModel): string[] {
  return [model.trainWorkflowName, ...model.schedules.filter((s) => s.kind === 'training').map((s) => s.name)];
}

/** The launch plans whose executions predict: `{model}.predict`, `{model}.predict_from_features` and the prediction schedules. */
function predictionLaunchPlans(model: AnyModel): string[] {
  return [model.predictWorkflowName, model.predictFromFeaturesWorkflowName, ...model.schedules.filter((s) => s.kind === 'prediction').map((s) => s.name)];
}

/** The model compiled for its interfaces and defaults (the image and version do not matter for those). */
function compiled(ctx: RemoteContext): Promise<CompiledModel> {
  ctx.cache.compiled ??= compileModel(ctx.model, {
    entrypoint: TASK_ENTRYPOINT,
    module: 'app',
    exportName: 'model',
    image: 'unionml-remote',
    version: 'remote',
  });
  ctx.cache.compiled.catch(() => (ctx.cache.compiled = undefined));
  return ctx.cache.compiled;
}

/** A literal context for inputs: uploads (files, DataFrames) go through DataProxy when `upload`, else nothing may be uploaded. */
async function inputContext(ctx: RemoteContext, admin: AdminLike, upload: boolean): Promise<LiteralContext> {
  const workDir = await mkdtemp(join(tmpdir(), 'unionml-remote-inputs-'));
  if (!upload) return { storage: noUploads(await ctx.connection.storage()), rawOutputPrefix: pathToFileURL(workDir).href, workDir, transformers: TRANSFORMERS };
  ctx.cache.uploads ??= DataProxyUploads.open(admin, ctx.project, ctx.domain);
  ctx.cache.uploads.catch(() => (ctx.cache.uploads = undefined));
  const uploads = await ctx.cache.uploads;
  return { storage: uploads, rawOutputPrefix: uploads.prefix, workDir, transformers: TRANSFORMERS };
}

/** Starts `{model}.train` with the inputs converted exactly as a compiled local run converts them. */
export async function startTraining(ctx: RemoteContext, inputs: Record<string, unknown>, options: RemoteTrainOptions): Promise<RemoteExecution<'train'>> {
  // Checked before any call: a typo in a hyperparameter should not cost a round trip.
  const values = trainInputValues(ctx.model, inputs);
  const admin = await ctx.connection.admin();
  const [lp, model] = await Promise.all([launchPlanId(ctx, admin, ctx.model.trainWorkflowName, options.appVersion), compiled(ctx)]);
  const literals = await workflowInputLiterals(model.interfaces.train, values, await inputContext(ctx, admin, false));
  return createExecution(ctx, admin, 'train', lp, literals);
}

/**
 * The training execution of a model version: `latest` is the newest SUCCEEDED execution of `{model}.train` or of a
 * training schedule (of `appVersion` when given, else of any version); a name must be a training of this model.
 */
async function modelExecution(ctx: RemoteContext, admin: AdminLike, modelVersion: string, appVersion: string | undefined): Promise<flyteidl.admin.IExecution> {
  const names = trainingLaunchPlans(ctx.model);
  if (modelVersion === 'latest') {
    const { executions } = await admin.service.listExecutions({
      id: { project: ctx.project, domain: ctx.domain },
      limit: 1,
      filters: executionFilter({ launchPlans: names, appVersion, phase: 'SUCCEEDED' }),
      sortBy: NEWEST_FIRST,
    });
    if (executions.length === 0) {
      throw new RemoteError(
        'REMOTE_NO_MODEL_VERSION',
        `model '${ctx.model.name}' has no successful training in ${ctx.project}/${ctx.domain}${appVersion ? ` with app version ${appVersion}` : ''} (executions of ${names.join(', ')})`,
        { hint: 'train one first: app.train(), unionml train APP:MODEL' },
      );
    }
    return executions[0]!;
  }
  const execution = await getExecution(ctx, admin, modelVersion, 'model version');
  const launchPlan = execution.spec?.launchPlan?.name ?? '';
  if (!names.includes(launchPlan)) {
    throw new RemoteError(
      'REMOTE_EXECUTION_UNKNOWN',
      `${modelVersion} is an execution of ${launchPlan || 'something else'}, not a training of model '${ctx.model.name}' (${names.join(', ')})`,
      { execution: modelVersion, hint: 'list the model versions: app.listModelVersions()' },
    );
  }
  return execution;
}

/**
 * The artifact of a finished training execution: its outputs read back (inline or through the signed URL), the model
 * file downloaded with the config's storage settings and loaded as `model.load` loads it (which sets `model.artifact`).
 */
export async function loadTraining(ctx: RemoteContext, ref: ExecutionRef, options: { output?: string | undefined } = {}): Promise<RemoteArtifact> {
  const admin = await ctx.connection.admin();
  const execution = await finished(ctx, admin, ref, 'model version');
  const id = executionId(ctx, ref);
  const launchPlan = execution.spec?.launchPlan?.name ?? '';
  if (!trainingLaunchPlans(ctx.model).includes(launchPlan)) {
    throw new RemoteError(
      'REMOTE_EXECUTION_UNKNOWN',
      `${id.name} is an execution of ${launchPlan || 'something else'}, not a training of model '${ctx.model.name}'`,
      {
        execution: id.name,
        hint: 'pass a training execution (a model version)',
      },
    );
  }
  const storage = await ctx.connection.storage();
  const [outputs, model] = await Promise.all([executionOutputs(admin, id, storage), compiled(ctx)]);
  const workDir = await mkdtemp(join(tmpdir(), 'unionml-remote-model-'));
  const values = await fromLiteralMap(outputs, model.interfaces.train.outputs, {
    storage,
    rawOutputPrefix: pathToFileURL(workDir).href,
    workDir,
    transformers: TRANSFORMERS,
  });
  const blob = values['model_object'] as { uri: string; path: string };
  let modelFile = blob.path;
  if (options.output) {
    modelFile = resolve(options.output);
    await copyFileAtomic(blob.path, modelFile);
  }
  const modelObject: unknown = await ctx.model.load(modelFile);
  const hyperparameters = values['hyperparameters'];
  // A Flyte map of floats, `{"train.accuracy": 0.99}` (Python UnionML's apps give `{"train": 0.99}`).
  const metrics: Metrics = unflattenMetrics((values['metrics'] ?? {}) as Record<string, unknown>, ctx.model.metricName);
  // The outputs are the record of the training; the model file (loaded above) holds the same and more.
  ctx.model.artifact = { ...ctx.model.artifact, modelObject, hyperparameters, metrics };
  return {
    modelObject,
    hyperparameters,
    metrics,
    featureSchema: ctx.model.artifact?.featureSchema,
    modelVersion: id.name,
    modelUri: blob.uri,
    modelFile,
  };
}

/** `fetchModel`: the artifact of a model version, without changing `model.artifact`. */
export async function fetchModel(ctx: RemoteContext, modelVersion: string, options: FetchModelOptions): Promise<RemoteArtifact> {
  const admin = await ctx.connection.admin();
  const execution = await modelExecution(ctx, admin, modelVersion, options.appVersion);
  const previous = ctx.model.artifact;
  try {
    return await loadTraining(ctx, { name: execution.id!.name!, project: execution.id!.project!, domain: execution.id!.domain! }, options);
  } finally {
    ctx.model.artifact = previous;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// predict

/**
 * Starts `{model}.predict_from_features` (with `{ features }`, uploaded as a Parquet structured dataset through
 * DataProxy) or `{model}.predict` (with the reader's arguments), with the model file of the model version as
 * `model_object`.
 */
export async function startPrediction(ctx: RemoteContext, input: Record<string, unknown>, options: RemotePredictOptions): Promise<RemoteExecution<'predict'>> {
  if (input === null || typeof input !== 'object') {
    throw new PredictInputError(
      'At least one of features or reader arguments needs to be provided',
      'call app.predict({ features: [...] }) or app.predict({ ...readerArgs }) (or { inputs: readerArgs })',
    );
  }
  const withFeatures = 'features' in input && input['features'] !== undefined;
  const readerArgs = withFeatures ? undefined : ((input['inputs'] as Record<string, unknown> | undefined) ?? input);
  // Checked before any call.
  const checked = readerArgs ? predictInputValues(ctx.model, undefined, readerArgs) : undefined;
  const admin = await ctx.connection.admin();
  const workflow: WorkflowKey = withFeatures ? 'predictFromFeatures' : 'predict';
  const [execution, lp, model] = await Promise.all([
    modelExecution(ctx, admin, options.modelVersion ?? 'latest', options.appVersion),
    launchPlanId(ctx, admin, withFeatures ? ctx.model.predictFromFeaturesWorkflowName : ctx.model.predictWorkflowName, options.appVersion),
    compiled(ctx),
  ]);
  const id = execution.id!;
  const done = await finished(ctx, admin, { name: id.name!, project: id.project!, domain: id.domain! }, 'model version');
  const outputs = await executionOutputs(admin, done.id!, await ctx.connection.storage());
  const modelUri = outputs.literals?.['model_object']?.scalar?.blob?.uri;
  if (!modelUri) {
    throw new RemoteError('REMOTE_DATA_FAILED', `training execution ${id.name} has no model_object output`, { execution: id.name ?? undefined });
  }
  const values = withFeatures ? { model_object: { uri: modelUri }, features: input['features'] } : { ...checked, model_object: { uri: modelUri } };
  const literals = await workflowInputLiterals(model.interfaces[workflow], values, await inputContext(ctx, admin, withFeatures));
  return createExecution(ctx, admin, 'predict', lp, literals);
}

/** The predictions of a finished prediction execution (its `o0` output), waited for first if needed. */
export async function fetchPredictions(ctx: RemoteContext, ref: ExecutionRef): Promise<unknown> {
  const admin = await ctx.connection.admin();
  const execution = await finished(ctx, admin, ref, 'prediction');
  const launchPlan = execution.spec?.launchPlan?.name ?? '';
  const id = executionId(ctx, ref);
  if (!predictionLaunchPlans(ctx.model).includes(launchPlan)) {
    throw new RemoteError(
      'REMOTE_EXECUTION_UNKNOWN',
      `${id.name} is an execution of ${launchPlan || 'something else'}, not a prediction of model '${ctx.model.name}'`,
      {
        execution: id.name,
        hint: 'pass a prediction execution (a prediction id)',
      },
    );
  }
  const storage = await ctx.connection.storage();
  const [outputs, model] = await Promise.all([executionOutputs(admin, id, storage), compiled(ctx)]);
  const workDir = await mkdtemp(join(tmpdir(), 'unionml-remote-predictions-'));
  const values = await fromLiteralMap(outputs, model.interfaces.predict.outputs, {
    storage,
    rawOutputPrefix: pathToFileURL(workDir).href,
    workDir,
    transformers: TRANSFORMERS,
  });
  return values['o0'];
}

// ---------------------------------------------------------------------------------------------------------------
// listings and schedules

/** The app version listings default to: the app folder's git commit, uncommitted changes allowed (Python UnionML's default). */
function listVersion(ctx: RemoteContext, appVersion: string | undefined): string {
  return appVersion ?? gitAppVersion(ctx.appDir, { allowUncommitted: true });
}

async function listExecutions(
  ctx: RemoteContext,
  launchPlans: string[],
  options: { appVersion: string; limit: number; phase?: 'SUCCEEDED' },
): Promise<ExecutionSummary[]> {
  const admin = await ctx.connection.admin();
  const { executions } = await admin.service.listExecutions({
    id: { project: ctx.project, domain: ctx.domain },
    limit: options.limit,
    filters: executionFilter({ launchPlans, appVersion: options.appVersion, phase: options.phase }),
    sortBy: NEWEST_FIRST,
  });
  return Promise.all(
    executions.map(async (execution) => {
      const created = execution.closure?.createdAt;
      return {
        name: execution.id!.name!,
        phase: executionPhase(execution.closure?.phase),
        launchPlan: { name: execution.spec?.launchPlan?.name ?? '', version: execution.spec?.launchPlan?.version ?? '' },
        createdAt: created ? new Date(int64ToNumber(created.seconds) * 1000 + Math.round((created.nanos ?? 0) / 1e6)) : undefined,
        url: await ctx.connection.consoleUrl(ctx.project, ctx.domain, execution.id!.name!),
      };
    }),
  );
}

/** The model versions (successful trainings) of an app version, newest first. */
export async function listModelVersions(ctx: RemoteContext, options: ListOptions): Promise<string[]> {
  const list = await listExecutions(ctx, trainingLaunchPlans(ctx.model), {
    appVersion: listVersion(ctx, options.appVersion),
    limit: options.limit ?? 10,
    phase: 'SUCCEEDED',
  });
  return list.map((e) => e.name);
}

/** The prediction ids (successful predictions) of an app version, newest first. */
export async function listPredictionIds(ctx: RemoteContext, options: ListOptions): Promise<string[]> {
  const list = await listExecutions(ctx, predictionLaunchPlans(ctx.model), {
    appVersion: listVersion(ctx, options.appVersion),
    limit: options.limit ?? 10,
    phase: 'SUCCEEDED',
  });
  return list.map((e) => e.name);
}

/** The runs of a schedule (any phase), newest first. */
export async function listScheduledRuns(ctx: RemoteContext, kind: 'training' | 'prediction', name: string, options: ListOptions): Promise<ExecutionSummary[]> {
  scheduleNames(ctx.model, kind, [name]);
  return listExecutions(ctx, [name], { appVersion: listVersion(ctx, options.appVersion), limit: options.limit ?? 5 });
}

/** The names of the model's schedules (of one kind, or both), checked: an unknown name is Python UnionML's error. */
function scheduleNames(model: AnyModel, kind: 'training' | 'prediction' | undefined, names: readonly string[] | undefined): string[] {
  const declared = model.schedules.filter((s) => kind === undefined || s.kind === kind).map((s) => s.name);
  if (names === undefined) return declared;
  for (const name of names) {
    if (!declared.includes(name)) {
      throw new RemoteError('REMOTE_SCHEDULE_UNKNOWN', `Schedule '${name}' does not exist. Must be one of [${declared.map((n) => `'${n}'`).join(', ')}]`, {
        hint: declared.length
          ? 'use one of the names above'
          : `model '${model.name}' declares no ${kind ?? ''}${kind ? ' ' : ''}schedules (model.scheduleTraining(...), model.schedulePrediction(...))`,
      });
    }
  }
  return [...names];
}

/** Activates (or deactivates) the model's schedules of an app version; returns the names changed. */
export async function setSchedules(ctx: RemoteContext, active: boolean, options: ScheduleStateOptions): Promise<string[]> {
  const names = scheduleNames(ctx.model, undefined, options.names);
  const version = listVersion(ctx, options.appVersion);
  const admin = await ctx.connection.admin();
  for (const name of names) await setLaunchPlanState(ctx, admin, name, version, active);
  return names;
}

async function setLaunchPlanState(ctx: RemoteContext, admin: AdminLike, name: string, version: string, active: boolean): Promise<void> {
  const id = await launchPlanId(ctx, admin, name, version);
  const { LaunchPlanState } = flyteidl.admin;
  await admin.service.updateLaunchPlan({ id, state: active ? LaunchPlanState.ACTIVE : LaunchPlanState.INACTIVE });
  ctx.logger.info(`${active ? 'Activated' : 'Deactivated'} schedule '${name}' (version ${version})`);
}

// ---------------------------------------------------------------------------------------------------------------

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
