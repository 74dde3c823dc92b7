/**
 * The one module that imports `@flyteorg/flyteidl` (the protobufjs static module of Flyte's IDL, 1.16.5).
 *
 * The generated module has only `create`, `encode`, `decode` and `verify`: build plain objects with camelCase keys
 * and numeric enums (`flyteidl.core.SimpleType.STRING`), then `X.encode(obj).finish()`. int64 fields (`integer`,
 * `Timestamp.seconds`, ...) decode to `Long`; this module wires protobufjs to `long` 5 once, on import.
 * @module
 */
import Long from 'long';
// The typings of @flyteorg/flyteidl and protobufjs name the int64 class as a global, `Long`: long's UMD global, which
// long's CommonJS typings declare (`export as namespace Long`). Importing them declares it, here and in idl.d.ts, and
// once only: @grpc/grpc-js's typings load the same file (a `declare global` of our own would then be a duplicate).
import type UmdLong from 'long' with { 'resolution-mode': 'require' };
import protobuf from 'protobufjs/minimal.js';
import pb from '@flyteorg/flyteidl/gen/pb-js/flyteidl.js';
import { FlyteTypeError } from './errors.js';

// protobufjs looks `long` up lazily with a hidden require; set it explicitly so that int64 fields always decode to
// Long, whichever copy of `long` the package manager placed next to protobufjs.
protobuf.util.Long = Long;
protobuf.configure();

/** The `flyteidl` namespace: messages (values) and their `I*` interfaces (types), e.g. `flyteidl.core.ILiteral`. */
export import flyteidl = pb.flyteidl;
/** The `google` namespace of well-known types (`google.protobuf.Struct`, `Timestamp`, `Duration`...). */
export import google = pb.google;

export { Long };

/** The global `Long` of flyteidl's typings (long's UMD typings): the same class as {@link Long}. */
export type Int64 = UmdLong;

/** A `flyteidl.core.Literal` as a plain object. */
export type Literal = flyteidl.core.ILiteral;
/** A `flyteidl.core.LiteralMap` as a plain object. */
export type LiteralMap = flyteidl.core.ILiteralMap;
/** A `flyteidl.core.LiteralType` as a plain object. */
export type LiteralType = flyteidl.core.ILiteralType;
/** A `flyteidl.core.Identifier` as a plain object. */
export type Identifier = flyteidl.core.IIdentifier;
/** A `flyteidl.core.TaskTemplate` as a plain object. */
export type TaskTemplate = flyteidl.core.ITaskTemplate;
/** A `flyteidl.core.WorkflowTemplate` as a plain object. */
export type WorkflowTemplate = flyteidl.core.IWorkflowTemplate;
/** A `flyteidl.admin.TaskSpec` as a plain object. */
export type TaskSpec = flyteidl.admin.ITaskSpec;
/** A `flyteidl.admin.WorkflowSpec` as a plain object. */
export type WorkflowSpec = flyteidl.admin.IWorkflowSpec;
/** A `flyteidl.admin.LaunchPlan` as a plain object. */
export type LaunchPlanProto = flyteidl.admin.ILaunchPlan;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Converts a JSON object to a `google.protobuf.Struct` (numbers become doubles, as in proto3 JSON). */
export function toStruct(value: Record<string, unknown>): google.protobuf.IStruct {
  const fields: Record<string, google.protobuf.IValue> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) fields[key] = toStructValue(item);
  return { fields };
}

/** Converts one JSON value to a `google.protobuf.Value`; throws `FLYTE_TYPE_MISMATCH` for a function or a symbol. */
export function toStructValue(value: unknown): google.protobuf.IValue {
  if (value === null || value === undefined) return { nullValue: google.protobuf.NullValue.NULL_VALUE };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { numberValue: Number(value) };
  if (Array.isArray(value)) return { listValue: { values: value.map((item) => toStructValue(item)) } };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  if (typeof value === 'object') return { structValue: toStruct(value as Record<string, unknown>) };
  throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `cannot put a ${typeof value} in a google.protobuf.Struct`, { hint: 'a Struct holds JSON values only' });
}

/** Converts a `google.protobuf.Struct` back to a JSON object. */
export function fromStruct(struct: google.protobuf.IStruct | null | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(struct?.fields ?? {})) out[key] = fromStructValue(item);
  return out;
}

/** Converts a `google.protobuf.Value` back to JSON. */
export function fromStructValue(value: google.protobuf.IValue | null | undefined): Json {
  if (!value) return null;
  // Decoded messages carry oneof defaults on their prototype: test own properties (see isSet).
  if (isSet(value, 'numberValue')) return value.numberValue!;
  if (isSet(value, 'stringValue')) return value.stringValue!;
  if (isSet(value, 'boolValue')) return value.boolValue!;
  if (isSet(value, 'structValue')) return fromStruct(value.structValue);
  if (isSet(value, 'listValue')) return (value.listValue!.values ?? []).map((item) => fromStructValue(item));
  return null;
}

/** A number, Long or bigint as a JS number when safe, else as a bigint. */
export function int64ToJs(value: Long | number | string | bigint | null | undefined): number | bigint {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  const long = typeof value === 'string' ? Long.fromString(value) : Long.fromValue(value);
  const big = BigInt(long.toString());
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** A Long (or number) as a JS number (lossy beyond 2^53; for seconds and sizes). */
export function int64ToNumber(value: Long | number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return Long.fromValue(value).toNumber();
}

/**
 * Whether a message field (or oneof member) is set. Decoded protobufjs messages carry defaults on their prototype
 * (`Primitive.integer` reads `Long(0)` even when `stringValue` is the member set), so test own properties.
 */
export function isSet(message: object | null | undefined, key: string): boolean {
  return (
    !!message &&
    Object.prototype.hasOwnProperty.call(message, key) &&
    (message as Record<string, unknown>)[key] !== null &&
    (message as Record<string, unknown>)[key] !== undefined
  );
}
