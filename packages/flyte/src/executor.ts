import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '@unionml/errors';
import { topologicalOrder } from './builders.js';
import { FlyteSpecError, FlyteTypeError, NodeFailedError } from './errors.js';
import { flyteidl, fromStruct, int64ToNumber, isSet } from './idl.js';
import { decodeMsgpack, encodeMsgpack, type TypeTransformers } from './literals.js';
import { randomName } from './storage.js';
import { areTypesCastable, describeLiteralType, isOptionalLiteralType, literalTypeForLiteral } from './typing.js';

/** Options of {@link executeWorkflowLocally}. */
export interface LocalExecutionOptions {
  /** The compiled workflow (from `workflowSpec`). */
  workflow: flyteidl.admin.IWorkflowSpec;
  /** The templates of the tasks its nodes reference (from `taskSpec`). */
  tasks: flyteidl.admin.ITaskSpec[];
  /** The workflow's inputs. */
  inputs: flyteidl.core.ILiteralMap;
  /**
   * The storage root: `<workDir>/metadata/<exec>/<nodeId>/data/{inputs.pb, <attempt>/outputs.pb|error.pb}`, raw data
   * under `<workDir>/data/<exec>-<nodeId>-<attempt>`.
   */
  workDir: string;
  /** The execution name (`[a-z][a-z0-9-]*`, at most 63); default a random 20-character name. */
  executionName?: string;
  /** Default: the workflow id's project. */
  project?: string;
  /** Default: the workflow id's domain. */
  domain?: string;
  /**
   * Maps the rendered container command + args (`[...command, ...args]`) to the local command to run (no shell),
   * e.g. to replace the image's entrypoint by `node dist/entrypoint.js`. Default: as is.
   */
  command?: (argv: string[], node: { id: string; task: flyteidl.core.ITaskTemplate }) => string[];
  /** The base environment of task processes (default `process.env`); the container's env and Flyte's are added. */
  env?: NodeJS.ProcessEnv;
  /** The working directory of task processes. */
  cwd?: string;
  /**
   * Called when a node starts, succeeds or fails, with the node's id and its task's name (the task template's
   * `id.name`, e.g. `digits_classifier.train_task`: what users know the node by).
   */
  onNode?: (event: NodeEvent) => void;
  /** Receives the task processes' output (default: captured only, the tail shown in errors). */
  onLog?: (event: { nodeId: string; stream: 'stdout' | 'stderr'; text: string }) => void;
  /**
   * Runs a node's command somewhere else than a local subprocess, e.g. in a container of the task's image. It gets
   * the command, the task's own environment (the container's env and Flyte's variables, without this process's),
   * and must resolve with the exit code and the stderr tail. Default: a local subprocess.
   */
  runner?: NodeRunner;
  /**
   * The type transformers of the run's tasks (made with `typeTransformers`). The executor moves literals and converts no
   * values itself; it hands these to the {@link runner} (`NodeRun.transformers`), so that a runner that runs a node's
   * task in this process passes them to `executeTask(..., { transformers })`. A subprocess cannot receive them: its
   * entrypoint passes its own to `executeTask`.
   */
  transformers?: TypeTransformers;
}

/** A node's progress, given to {@link LocalExecutionOptions.onNode}. */
export interface NodeEvent {
  /** The node's id in the workflow (`n0`, `n1`...). */
  nodeId: string;
  /** The name of the node's task (its template's `id.name`, e.g. `digits_classifier.train_task`). */
  taskName: string;
  phase: 'running' | 'succeeded' | 'failed';
  /** With `succeeded` and `failed`: the node's wall time (all attempts). */
  seconds?: number;
}

/** What a {@link NodeRunner} runs. */
export interface NodeRun {
  nodeId: string;
  task: flyteidl.core.ITaskTemplate;
  argv: string[];
  /** The container's env and Flyte's variables (FLYTE_INTERNAL_*...). */
  taskEnv: Record<string, string>;
  timeoutSeconds: number;
  onLog: ((stream: 'stdout' | 'stderr', text: string) => void) | undefined;
  /** The run's type transformers ({@link LocalExecutionOptions.transformers}), for a runner that runs the task in process. */
  transformers?: TypeTransformers;
}

/** Runs one node's command; see {@link LocalExecutionOptions.runner}. */
export type NodeRunner = (run: NodeRun) => Promise<{ exitCode: number | null; stderr: string; timedOut?: boolean }>;

/** The result of {@link executeWorkflowLocally}. */
export interface LocalExecutionResult {
  /** The workflow's outputs, resolved from its output bindings. */
  outputs: flyteidl.core.ILiteralMap;
  executionName: string;
  /** Each node run, in execution order, with its task's name and its wall time (all attempts). */
  nodes: { id: string; taskName: string; seconds: number }[];
}

const { ContainerError } = flyteidl.core;
const EXECUTION_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Runs a compiled workflow on this machine the way propeller would, walking the protobufs (not TypeScript
 * functions): for each task node in dependency order it resolves the bindings (workflow inputs, upstream outputs,
 * literals, collections and maps of bindings, attribute paths), writes the node's `inputs.pb`, renders propeller's
 * templates (`{{.input}}`, `{{.inputPrefix}}`, `{{.outputPrefix}}`, `{{.rawOutputDataPrefix}}`,
 * `{{.checkpointOutputPrefix}}`, `{{.prevCheckpointPrefix}}` (`""` when none), `{{.perRetryUniqueKey}}`,
 * `{{.namespace}}`, `{{.Inputs.<var>}}`; case-insensitive) in the container's command and args, sets propeller's
 * environment (`FLYTE_INTERNAL_EXECUTION_ID`, `..._PROJECT`, `..._DOMAIN`, `FLYTE_ATTEMPT_NUMBER`,
 * `FLYTE_INTERNAL_TASK_{PROJECT,DOMAIN,NAME,VERSION}`...), and runs the real command as a subprocess (no shell).
 *
 * Then, as propeller: `error.pb` first (a RECOVERABLE error is retried up to the node's retries), then the exit code,
 * then `outputs.pb` (missing while outputs are declared: "OutputsNotFound", retried). A failing node stops the run
 * with {@link NodeFailedError} carrying error.pb's message (or the exit code and the tail of stderr).
 */
export async function executeWorkflowLocally(options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const template = options.workflow?.template;
  if (!template?.id) throw new FlyteSpecError('the workflow spec has no template (with an id)', { field: 'workflow' });
  const wf = template.id.name ?? 'workflow';
  const executionName = options.executionName ?? `f${randomName(10).slice(0, 19)}`;
  if (!EXECUTION_NAME.test(executionName) || executionName.length > 63) {
    throw new FlyteSpecError(
      `invalid execution name ${JSON.stringify(executionName)}: use lowercase letters, digits and '-', starting with a letter (at most 63)`,
      { field: 'executionName' },
    );
  }
  const project = options.project ?? template.id.project ?? '';
  const domain = options.domain ?? template.id.domain ?? '';
  const workDir = resolvePath(options.workDir);
  const executionDir = join(workDir, 'metadata', executionName);
  if (await stat(executionDir).catch(() => undefined)) {
    throw new FlyteSpecError(`execution ${executionName} already exists in ${workDir}`, {
      field: 'executionName',
      hint: 'choose another execution name or work directory',
    });
  }

  const tasks = new Map<string, flyteidl.core.ITaskTemplate>();
  for (const spec of options.tasks) if (spec.template?.id) tasks.set(idKey(spec.template.id), spec.template);

  const workflowInputs = checkWorkflowInputs(template, options.inputs ?? {});
  await mkdir(executionDir, { recursive: true });
  await writeFile(join(executionDir, 'inputs.pb'), flyteidl.core.LiteralMap.encode({ literals: workflowInputs }).finish());

  const nodes = template.nodes ?? [];
  const byId = new Map(nodes.map((node) => [node.id ?? '', node]));
  const dependencies = new Map<string, Set<string>>();
  for (const node of nodes) {
    const deps = new Set<string>(node.upstreamNodeIds ?? []);
    for (const binding of node.inputs ?? []) collectPromises(binding.binding, deps);
    for (const dep of deps) {
      if (!byId.has(dep))
        throw new FlyteSpecError(`workflow ${wf}: node ${node.id} depends on node '${dep}', which does not exist (NodeReferenceNotFound)`, {
          field: `nodes.${node.id}`,
        });
    }
    dependencies.set(node.id ?? '', deps);
  }
  const order = topologicalOrder(
    nodes.map((node) => node.id ?? ''),
    dependencies,
    wf,
  );

  const outputs = new Map<string, Record<string, flyteidl.core.ILiteral>>();
  const results: LocalExecutionResult['nodes'] = [];
  const context: RunContext = {
    options,
    executionName,
    project,
    domain,
    workDir,
    executionDir,
    workflowId: `${template.id.project}:${template.id.domain}:${wf}`,
  };

  for (const nodeId of order) {
    const node = byId.get(nodeId)!;
    if (!node.taskNode?.referenceId) {
      throw new FlyteSpecError(`workflow ${wf}: node ${nodeId} is not a task node; the local executor runs task nodes only`, { field: `nodes.${nodeId}` });
    }
    const task = tasks.get(idKey(node.taskNode.referenceId));
    if (!task) {
      throw new FlyteSpecError(
        `workflow ${wf}: node ${nodeId} references task ${describeId(node.taskNode.referenceId)}, which is not among the given tasks (TaskReferenceNotFound)`,
        {
          field: `nodes.${nodeId}.taskNode`,
        },
      );
    }
    const taskName = task.id?.name ?? '';
    const started = performance.now();
    options.onNode?.({ nodeId, taskName, phase: 'running' });
    try {
      const literals: Record<string, flyteidl.core.ILiteral> = {};
      for (const binding of node.inputs ?? []) {
        literals[binding.var ?? ''] = await resolveBinding(binding.binding, {
          nodeId,
          variable: binding.var ?? '',
          workflowInputs,
          outputs,
          storageRoot: workDir,
        });
      }
      outputs.set(nodeId, await runNode(context, node, task, { literals }));
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      options.onNode?.({ nodeId, taskName, phase: 'failed', seconds });
      throw error;
    }
    const seconds = (performance.now() - started) / 1000;
    results.push({ id: nodeId, taskName, seconds });
    options.onNode?.({ nodeId, taskName, phase: 'succeeded', seconds });
  }

  const final: Record<string, flyteidl.core.ILiteral> = {};
  for (const binding of template.outputs ?? []) {
    final[binding.var ?? ''] = await resolveBinding(binding.binding, {
      nodeId: 'end-node',
      variable: binding.var ?? '',
      workflowInputs,
      outputs,
      storageRoot: workDir,
    });
  }
  const finalMap: flyteidl.core.ILiteralMap = { literals: final };
  await mkdir(join(executionDir, 'end-node', 'data', '0'), { recursive: true });
  await writeFile(join(executionDir, 'end-node', 'data', '0', 'outputs.pb'), flyteidl.core.LiteralMap.encode(finalMap).finish());
  return { outputs: finalMap, executionName, nodes: results };
}

interface RunContext {
  options: LocalExecutionOptions;
  executionName: string;
  project: string;
  domain: string;
  workDir: string;
  executionDir: string;
  workflowId: string;
}

function idKey(id: flyteidl.core.IIdentifier): string {
  return [id.project ?? '', id.domain ?? '', id.name ?? '', id.version ?? ''].join('\u0000');
}

function describeId(id: flyteidl.core.IIdentifier): string {
  return `${id.project}/${id.domain}/${id.name}@${id.version}`;
}

function checkWorkflowInputs(template: flyteidl.core.IWorkflowTemplate, inputs: flyteidl.core.ILiteralMap): Record<string, flyteidl.core.ILiteral> {
  const declared = template.interface?.inputs?.variables ?? {};
  const given = inputs.literals ?? {};
  const wf = template.id?.name ?? 'workflow';
  for (const name of Object.keys(given)) {
    if (!declared[name])
      throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `workflow ${wf} has no input '${name}' (inputs: ${Object.keys(declared).join(', ') || 'none'})`, {
        variable: name,
      });
  }
  const out: Record<string, flyteidl.core.ILiteral> = {};
  for (const [name, variable] of Object.entries(declared)) {
    const literal = given[name];
    if (!literal) {
      if (isOptionalLiteralType(variable.type)) continue;
      throw new FlyteTypeError('FLYTE_VALUE_MISSING', `missing workflow input '${name}': expected ${describeLiteralType(variable.type)}`, { variable: name });
    }
    const type = literalTypeForLiteral(literal);
    if (variable.type && !areTypesCastable(type, variable.type)) {
      throw new FlyteTypeError(
        'FLYTE_TYPE_MISMATCH',
        `workflow input '${name}': expected ${describeLiteralType(variable.type)}, got ${describeLiteralType(type)}`,
        { variable: name },
      );
    }
    out[name] = literal;
  }
  return out;
}

function collectPromises(data: flyteidl.core.IBindingData | null | undefined, into: Set<string>): void {
  if (!data) return;
  if (data.promise) {
    const id = data.promise.nodeId ?? '';
    if (id !== '' && id !== 'start-node') into.add(id);
  }
  for (const item of data.collection?.bindings ?? []) collectPromises(item, into);
  for (const item of Object.values(data.map?.bindings ?? {})) collectPromises(item, into);
}

interface BindingScope {
  nodeId: string;
  variable: string;
  workflowInputs: Record<string, flyteidl.core.ILiteral>;
  outputs: Map<string, Record<string, flyteidl.core.ILiteral>>;
  storageRoot: string;
}

async function resolveBinding(data: flyteidl.core.IBindingData | null | undefined, scope: BindingScope): Promise<flyteidl.core.ILiteral> {
  const fail = (message: string) => new NodeFailedError(scope.nodeId, 'SYSTEM', `cannot resolve input '${scope.variable}': ${message}`);
  if (!data) throw fail('the binding is empty');
  let literal: flyteidl.core.ILiteral;
  if (data.scalar) literal = { scalar: data.scalar };
  else if (data.collection) {
    const literals: flyteidl.core.ILiteral[] = [];
    for (const item of data.collection.bindings ?? []) literals.push(await resolveBinding(item, scope));
    literal = { collection: { literals } };
  } else if (data.map) {
    const literals: Record<string, flyteidl.core.ILiteral> = {};
    for (const [key, item] of Object.entries(data.map.bindings ?? {})) literals[key] = await resolveBinding(item, scope);
    literal = { map: { literals } };
  } else if (data.promise) {
    const source = data.promise.nodeId ?? '';
    const name = data.promise.var ?? '';
    let found: flyteidl.core.ILiteral | undefined;
    if (source === '' || source === 'start-node') {
      found = scope.workflowInputs[name] ?? { scalar: { noneType: {} } };
    } else {
      const produced = scope.outputs.get(source);
      if (!produced) throw fail(`node ${source} has not run`);
      found = produced[name];
      if (!found) throw fail(`node ${source} did not produce output '${name}' (it produced ${Object.keys(produced).join(', ') || 'nothing'})`);
    }
    literal = resolveAttrPath(found, data.promise.attrPath ?? [], fail);
  } else if (data.offloadedMetadata) {
    literal = flyteidl.core.Literal.decode(await readFile(data.offloadedMetadata.uri ?? ''));
  } else {
    throw fail('the binding has no value');
  }
  if (data.union?.targetType) return { scalar: { union: { value: literal, type: data.union.targetType } } };
  return literal;
}

/** Resolves `OutputReference.attr_path` (list indexes, map keys, fields of msgpack or Struct objects) as propeller does. */
function resolveAttrPath(literal: flyteidl.core.ILiteral, path: flyteidl.core.IPromiseAttribute[], fail: (message: string) => Error): flyteidl.core.ILiteral {
  let current = literal;
  for (let i = 0; i < path.length; i++) {
    const attribute = path[i]!;
    const key = isSet(attribute, 'stringValue') ? (attribute.stringValue as string) : undefined;
    const index = isSet(attribute, 'intValue') ? (attribute.intValue as number) : undefined;
    if (current.collection && index !== undefined) {
      const next = current.collection.literals?.[index];
      if (!next) throw fail(`index ${index} is out of range`);
      current = next;
    } else if (current.map && key !== undefined) {
      const next = current.map.literals?.[key];
      if (!next) throw fail(`key '${key}' is missing`);
      current = next;
    } else if (current.scalar?.binary || current.scalar?.generic) {
      let value: unknown = current.scalar.binary ? decodeMsgpack(current.scalar.binary.value ?? new Uint8Array()) : fromStruct(current.scalar.generic);
      for (const rest of path.slice(i)) {
        const k = isSet(rest, 'stringValue') ? rest.stringValue : isSet(rest, 'intValue') ? rest.intValue : undefined;
        if (value === null || typeof value !== 'object' || k === undefined || k === null || !Object.prototype.hasOwnProperty.call(value, String(k)))
          throw fail(`attribute ${String(k)} is missing`);
        value = (value as Record<string, unknown>)[String(k)];
      }
      return jsToLiteral(value);
    } else {
      throw fail(`cannot take attribute ${String(key ?? index)} of this value`);
    }
  }
  return current;
}

function jsToLiteral(value: unknown): flyteidl.core.ILiteral {
  if (typeof value === 'string') return { scalar: { primitive: { stringValue: value } } };
  if (typeof value === 'boolean') return { scalar: { primitive: { boolean: value } } };
  if (value === null || value === undefined) return { scalar: { noneType: {} } };
  return { scalar: { binary: { value: encodeMsgpack(value), tag: 'msgpack' } } };
}

const TEMPLATE = (name: string) => new RegExp(`\\{\\{\\s*[.$]${name}\\s*\\}\\}`, 'gi');
const INPUT_VAR = /\{\{\s*[.$]Inputs\.([^}\s]+)\s*\}\}/gi;

/** Renders propeller's templates in one command/arg string (flyteplugins `core/template/template.go`). */
export function renderTemplate(text: string, values: Record<string, string>, inputs: Record<string, flyteidl.core.ILiteral> = {}): string {
  let out = text;
  for (const name of [
    'Input',
    'OutputPrefix',
    'InputPrefix',
    'RawOutputDataPrefix',
    'PrevCheckpointPrefix',
    'CheckpointOutputPrefix',
    'PerRetryUniqueKey',
    'TaskTemplatePath',
    'Namespace',
  ]) {
    const key = name.charAt(0).toLowerCase() + name.slice(1);
    const value = values[key];
    if (value !== undefined) out = out.replace(TEMPLATE(name), () => value);
  }
  return out.replace(INPUT_VAR, (whole, variable: string) => {
    const literal = inputs[variable];
    if (!literal) throw new FlyteSpecError(`cannot render ${whole}: there is no input '${variable}'`, { field: 'args' });
    return literalText(literal, whole);
  });
}

function literalText(literal: flyteidl.core.ILiteral, template: string): string {
  if (literal.collection) return `[${(literal.collection.literals ?? []).map((item) => literalText(item, template)).join(',')}]`;
  const s = literal.scalar;
  const p = s?.primitive;
  if (p) {
    if (isSet(p, 'integer')) return String(p.integer);
    if (isSet(p, 'floatValue')) return String(p.floatValue);
    if (isSet(p, 'stringValue')) return p.stringValue ?? '';
    if (isSet(p, 'boolean')) return String(p.boolean);
    if (isSet(p, 'datetime')) return new Date(int64ToNumber(p.datetime!.seconds) * 1000 + Math.floor((p.datetime!.nanos ?? 0) / 1e6)).toISOString();
    if (isSet(p, 'duration')) return `${int64ToNumber(p.duration!.seconds) + (p.duration!.nanos ?? 0) / 1e9}s`;
  }
  if (s?.blob) return s.blob.uri ?? '';
  if (s?.schema) return s.schema.uri ?? '';
  throw new FlyteSpecError(`cannot render ${template}: this kind of value cannot be rendered as text`, { field: 'args' });
}

interface Failure {
  kind: 'USER' | 'SYSTEM';
  code?: string;
  message: string;
  recoverable: boolean;
  exitCode?: number | null;
  stderr?: string;
}

async function runNode(
  context: RunContext,
  node: flyteidl.core.INode,
  task: flyteidl.core.ITaskTemplate,
  inputs: flyteidl.core.ILiteralMap,
): Promise<Record<string, flyteidl.core.ILiteral>> {
  const { options, executionName, workDir } = context;
  const nodeId = node.id ?? '';
  const taskName = task.id?.name ?? '';
  const container = task.container;
  if (!container)
    throw new FlyteSpecError(`task ${taskName} of node ${nodeId} has no container; the local executor runs container tasks only`, { field: `nodes.${nodeId}` });
  const dataDir = join(context.executionDir, nodeId, 'data');
  await mkdir(dataDir, { recursive: true });
  const inputPath = join(dataDir, 'inputs.pb');
  await writeFile(inputPath, flyteidl.core.LiteralMap.encode(inputs).finish());
  const retries = node.metadata?.retries?.retries ?? task.metadata?.retries?.retries ?? 0;
  const timeoutSeconds = int64ToNumber((node.metadata?.timeout ?? task.metadata?.timeout)?.seconds ?? 0);
  const declaresOutputs = Object.keys(task.interface?.outputs?.variables ?? {}).length > 0;

  let lastFailure: Failure | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const outputDir = join(dataDir, String(attempt));
    const rawPrefix = join(workDir, 'data', `${executionName}-${nodeId}-${attempt}`);
    const prevRaw = attempt > 0 ? join(workDir, 'data', `${executionName}-${nodeId}-${attempt - 1}`) : '';
    const values: Record<string, string> = {
      input: inputPath,
      inputPrefix: dataDir,
      outputPrefix: outputDir,
      rawOutputDataPrefix: rawPrefix,
      checkpointOutputPrefix: join(rawPrefix, '_flytecheckpoints'),
      prevCheckpointPrefix: prevRaw ? join(prevRaw, '_flytecheckpoints') : '""',
      perRetryUniqueKey: `${executionName}-${nodeId}-${attempt}`.replace(/^[^a-zA-Z_]+/, 'a').replace(/[^a-zA-Z0-9_]+/g, '_'),
      taskTemplatePath: '',
      namespace: `${context.project}-${context.domain}`,
    };
    const rendered = [...(container.command ?? []), ...(container.args ?? [])].map((arg) => renderTemplate(arg, values, inputs.literals ?? {}));
    const argv = options.command ? options.command(rendered, { id: nodeId, task }) : rendered;
    if (argv.length === 0 || !argv[0])
      throw new FlyteSpecError(`task ${taskName} of node ${nodeId} has no command or args to run`, { field: `nodes.${nodeId}` });
    await mkdir(outputDir, { recursive: true });

    const taskEnv: Record<string, string> = {};
    for (const pair of container.env ?? []) if (pair.key) taskEnv[pair.key] = pair.value ?? '';
    Object.assign(taskEnv, {
      FLYTE_INTERNAL_EXECUTION_WORKFLOW: context.workflowId,
      FLYTE_INTERNAL_EXECUTION_ID: executionName,
      FLYTE_INTERNAL_EXECUTION_PROJECT: context.project,
      FLYTE_INTERNAL_EXECUTION_DOMAIN: context.domain,
      FLYTE_ATTEMPT_NUMBER: String(attempt),
      FLYTE_INTERNAL_TASK_PROJECT: task.id?.project ?? '',
      FLYTE_INTERNAL_TASK_DOMAIN: task.id?.domain ?? '',
      FLYTE_INTERNAL_TASK_NAME: taskName,
      FLYTE_INTERNAL_TASK_VERSION: task.id?.version ?? '',
      FLYTE_INTERNAL_PROJECT: task.id?.project ?? '',
      FLYTE_INTERNAL_DOMAIN: task.id?.domain ?? '',
      FLYTE_INTERNAL_NAME: taskName,
      FLYTE_INTERNAL_VERSION: task.id?.version ?? '',
    });
    const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), ...taskEnv };

    const onLog = options.onLog ? (stream: 'stdout' | 'stderr', text: string) => options.onLog!({ nodeId, stream, text }) : undefined;
    const run = options.runner
      ? await runWith(options.runner, {
          nodeId,
          task,
          argv,
          taskEnv,
          timeoutSeconds,
          onLog,
          ...(options.transformers ? { transformers: options.transformers } : {}),
        })
      : await runProcess(argv, { env, cwd: options.cwd, timeoutSeconds, onLog });
    const failure = await attemptFailure(run, outputDir, declaresOutputs, timeoutSeconds, argv);
    if (!failure) {
      const outputsPath = join(outputDir, 'outputs.pb');
      const bytes = await readFile(outputsPath).catch(() => undefined);
      if (!bytes) return {};
      return { ...(flyteidl.core.LiteralMap.decode(bytes).literals ?? {}) };
    }
    lastFailure = failure;
    if (!failure.recoverable) break;
  }
  const failure = lastFailure!;
  throw new NodeFailedError(nodeId, failure.kind, failure.message, {
    errorCode: failure.code,
    recoverable: failure.recoverable,
    exitCode: failure.exitCode,
    stderr: failure.stderr,
    taskName,
  });
}

async function attemptFailure(
  run: ProcessResult,
  outputDir: string,
  declaresOutputs: boolean,
  timeoutSeconds: number,
  argv: string[],
): Promise<Failure | undefined> {
  if (run.spawnError) {
    return {
      kind: 'SYSTEM',
      code: 'SYSTEM:CannotStart',
      message: `cannot start ${JSON.stringify(argv[0])}: ${errorMessage(run.spawnError)}`,
      recoverable: false,
    };
  }
  const errorBytes = await readFile(join(outputDir, 'error.pb')).catch(() => undefined);
  if (errorBytes) {
    try {
      const error = flyteidl.core.ErrorDocument.decode(errorBytes).error;
      if (!error) throw new Error('the document holds no error');
      return {
        kind: error.origin === flyteidl.core.ExecutionError.ErrorKind.SYSTEM ? 'SYSTEM' : 'USER',
        code: error.code ?? '',
        message: error.message ?? '',
        recoverable: error.kind === ContainerError.Kind.RECOVERABLE,
        exitCode: run.code,
      };
    } catch (error) {
      return {
        kind: 'SYSTEM',
        code: 'ErrorFileBadFormat',
        message: `error.pb in ${outputDir} is not a valid ErrorDocument: ${errorMessage(error)}`,
        recoverable: true,
        exitCode: run.code,
      };
    }
  }
  if (run.timedOut) {
    return {
      kind: 'USER',
      code: 'Timeout',
      message: `the task exceeded its timeout of ${timeoutSeconds}s and was killed`,
      recoverable: true,
      exitCode: run.code,
      stderr: run.stderr,
    };
  }
  if (run.code !== 0) {
    const how = run.code === null ? `was killed by ${run.signal}` : `terminated with exit code (${run.code})`;
    return {
      kind: 'USER',
      code: run.code === null ? 'Interrupted' : 'Error',
      message: `the task ${how}${run.stderr ? `; the end of its stderr:\n${run.stderr}` : ' and wrote nothing to stderr'}`,
      recoverable: true,
      exitCode: run.code,
      stderr: run.stderr,
    };
  }
  if (declaresOutputs && !(await stat(join(outputDir, 'outputs.pb')).catch(() => undefined))) {
    return {
      kind: 'SYSTEM',
      code: 'OutputsNotFound',
      message: `Outputs not generated by task execution (no outputs.pb in ${outputDir})`,
      recoverable: true,
      exitCode: run.code,
      stderr: run.stderr,
    };
  }
  return undefined;
}

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  spawnError?: Error;
}

const TAIL = 4000;

async function runWith(runner: NodeRunner, run: NodeRun): Promise<ProcessResult> {
  try {
    const result = await runner(run);
    return { code: result.exitCode, signal: null, stderr: result.stderr.slice(-TAIL).trimEnd(), timedOut: result.timedOut ?? false };
  } catch (error) {
    return { code: null, signal: null, stderr: '', timedOut: false, spawnError: error instanceof Error ? error : new Error(String(error)) };
  }
}

function runProcess(
  argv: string[],
  options: {
    env: NodeJS.ProcessEnv;
    cwd: string | undefined;
    timeoutSeconds: number;
    onLog: ((stream: 'stdout' | 'stderr', text: string) => void) | undefined;
  },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(argv[0]!, argv.slice(1), { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer =
      options.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutSeconds * 1000)
        : undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => options.onLog?.('stdout', text));
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-TAIL);
      options.onLog?.('stderr', text);
    });
    const finish = (result: ProcessResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => finish({ code: null, signal: null, stderr, timedOut, spawnError: error }));
    child.on('close', (code, signal) => finish({ code, signal, stderr: stderr.trimEnd(), timedOut }));
  });
}
