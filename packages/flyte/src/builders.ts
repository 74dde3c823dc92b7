import { validateCron } from './cron.js';
import { FlyteSpecError } from './errors.js';
import { flyteidl, Long } from './idl.js';
import { typedInterfaceOf, variableMapOf, type FlyteType } from './types.js';
import { areTypesCastable, describeLiteralType, isOptionalLiteralType, literalTypeForLiteral } from './typing.js';
import { VERSION } from './version.js';

const { ResourceType } = flyteidl.core;
const { ResourceName } = flyteidl.core.Resources;

/** The identity of a task, workflow or launch plan. */
export interface EntityId {
  project: string;
  domain: string;
  name: string;
  version: string;
}

/** A task's or workflow's inputs and outputs (a single unnamed output is `o0`, as flytekit). */
export interface TypedInterface {
  inputs: Record<string, FlyteType>;
  outputs: Record<string, FlyteType>;
}

/** Kubernetes resource quantities (`cpu: '500m'`, `memory: '1Gi'`, `gpu: '1'`, `ephemeralStorage: '10Gi'`). */
export interface Resources {
  cpu?: string;
  memory?: string;
  gpu?: string;
  ephemeralStorage?: string;
}

/** Everything {@link taskSpec} needs for a container task. */
export interface TaskOptions {
  id: EntityId;
  interface: TypedInterface;
  /** The container image, e.g. `localhost:30000/app:3f2a1c`. */
  image: string;
  /** The container args, usually {@link taskArgs}`(entrypoint, address)`. */
  args: string[];
  /** The container command; empty (the default) means the image's ENTRYPOINT runs with `args`, as flytekit does. */
  command?: string[];
  /** Environment variables of the task's container. */
  env?: Record<string, string>;
  /** Resource requests (what the scheduler reserves). */
  requests?: Resources;
  /** Resource limits (each at least its request; a GPU limit equals its request). */
  limits?: Resources;
  /** Retries on recoverable failures (`RetryStrategy.retries`). */
  retries?: number;
  /** Kill the task after this many seconds (`TaskMetadata.timeout`). */
  timeoutSeconds?: number;
  /** May run on preemptible nodes. Unset by default (the platform decides). */
  interruptible?: boolean;
  /** Cache outputs by inputs (`discoverable`); needs `cacheVersion`. */
  cache?: boolean;
  cacheVersion?: string;
  /** The task type; default `python-task` (handled by the pod plugin, like `container`). */
  type?: string;
  /** A short description (`DescriptionEntity.short_description`, at most 255 characters). */
  description?: string;
  /** `RuntimeMetadata` (type OTHER): flavor = name, version; default `{ name: 'typescript', version: <this package> }`. */
  sdk?: { name: string; version: string };
}

function specError(field: string, message: string, hint?: string): FlyteSpecError {
  return new FlyteSpecError(message, { field, hint });
}

function checkId(id: EntityId, what: string): void {
  if (!id || typeof id !== 'object') throw specError('id', `the ${what} has no id`);
  for (const key of ['project', 'domain', 'name', 'version'] as const) {
    if (typeof id[key] !== 'string' || id[key].trim() === '')
      throw specError(`id.${key}`, `the ${what}'s id.${key} is empty`, 'every Flyte identifier needs a project, domain, name and version');
  }
}

function identifier(resourceType: flyteidl.core.ResourceType, id: EntityId): flyteidl.core.IIdentifier {
  return { resourceType, project: id.project, domain: id.domain, name: id.name, version: id.version };
}

function checkInterface(iface: TypedInterface, what: string): void {
  if (!iface || typeof iface.inputs !== 'object' || typeof iface.outputs !== 'object')
    throw specError('interface', `the ${what} needs an interface with inputs and outputs`);
  for (const side of ['inputs', 'outputs'] as const) {
    for (const [name, type] of Object.entries(iface[side])) {
      if (name.trim() === '') throw specError(`interface.${side}`, `the ${what} has an ${side.slice(0, -1)} with an empty name`);
      if (!type || typeof type !== 'object' || typeof (type as { kind?: unknown }).kind !== 'string')
        throw specError(`interface.${side}.${name}`, `the ${what}'s ${side.slice(0, -1)} '${name}' has no type`);
    }
  }
}

// -------------------------------------------------------------------------------------------------------------
// Kubernetes quantities

const BINARY_SI: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SI: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;

/**
 * Parses a Kubernetes resource quantity (`500m`, `1.5`, `1Gi`, `512M`, `1e3`) to a number of base units, or throws
 * {@link FlyteSpecError} naming `field` (Flyte's compiler rejects unparsable quantities with `UnrecognizedValue`).
 */
export function parseQuantity(value: string, field = 'quantity'): number {
  const match = typeof value === 'string' ? QUANTITY.exec(value.trim()) : null;
  if (!match)
    throw specError(field, `${field} ${JSON.stringify(value)} is not a Kubernetes quantity`, "use e.g. '500m' or '2' for cpu, '512Mi' or '4Gi' for memory");
  const suffix = match[2] ?? '';
  const multiplier = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (BINARY_SI[suffix] ?? DECIMAL_SI[suffix] ?? 1);
  return Number(match[1]) * multiplier;
}

const RESOURCE_FIELDS: [keyof Resources, flyteidl.core.Resources.ResourceName][] = [
  ['cpu', ResourceName.CPU],
  ['gpu', ResourceName.GPU],
  ['memory', ResourceName.MEMORY],
  ['ephemeralStorage', ResourceName.EPHEMERAL_STORAGE],
];

function resourceEntries(resources: Resources | undefined, side: 'requests' | 'limits'): flyteidl.core.Resources.IResourceEntry[] {
  const out: flyteidl.core.Resources.IResourceEntry[] = [];
  if (!resources) return out;
  for (const key of Object.keys(resources)) {
    if (!RESOURCE_FIELDS.some(([k]) => k === key))
      throw specError(`${side}.${key}`, `unknown resource ${side}.${key}`, 'use cpu, memory, gpu or ephemeralStorage');
  }
  for (const [key, name] of RESOURCE_FIELDS) {
    const value = resources[key];
    if (value === undefined) continue;
    const amount = parseQuantity(value, `${side}.${key}`);
    if (amount < 0) throw specError(`${side}.${key}`, `${side}.${key} ${JSON.stringify(value)} is negative`);
    if (key === 'gpu' && !Number.isInteger(amount)) throw specError(`${side}.gpu`, `${side}.gpu ${JSON.stringify(value)} must be a whole number`);
    out.push({ name, value: String(value).trim() });
  }
  return out;
}

// -------------------------------------------------------------------------------------------------------------
// tasks

/**
 * An `admin.TaskSpec{template}` for a container task, shaped like flytekit's `@task` (see flyte-protocol.md §1.1):
 * type `python-task`, metadata (runtime OTHER/<sdk>, retries, timeout, cache, interruptible), the typed interface
 * (variable descriptions default to their names), and a container with `command: []` unless given, args, resources
 * and env.
 *
 * Validates what Flyte's compiler and admin would reject, throwing {@link FlyteSpecError} naming the field: an
 * incomplete id, an empty image or args, `cache` without `cacheVersion`, quantities that do not parse, requests above
 * limits, a fractional GPU or GPU requests different from limits, negative retries, a non-positive timeout.
 */
export function taskSpec(options: TaskOptions): flyteidl.admin.ITaskSpec {
  checkId(options.id, 'task');
  checkInterface(options.interface, `task ${options.id.name}`);
  if (typeof options.image !== 'string' || options.image.trim() === '')
    throw specError('image', `task ${options.id.name} has an empty image`, 'build and push an image, then pass its full reference');
  if (!Array.isArray(options.args) || options.args.length === 0)
    throw specError('args', `task ${options.id.name} has no args`, 'use taskArgs(entrypoint, address)');
  if (options.args.some((arg) => typeof arg !== 'string')) throw specError('args', `task ${options.id.name} has a non-string arg`);
  if (options.command && options.command.some((arg) => typeof arg !== 'string'))
    throw specError('command', `task ${options.id.name} has a non-string command part`);
  if (options.cache && !options.cacheVersion)
    throw specError('cacheVersion', `task ${options.id.name} is cached but has no cacheVersion`, 'set cacheVersion (bump it to invalidate the cache)');
  if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0))
    throw specError('retries', `task ${options.id.name}: retries must be a whole number ≥ 0, got ${options.retries}`);
  if (options.timeoutSeconds !== undefined && !(Number.isFinite(options.timeoutSeconds) && options.timeoutSeconds > 0)) {
    throw specError('timeoutSeconds', `task ${options.id.name}: timeoutSeconds must be a positive number, got ${options.timeoutSeconds}`);
  }
  if (options.description !== undefined && options.description.length > 255)
    throw specError('description', `task ${options.id.name}: the description is longer than 255 characters`);
  if (options.sdk && (!options.sdk.name || !options.sdk.version))
    throw specError('sdk', `task ${options.id.name}: sdk needs a name and a non-empty version (flyteadmin requires runtime.version)`);

  const requests = resourceEntries(options.requests, 'requests');
  const limits = resourceEntries(options.limits, 'limits');
  for (const [key] of RESOURCE_FIELDS) {
    const request = options.requests?.[key];
    const limit = options.limits?.[key];
    if (request === undefined || limit === undefined) continue;
    const r = parseQuantity(request, `requests.${key}`);
    const l = parseQuantity(limit, `limits.${key}`);
    if (r > l) throw specError(`requests.${key}`, `task ${options.id.name}: requests.${key} (${request}) is above limits.${key} (${limit})`);
    if (key === 'gpu' && r !== l) throw specError('requests.gpu', `task ${options.id.name}: requests.gpu (${request}) must equal limits.gpu (${limit})`);
  }

  const env = Object.entries(options.env ?? {}).map(([key, value]) => {
    if (key === '') throw specError('env', `task ${options.id.name} has an environment variable with an empty name`);
    return { key, value: String(value) };
  });
  const sdk = options.sdk ?? { name: 'typescript', version: VERSION };
  // proto3 defaults (false, 0, "") are left out, as Python's protobuf leaves them out of flytekit's bytes.
  const metadata: flyteidl.core.ITaskMetadata = {
    runtime: { version: sdk.version, flavor: sdk.name },
    retries: options.retries ? { retries: options.retries } : {},
    generatesDeck: {},
    metadata: {},
  };
  if (options.cache) {
    metadata.discoverable = true;
    metadata.discoveryVersion = options.cacheVersion ?? '';
  }
  if (options.timeoutSeconds !== undefined) metadata.timeout = secondsToDuration(options.timeoutSeconds);
  if (options.interruptible !== undefined) metadata.interruptible = options.interruptible;

  const template: flyteidl.core.ITaskTemplate = {
    id: identifier(ResourceType.TASK, options.id),
    type: options.type ?? 'python-task',
    metadata,
    interface: typedInterfaceOf(options.interface),
    container: {
      image: options.image,
      command: [...(options.command ?? [])],
      args: [...options.args],
      resources: { requests, limits },
      env,
    },
    config: {},
  };
  const spec: flyteidl.admin.ITaskSpec = { template };
  if (options.description) spec.description = { shortDescription: options.description };
  return spec;
}

function secondsToDuration(seconds: number): { seconds?: Long; nanos?: number } {
  const whole = Math.trunc(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  return { ...(whole ? { seconds: Long.fromNumber(whole) } : {}), ...(nanos ? { nanos } : {}) };
}

/**
 * The container args of a task, in pyflyte-execute's shape: `[...entrypoint, '--inputs', '{{.input}}',
 * '--output-prefix', '{{.outputPrefix}}', '--raw-output-data-prefix', '{{.rawOutputDataPrefix}}', '--checkpoint-path',
 * '{{.checkpointOutputPrefix}}', '--prev-checkpoint', '{{.prevCheckpointPrefix}}', '--', ...address]`. Propeller fills
 * the templates; {@link parseExecuteArgs} reads them back.
 */
export function taskArgs(entrypoint: string[], address: string[]): string[] {
  return [
    ...entrypoint,
    '--inputs',
    '{{.input}}',
    '--output-prefix',
    '{{.outputPrefix}}',
    '--raw-output-data-prefix',
    '{{.rawOutputDataPrefix}}',
    '--checkpoint-path',
    '{{.checkpointOutputPrefix}}',
    '--prev-checkpoint',
    '{{.prevCheckpointPrefix}}',
    '--',
    ...address,
  ];
}

// -------------------------------------------------------------------------------------------------------------
// workflows

/**
 * What feeds a node input or a workflow output: a workflow input, another node's output, a constant Literal, or a
 * list/map of those (Flyte's `BindingDataCollection`/`BindingDataMap`, e.g. to gather several nodes' outputs).
 */
export type BindingSpec =
  { input: string } | { node: string; output: string } | { literal: flyteidl.core.ILiteral } | { list: BindingSpec[] } | { map: Record<string, BindingSpec> };

/** A task node of a workflow. */
export interface NodeOptions {
  /** The node id: `n0`, `n1`... in call order (lowercase letters, digits and `-`; at most 63 characters). */
  id: string;
  /** The task's template (from {@link taskSpec}); the node references it by id. */
  task: flyteidl.core.ITaskTemplate;
  /** A binding for each task input (optional inputs may be left out). */
  inputs: Record<string, BindingSpec>;
  /** The node's display name; default the last dot-separated part of the task name (as flytekit). */
  name?: string;
}

/** Everything {@link workflowSpec} needs. */
export interface WorkflowOptions {
  id: EntityId;
  interface: TypedInterface;
  nodes: NodeOptions[];
  /** A binding for each workflow output. */
  outputs: Record<string, BindingSpec>;
  description?: string;
}

const RESERVED_NODE_IDS = new Set(['start-node', 'end-node', 'efn']);
const NODE_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An `admin.WorkflowSpec{template, subWorkflows: []}` shaped like flytekit's (flyte-protocol.md §3.1): metadata
 * `{}` (on_failure FAIL_IMMEDIATELY), metadataDefaults `{}` (interruptible false), task nodes with metadata (name,
 * retries, timeout, interruptible from the task), bindings sorted by variable, `upstreamNodeIds` derived from the
 * bindings (workflow inputs are promises on `start-node`, which is not listed), `outputAliases: []` and
 * `taskNode{referenceId, overrides: {}}`.
 *
 * Validates like Flyte's compiler, throwing {@link FlyteSpecError}: no nodes; bad, reserved or duplicate node ids;
 * a task input that is not bound (unless optional) or bound twice or unknown; a binding to an unknown workflow input,
 * node or node output; a value whose type does not cast to the input (INTEGER is not FLOAT); a workflow output that is
 * not bound or bound to something unknown; a dependency cycle.
 */
export function workflowSpec(options: WorkflowOptions): flyteidl.admin.IWorkflowSpec {
  checkId(options.id, 'workflow');
  checkInterface(options.interface, `workflow ${options.id.name}`);
  const wf = options.id.name;
  if (!Array.isArray(options.nodes) || options.nodes.length === 0) throw specError('nodes', `workflow ${wf} has no nodes (NoNodesFound)`);
  if (options.description !== undefined && options.description.length > 255)
    throw specError('description', `workflow ${wf}: the description is longer than 255 characters`);

  const workflowInputs = variableMapOf(options.interface.inputs).variables ?? {};
  const byId = new Map<string, NodeOptions>();
  for (const [i, node] of options.nodes.entries()) {
    const field = `nodes[${i}].id`;
    if (typeof node.id !== 'string' || node.id === '') throw specError(field, `workflow ${wf}: node ${i} has no id`);
    if (RESERVED_NODE_IDS.has(node.id)) throw specError(field, `workflow ${wf}: node id '${node.id}' is reserved`);
    if (!NODE_ID.test(node.id) || node.id.length > 63)
      throw specError(field, `workflow ${wf}: node id '${node.id}' must be lowercase letters, digits and '-' (at most 63)`, 'use n0, n1, ...');
    if (byId.has(node.id)) throw specError(field, `workflow ${wf}: two nodes have the id '${node.id}'`);
    if (!node.task?.id?.name) throw specError(`nodes[${i}].task`, `workflow ${wf}: node ${node.id} has no task template (with an id)`);
    byId.set(node.id, node);
  }

  const outputTypeOf = (nodeId: string, output: string, field: string): flyteidl.core.ILiteralType => {
    const source = byId.get(nodeId);
    if (!source) throw specError(field, `workflow ${wf}: ${field} refers to node '${nodeId}', which does not exist (NodeReferenceNotFound)`);
    const variable = source.task.interface?.outputs?.variables?.[output];
    if (!variable?.type) {
      const names = Object.keys(source.task.interface?.outputs?.variables ?? {});
      throw specError(
        field,
        `workflow ${wf}: ${field} refers to output '${output}' of node ${nodeId}, which has ${names.length ? `only ${names.join(', ')}` : 'no outputs'} (VariableNameNotFound)`,
      );
    }
    return variable.type;
  };

  /** Converts a binding spec, checks it against `target` and collects the nodes it depends on. */
  const toBindingData = (
    spec: BindingSpec,
    target: flyteidl.core.ILiteralType | undefined,
    field: string,
    upstream: Set<string>,
  ): flyteidl.core.IBindingData => {
    if (!spec || typeof spec !== 'object') throw specError(field, `workflow ${wf}: ${field} has no binding (ValueRequired)`);
    let data: flyteidl.core.IBindingData;
    let source: flyteidl.core.ILiteralType | undefined;
    if ('input' in spec) {
      const variable = workflowInputs[spec.input];
      if (!variable) throw specError(field, `workflow ${wf}: ${field} refers to workflow input '${spec.input}', which is not declared (VariableNameNotFound)`);
      data = { promise: { nodeId: 'start-node', var: spec.input } };
      source = variable.type ?? undefined;
    } else if ('node' in spec) {
      source = outputTypeOf(spec.node, spec.output, field);
      upstream.add(spec.node);
      data = { promise: { nodeId: spec.node, var: spec.output } };
    } else if ('literal' in spec) {
      data = bindingDataOfLiteral(spec.literal);
      source = literalTypeForLiteral(spec.literal);
    } else if ('list' in spec) {
      const inner = target?.collectionType ?? undefined;
      if (target && !inner) throw specError(field, `workflow ${wf}: ${field} binds a list to ${describeLiteralType(target)} (MismatchingBindings)`);
      data = { collection: { bindings: spec.list.map((item, i) => toBindingData(item, inner, `${field}[${i}]`, upstream)) } };
    } else if ('map' in spec) {
      const inner = target?.mapValueType ?? undefined;
      if (target && !inner) throw specError(field, `workflow ${wf}: ${field} binds a map to ${describeLiteralType(target)} (MismatchingBindings)`);
      const bindings: Record<string, flyteidl.core.IBindingData> = {};
      for (const [key, item] of Object.entries(spec.map)) bindings[key] = toBindingData(item, inner, `${field}[${JSON.stringify(key)}]`, upstream);
      data = { map: { bindings } };
    } else {
      throw specError(field, `workflow ${wf}: ${field} is not a binding ({ input }, { node, output }, { literal }, { list } or { map })`);
    }
    if (target && source && !areTypesCastable(source, target)) {
      throw specError(
        field,
        `workflow ${wf}: ${field} expects ${describeLiteralType(target)} but is bound to ${describeLiteralType(source)} (MismatchingTypes)`,
      );
    }
    return data;
  };

  const nodes: flyteidl.core.INode[] = [];
  const dependencies = new Map<string, Set<string>>();
  for (const node of options.nodes) {
    const task = node.task;
    const taskInputs = task.interface?.inputs?.variables ?? {};
    const upstream = new Set<string>();
    const bindings: flyteidl.core.IBinding[] = [];
    for (const name of Object.keys(node.inputs ?? {})) {
      if (!taskInputs[name]) {
        throw specError(
          `nodes.${node.id}.inputs.${name}`,
          `workflow ${wf}: node ${node.id} binds '${name}', which is not an input of task ${task.id!.name} (inputs: ${Object.keys(taskInputs).join(', ') || 'none'}) (VariableNameNotFound)`,
        );
      }
    }
    for (const [name, variable] of Object.entries(taskInputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const spec = node.inputs?.[name];
      const field = `nodes.${node.id}.inputs.${name}`;
      if (spec === undefined) {
        if (isOptionalLiteralType(variable.type)) continue;
        throw specError(
          field,
          `workflow ${wf}: input '${name}' (${describeLiteralType(variable.type)}) of node ${node.id} (task ${task.id!.name}) is not bound (ParameterNotBound)`,
        );
      }
      bindings.push({ var: name, binding: toBindingData(spec, variable.type ?? undefined, field, upstream) });
    }
    if (upstream.has(node.id)) throw specError(`nodes.${node.id}`, `workflow ${wf}: node ${node.id} depends on its own outputs (CycleDetected)`);
    dependencies.set(node.id, upstream);
    const metadata: flyteidl.core.INodeMetadata = { name: node.name ?? shortName(task.id!.name ?? ''), retries: task.metadata?.retries ?? {} };
    if (task.metadata?.timeout) metadata.timeout = task.metadata.timeout;
    if (
      task.metadata &&
      Object.prototype.hasOwnProperty.call(task.metadata, 'interruptible') &&
      task.metadata.interruptible !== null &&
      task.metadata.interruptible !== undefined
    ) {
      metadata.interruptible = task.metadata.interruptible;
    }
    nodes.push({
      id: node.id,
      metadata,
      inputs: bindings,
      upstreamNodeIds: options.nodes.map((n) => n.id).filter((id) => upstream.has(id)),
      outputAliases: [],
      taskNode: { referenceId: task.id!, overrides: {} },
    });
  }
  topologicalOrder(
    options.nodes.map((n) => n.id),
    dependencies,
    wf,
  );

  const outputs: flyteidl.core.IBinding[] = [];
  const declared = variableMapOf(options.interface.outputs).variables ?? {};
  for (const name of Object.keys(options.outputs ?? {})) {
    if (!declared[name])
      throw specError(`outputs.${name}`, `workflow ${wf} binds output '${name}', which its interface does not declare (VariableNameNotFound)`);
  }
  for (const [name, variable] of Object.entries(declared)) {
    const spec = options.outputs?.[name];
    if (spec === undefined) throw specError(`outputs.${name}`, `workflow ${wf}: output '${name}' is not bound (ParameterNotBound)`);
    outputs.push({ var: name, binding: toBindingData(spec, variable.type ?? undefined, `outputs.${name}`, new Set()) });
  }

  const template: flyteidl.core.IWorkflowTemplate = {
    id: identifier(ResourceType.WORKFLOW, options.id),
    metadata: {},
    metadataDefaults: {},
    interface: typedInterfaceOf(options.interface),
    nodes,
    outputs,
  };
  const spec: flyteidl.admin.IWorkflowSpec = { template, subWorkflows: [] };
  if (options.description) spec.description = { shortDescription: options.description };
  return spec;
}

/** The last dot-separated part of a name (`app.tasks.train` → `train`), as flytekit's `extract_obj_name`. */
function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** A Literal as BindingData: scalars stay scalars; collections and maps become binding collections and maps. */
export function bindingDataOfLiteral(literal: flyteidl.core.ILiteral): flyteidl.core.IBindingData {
  if (literal?.collection) return { collection: { bindings: (literal.collection.literals ?? []).map((item) => bindingDataOfLiteral(item)) } };
  if (literal?.map) {
    const bindings: Record<string, flyteidl.core.IBindingData> = {};
    for (const [key, item] of Object.entries(literal.map.literals ?? {})) bindings[key] = bindingDataOfLiteral(item);
    return { map: { bindings } };
  }
  if (literal?.scalar) return { scalar: literal.scalar };
  throw new FlyteSpecError('a literal binding holds no value (an empty or offloaded literal cannot be bound)', { field: 'literal' });
}

/** Node ids in an order where every node comes after the nodes it depends on; throws on a cycle. */
export function topologicalOrder(ids: string[], dependencies: Map<string, Set<string>>, workflow = 'workflow'): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new FlyteSpecError(`workflow ${workflow} has a dependency cycle: ${[...trail.slice(trail.indexOf(id)), id].join(' → ')} (CycleDetected)`, {
        field: 'nodes',
      });
    state.set(id, 'visiting');
    for (const dep of [...(dependencies.get(id) ?? [])].sort((a, b) => ids.indexOf(a) - ids.indexOf(b))) visit(dep, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id, []);
  return order;
}

// -------------------------------------------------------------------------------------------------------------
// launch plans

/**
 * A launch-plan schedule: a cron expression (robfig/cron standard syntax, see {@link validateCron}) with an optional
 * ISO 8601 `offset`, or a fixed rate; `kickoffTimeInputArg` names a DATETIME workflow input that receives the
 * scheduled time.
 */
export type Schedule =
  | { cron: string; offset?: string; kickoffTimeInputArg?: string }
  | { fixedRate: { value: number; unit: 'minute' | 'hour' | 'day' }; kickoffTimeInputArg?: string };

/** Everything {@link launchPlan} needs. */
export interface LaunchPlanOptions {
  id: EntityId;
  workflow: flyteidl.admin.IWorkflowSpec;
  /** Defaults the caller may override at execution. */
  defaultInputs?: Record<string, flyteidl.core.ILiteral>;
  /** Values fixed for every execution of this launch plan. */
  fixedInputs?: Record<string, flyteidl.core.ILiteral>;
  schedule?: Schedule;
}

const ISO_DURATION = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;

/**
 * An `admin.LaunchPlan{id, spec, closure}` as flytekit serializes one (flyte-protocol.md §3.2): `workflowId`,
 * `entityMetadata{schedule, notifications: []}`, `defaultInputs` with a `Parameter` for every workflow input that is
 * not fixed (its default, `none` for an optional input without one, or `required: true`), `fixedInputs`, empty labels
 * and annotations, and `rawOutputDataConfig{}` (the platform default prefix). For the default launch plan use the workflow's
 * name and version.
 *
 * Validates like flyteadmin, throwing {@link FlyteSpecError}: default or fixed names that are not workflow inputs,
 * a name both fixed and defaulted, a value whose type does not cast, an invalid cron, offset or rate, a kickoff arg
 * that is not a free DATETIME input, and a schedule with a required input left unbound.
 */
export function launchPlan(options: LaunchPlanOptions): flyteidl.admin.ILaunchPlan {
  checkId(options.id, 'launch plan');
  const template = options.workflow?.template;
  if (!template?.id) throw specError('workflow', `launch plan ${options.id.name}: the workflow spec has no template id`);
  const lp = options.id.name;
  const inputs = template.interface?.inputs?.variables ?? {};
  const defaults = options.defaultInputs ?? {};
  const fixed = options.fixedInputs ?? {};

  for (const [kind, values] of [
    ['defaultInputs', defaults],
    ['fixedInputs', fixed],
  ] as const) {
    for (const [name, literal] of Object.entries(values)) {
      const variable = inputs[name];
      if (!variable) {
        throw specError(
          `${kind}.${name}`,
          `launch plan ${lp}: ${kind} has '${name}', which is not an input of workflow ${template.id.name} (inputs: ${Object.keys(inputs).join(', ') || 'none'})`,
        );
      }
      const type = literalTypeForLiteral(literal);
      if (variable.type && !areTypesCastable(type, variable.type)) {
        throw specError(
          `${kind}.${name}`,
          `launch plan ${lp}: ${kind}.${name} is ${describeLiteralType(type)} but the workflow input is ${describeLiteralType(variable.type)}`,
        );
      }
    }
  }
  for (const name of Object.keys(fixed)) {
    if (Object.prototype.hasOwnProperty.call(defaults, name))
      throw specError(`fixedInputs.${name}`, `launch plan ${lp}: '${name}' is both fixed and defaulted`);
  }

  const parameters: Record<string, flyteidl.core.IParameter> = {};
  for (const [name, variable] of Object.entries(inputs)) {
    if (Object.prototype.hasOwnProperty.call(fixed, name)) continue;
    const parameter: flyteidl.core.IParameter = { var: { type: variable.type ?? null, description: variable.description ?? name } };
    const given = defaults[name];
    if (given) parameter.default = given;
    else if (isOptionalLiteralType(variable.type)) parameter.default = { scalar: { noneType: {} } };
    else parameter.required = true;
    parameters[name] = parameter;
  }

  const entityMetadata: flyteidl.admin.ILaunchPlanMetadata = { notifications: [] };
  if (options.schedule) {
    entityMetadata.schedule = scheduleProto(options.schedule, lp);
    const kickoff = options.schedule.kickoffTimeInputArg;
    if (kickoff) {
      const parameter = parameters[kickoff];
      if (!parameter) {
        throw specError(
          'schedule.kickoffTimeInputArg',
          `launch plan ${lp}: the schedule's kickoffTimeInputArg '${kickoff}' is not a free input of workflow ${template.id.name}`,
        );
      }
      if (parameter.var?.type?.simple !== flyteidl.core.SimpleType.DATETIME || parameter.var.type.collectionType || parameter.var.type.unionType) {
        throw specError(
          'schedule.kickoffTimeInputArg',
          `launch plan ${lp}: the schedule's kickoffTimeInputArg '${kickoff}' must be a datetime input, not ${describeLiteralType(parameter.var?.type)}`,
        );
      }
    }
    for (const [name, parameter] of Object.entries(parameters)) {
      if (parameter.required && name !== kickoff) {
        throw specError(
          `defaultInputs.${name}`,
          `launch plan ${lp}: cannot schedule a launch plan with an unbound required input; '${name}' is required`,
          'give it a default or fix it',
        );
      }
    }
  }

  const spec: flyteidl.admin.ILaunchPlanSpec = {
    workflowId: template.id,
    entityMetadata,
    defaultInputs: { parameters },
    fixedInputs: { literals: { ...fixed } },
    labels: { values: {} },
    annotations: { values: {} },
    rawOutputDataConfig: {},
  };
  return {
    id: identifier(ResourceType.LAUNCH_PLAN, options.id),
    spec,
    closure: { expectedInputs: { parameters: {} }, expectedOutputs: { variables: {} } },
  };
}

function scheduleProto(schedule: Schedule, lp: string): flyteidl.admin.ISchedule {
  const out: flyteidl.admin.ISchedule = {};
  if ('cron' in schedule) {
    validateCron(schedule.cron);
    if (schedule.offset !== undefined && !ISO_DURATION.test(schedule.offset)) {
      throw specError(
        'schedule.offset',
        `launch plan ${lp}: Schedule is invalid. offset ${JSON.stringify(schedule.offset)} is not an ISO 8601 duration (e.g. PT1H)`,
      );
    }
    out.cronSchedule = schedule.offset ? { schedule: schedule.cron.trim(), offset: schedule.offset } : { schedule: schedule.cron.trim() };
  } else if ('fixedRate' in schedule) {
    const { value, unit } = schedule.fixedRate ?? ({} as { value?: number; unit?: string });
    if (!Number.isInteger(value) || value <= 0 || value > 0xffffffff) {
      throw specError('schedule.fixedRate.value', `launch plan ${lp}: Schedule is invalid. the fixed rate must be a whole number > 0, got ${String(value)}`);
    }
    const units = { minute: flyteidl.admin.FixedRateUnit.MINUTE, hour: flyteidl.admin.FixedRateUnit.HOUR, day: flyteidl.admin.FixedRateUnit.DAY } as const;
    const mapped = units[unit];
    if (mapped === undefined)
      throw specError(
        'schedule.fixedRate.unit',
        `launch plan ${lp}: Schedule is invalid. unknown fixed-rate unit ${JSON.stringify(unit)} (minute, hour or day)`,
      );
    out.rate = { value, unit: mapped };
  } else {
    throw specError('schedule', `launch plan ${lp}: Schedule is invalid. give { cron } or { fixedRate }`);
  }
  if (schedule.kickoffTimeInputArg) out.kickoffTimeInputArg = schedule.kickoffTimeInputArg;
  return out;
}
