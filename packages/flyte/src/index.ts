/**
 * A Flyte 1 SDK for TypeScript: declare types ({@link t}), convert JS values to and from Flyte Literals (a type
 * engine interoperable with flytekit), build task, workflow and launch-plan protobufs that Flyte's compiler accepts,
 * write pyflyte-style registration bundles, run a task inside its container (the `pyflyte-execute` contract), and
 * execute a compiled workflow locally with real subprocesses. It knows nothing of UnionML.
 *
 * @example
 * ```ts
 * import { t, taskSpec, taskArgs, workflowSpec, launchPlan, writeBundle } from '@unionml/flyte';
 * const id = (name: string) => ({ project: 'flytesnacks', domain: 'development', name, version: 'v1' });
 * const hello = taskSpec({
 *   id: id('ts.say_hello'),
 *   interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
 *   image: 'localhost:30000/hello:v1',
 *   args: taskArgs(['node', 'dist/entrypoint.js'], ['task-name', 'say_hello']),
 * });
 * const wf = workflowSpec({
 *   id: id('ts.hello_wf'),
 *   interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
 *   nodes: [{ id: 'n0', task: hello.template!, inputs: { name: { input: 'name' } } }],
 *   outputs: { o0: { node: 'n0', output: 'o0' } },
 * });
 * await writeBundle('flyte-package.tgz', { tasks: [hello], workflows: [wf], launchPlans: [launchPlan({ id: id('ts.hello_wf'), workflow: wf })] });
 * ```
 * @module
 */

// Protobufs (the only door to @flyteorg/flyteidl)
export { flyteidl, google, Long, toStruct, toStructValue, fromStruct, fromStructValue, int64ToJs, int64ToNumber, isSet } from './idl.js';
export type { Identifier, Json, LaunchPlanProto, Literal, LiteralMap, LiteralType, TaskSpec, TaskTemplate, WorkflowSpec, WorkflowTemplate } from './idl.js';

// Declared types
export {
  describeType,
  isOptionalType,
  literalTypeOf,
  MSGPACK_ANNOTATION,
  stripOptional,
  t,
  taggedLiteralType,
  typedInterfaceOf,
  unionTagOf,
  variableMapOf,
} from './types.js';
export type { FlyteType, FlyteTypeKind, FlyteTypeOf } from './types.js';
export { areTypesCastable, describeLiteralType, isOptionalLiteralType, literalTypeForLiteral } from './typing.js';

// Type engine
export {
  decodeMsgpack,
  describeLiteral,
  encodeMsgpack,
  fromLiteral,
  fromLiteralMap,
  millisToDuration,
  millisToTimestamp,
  structuredDatasetFiles,
  toLiteral,
  toLiteralMap,
  typeTransformers,
} from './literals.js';
export type { LiteralContext, TypeTransformer, TypeTransformers } from './literals.js';

// Storage
export {
  anyStorage,
  basenameOf,
  FileStorage,
  fileUri,
  HttpStorage,
  isRemoteUri,
  joinUri,
  localPathOf,
  parseS3Uri,
  copyFileAtomic,
  randomName,
  S3Storage,
  storageFor,
  uriScheme,
} from './storage.js';
export type { Storage } from './storage.js';

// Builders
export { bindingDataOfLiteral, launchPlan, parseQuantity, taskArgs, taskSpec, topologicalOrder, workflowSpec } from './builders.js';
export type { BindingSpec, EntityId, LaunchPlanOptions, NodeOptions, Resources, Schedule, TaskOptions, TypedInterface, WorkflowOptions } from './builders.js';
export { validateCron } from './cron.js';

// Registration bundles
export { bundleFileNames, readBundle, readTar, tarArchive, writeBundle } from './bundle.js';
export type { Bundle, WriteBundleOptions } from './bundle.js';

// Task runtime and local executor
export { errorDocument, executeTask, parseExecuteArgs } from './runtime.js';
export { codeArchive, fastExecuteArgs, fetchDistribution, parseFastExecuteArgs } from './fast.js';
export type { CodeArchive, FastExecuteArgs } from './fast.js';
export type { ExecuteArgs, ExecuteResult, ExecuteTaskOptions, TaskDefinition, TaskRunContext } from './runtime.js';
export { executeWorkflowLocally, renderTemplate } from './executor.js';
export type { LocalExecutionOptions, LocalExecutionResult, NodeRun, NodeRunner } from './executor.js';

// Errors
export {
  BundleError,
  CodeArchiveError,
  describeValue,
  ExecuteArgsError,
  FLYTE_ERRORS,
  FlyteRecoverableError,
  FlyteSpecError,
  FlyteTypeError,
  NodeFailedError,
  RECOVERABLE_CONTAINER_CODE,
  StorageError,
} from './errors.js';
export type { FlyteErrorCode, FlyteTypeErrorCode, StorageErrorCode } from './errors.js';
export { VERSION } from './version.js';
