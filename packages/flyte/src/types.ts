import { literalTypeOf } from './codecs.js';
import type { FlyteType } from './flyte-type.js';
import type { flyteidl } from './idl.js';

// Declared types: what an SDK user declares (flyte-type.ts) and what each kind declares to Flyte (the codecs).
export { describeType, literalTypeOf, taggedLiteralType, unionTagOf } from './codecs.js';
export { isOptionalType, MSGPACK_ANNOTATION, stripOptional, t } from './flyte-type.js';
export type { FlyteType, FlyteTypeKind, FlyteTypeOf } from './flyte-type.js';

/** The `VariableMap` of an interface side: each variable's literal type and description (default: its name, as flytekit). */
export function variableMapOf(variables: Record<string, FlyteType>): flyteidl.core.IVariableMap {
  const out: Record<string, flyteidl.core.IVariable> = {};
  for (const [name, type] of Object.entries(variables)) out[name] = { type: literalTypeOf(type), description: type.description ?? name };
  return { variables: out };
}

/** The `TypedInterface` of a task or workflow. */
export function typedInterfaceOf(iface: { inputs: Record<string, FlyteType>; outputs: Record<string, FlyteType> }): flyteidl.core.ITypedInterface {
  return { inputs: variableMapOf(iface.inputs), outputs: variableMapOf(iface.outputs) };
}
