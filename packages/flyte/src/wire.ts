import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { type flyteidl, int64ToJs, Long } from './idl.js';

// The wire-level helpers of the type engine: Literal shapes, msgpack as Python writes it, protobuf timestamps.

/** The `Binary.tag` of msgpack-encoded values, as flytekit writes them. */
export const MSGPACK = 'msgpack';

/** Whether a message field is set: own property, not null or undefined (decoded messages carry defaults on their prototype). */
export const has = (object: object | null | undefined, key: string): boolean =>
  !!object &&
  Object.prototype.hasOwnProperty.call(object, key) &&
  (object as Record<string, unknown>)[key] !== null &&
  (object as Record<string, unknown>)[key] !== undefined;

/** A plain JS object (`{}` or `Object.create(null)`), not a class instance, array, Date or Map. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A Literal holding a scalar. */
export function scalar(scalarValue: flyteidl.core.IScalar): flyteidl.core.ILiteral {
  return { scalar: scalarValue };
}

/** A Literal holding a primitive. */
export function primitive(value: flyteidl.core.IPrimitive): flyteidl.core.ILiteral {
  return { scalar: { primitive: value } };
}

/** The primitive a Literal holds, if it holds one. */
export function primitiveOf(literal: flyteidl.core.ILiteral): flyteidl.core.IPrimitive | undefined {
  return has(literal, 'scalar') && has(literal.scalar, 'primitive') ? literal.scalar!.primitive! : undefined;
}

/** The value a msgpack binary Literal holds (`found: false` for any other Literal). */
export function msgpackOf(literal: flyteidl.core.ILiteral): { found: boolean; value?: unknown } {
  const s = has(literal, 'scalar') ? literal.scalar! : undefined;
  if (!s || !has(s, 'binary')) return { found: false };
  if ((s.binary!.tag ?? '') !== MSGPACK) return { found: false };
  return { found: true, value: decodeMsgpack(s.binary!.value ?? new Uint8Array()) };
}

/** True for a `scalar.noneType` Literal. */
export function isNoneLiteral(literal: flyteidl.core.ILiteral | null | undefined): boolean {
  return !!literal && has(literal, 'scalar') && has(literal.scalar, 'noneType');
}

const SCALAR_KINDS = ['primitive', 'blob', 'binary', 'schema', 'noneType', 'error', 'generic', 'structuredDataset', 'union'] as const;

/** A short description of what a Literal holds, for error messages (`an integer literal 3`, `a collection literal`). */
export function describeLiteral(literal: flyteidl.core.ILiteral | null | undefined): string {
  if (!literal) return 'no literal';
  if (has(literal, 'collection')) return `a collection literal of ${literal.collection?.literals?.length ?? 0}`;
  if (has(literal, 'map')) return 'a map literal';
  if (has(literal, 'offloadedMetadata')) return 'an offloaded literal';
  const s = literal.scalar;
  if (!has(literal, 'scalar') || !s) return 'an empty literal';
  if (has(s, 'primitive')) {
    const p = s.primitive!;
    if (has(p, 'integer')) return `an integer literal ${String(int64ToJs(p.integer))}`;
    if (has(p, 'floatValue')) return `a float literal ${String(p.floatValue)}`;
    if (has(p, 'stringValue')) return `a string literal ${JSON.stringify(p.stringValue)}`;
    if (has(p, 'boolean')) return `a boolean literal ${String(p.boolean)}`;
    if (has(p, 'datetime')) return 'a datetime literal';
    if (has(p, 'duration')) return 'a duration literal';
    return 'an empty primitive literal';
  }
  const kind = SCALAR_KINDS.find((k) => has(s, k));
  const names: Record<string, string> = {
    blob: 'a blob literal',
    binary: `a binary literal (tag ${JSON.stringify(s.binary?.tag ?? '')})`,
    schema: 'a schema literal',
    noneType: 'a none literal',
    error: 'an error literal',
    generic: 'a generic (Struct) literal',
    structuredDataset: 'a structured dataset literal',
    union: 'a union literal',
  };
  return kind ? (names[kind] ?? kind) : 'an empty scalar literal';
}

// ---------------------------------------------------------------------------------------------------------------
// timestamps and durations

/**
 * Milliseconds since the epoch as a `google.protobuf.Timestamp` (nanos in [0, 1e9)). Zero fields are left out, as
 * Python's protobuf leaves them out of flytekit's bytes.
 */
export function millisToTimestamp(ms: number): { seconds?: Long; nanos?: number } {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return withoutZeros(seconds, nanos);
}

/** Milliseconds as a `google.protobuf.Duration` (seconds and nanos share the sign; zero fields left out). */
export function millisToDuration(ms: number): { seconds?: Long; nanos?: number } {
  const seconds = Math.trunc(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return withoutZeros(seconds, nanos);
}

function withoutZeros(seconds: number, nanos: number): { seconds?: Long; nanos?: number } {
  const out: { seconds?: Long; nanos?: number } = {};
  if (seconds !== 0) out.seconds = Long.fromNumber(seconds);
  if (nanos !== 0) out.nanos = nanos;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// msgpack

/** msgpack bytes as Python's `msgpack.dumps` writes them for the same JSON value (floats as float64, smallest ints). */
export function encodeMsgpack(value: unknown): Uint8Array {
  return msgpackEncode(pythonInts(value), { ignoreUndefined: true, useBigInt64: true });
}

const INT32_MIN = -(2 ** 31);
const UINT32_MAX = 2 ** 32 - 1;

/**
 * Python's msgpack writes the smallest int format; @msgpack/msgpack (with `useBigInt64`) writes integral numbers past
 * 32 bits as float64 and every bigint as 64-bit. So: integral numbers past 32 bits become bigints (uint64/int64), and
 * bigints that fit 32 bits become numbers.
 */
function pythonInts(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN) ? BigInt(value) : value;
  if (typeof value === 'bigint') return value >= BigInt(INT32_MIN) && value <= BigInt(UINT32_MAX) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(pythonInts);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = pythonInts(item);
    return out;
  }
  return value;
}

/** Decodes msgpack; int64 values within 2^53 come back as numbers, larger ones as bigints. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  return unbig(msgpackDecode(bytes, { useBigInt64: true }));
}

function unbig(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(unbig);
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) value[key] = unbig(value[key]);
    return value;
  }
  return value;
}
