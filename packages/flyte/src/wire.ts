import { decode as msgpackDecode } from '@msgpack/msgpack';
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

/**
 * msgpack bytes as Python's `msgpack.packb` (use_bin_type) writes them for the same value: ints in their smallest
 * format (JS integral numbers within 2^53 and bigints), other numbers as float64 (`-0` keeps its sign, as Python's
 * `-0.0`), strings as str, `Uint8Array` as bin, arrays, plain objects as maps (`undefined` properties left out).
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  const writer = new MsgpackWriter();
  writer.value(value);
  return writer.bytes();
}

/** A number {@link encodeMsgpack} writes as float64 even when it is integral (a float field's `2`, Python's `2.0`). */
export class MsgpackFloat {
  constructor(readonly value: number) {}
}

/**
 * Marks the integral numbers of `value` that its JSON Schema declares `number` (not `integer`) as {@link MsgpackFloat},
 * so that a float field is written as flytekit writes a Python float: `{"lr": 1}` under `{lr: {type: number}}` gives
 * float64 1.0. Follows properties, additionalProperties, items, anyOf/oneOf/allOf and local `$ref`s.
 */
export function markFloats(value: unknown, schema: Record<string, unknown> | undefined, root = schema): unknown {
  if (!schema) return value;
  const resolved = resolveRef(schema, root);
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) && isFloatSchema(resolved, root) ? new MsgpackFloat(value) : value;
  if (Array.isArray(value)) {
    const items = asSchema(resolved['items']) ?? branchWith(resolved, root, 'items');
    return items ? value.map((item) => markFloats(item, items, root)) : value;
  }
  if (isPlainObject(value)) {
    const properties = (resolved['properties'] ?? {}) as Record<string, unknown>;
    const additional = asSchema(resolved['additionalProperties']);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const field = asSchema(properties[key]) ?? additional ?? branchProperty(resolved, root, key);
      out[key] = field ? markFloats(item, field, root) : item;
    }
    return out;
  }
  return value;
}

function asSchema(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

function resolveRef(schema: Record<string, unknown>, root: Record<string, unknown> | undefined): Record<string, unknown> {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/') || !root) return schema;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = isPlainObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return asSchema(node) ?? schema;
}

function branches(schema: Record<string, unknown>, root: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const list = [schema['anyOf'], schema['oneOf'], schema['allOf']].flatMap((b): unknown[] => (Array.isArray(b) ? (b as unknown[]) : []));
  return list
    .map(asSchema)
    .filter((b): b is Record<string, unknown> => !!b)
    .map((b) => resolveRef(b, root));
}

/** A schema whose numbers are floats: `type` number (alone or with null), or branches that allow number and not integer. */
function isFloatSchema(schema: Record<string, unknown>, root: Record<string, unknown> | undefined): boolean {
  const types = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
  if (types.includes('integer')) return false;
  if (types.includes('number')) return true;
  const inner = branches(schema, root);
  return inner.some((b) => isFloatSchema(b, root)) && !inner.some((b) => b['type'] === 'integer');
}

function branchWith(schema: Record<string, unknown>, root: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  for (const branch of branches(schema, root)) {
    const found = asSchema(branch[key]);
    if (found) return found;
  }
  return undefined;
}

function branchProperty(schema: Record<string, unknown>, root: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  for (const branch of branches(schema, root)) {
    const found = asSchema((branch['properties'] as Record<string, unknown> | undefined)?.[key]) ?? asSchema(branch['additionalProperties']);
    if (found) return found;
  }
  return undefined;
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A growable buffer writing msgpack as Python's msgpack does. */
class MsgpackWriter {
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(n: number): number {
    if (this.#length + n > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + n));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.#length;
    this.#length += n;
    return at;
  }

  #byte(b: number): void {
    this.#buffer[this.#reserve(1)] = b;
  }

  #header(small: number, smallMax: number, codes: [number, number, number], n: number): void {
    if (n <= smallMax) this.#byte(small | n);
    else if (codes[0] !== 0 && n <= 0xff) this.#u8(codes[0], n);
    else if (n <= 0xffff) this.#u16(codes[1], n);
    else this.#u32(codes[2], n);
  }

  #u8(code: number, n: number): void {
    const at = this.#reserve(2);
    this.#buffer[at] = code;
    this.#view.setUint8(at + 1, n);
  }

  #u16(code: number, n: number): void {
    const at = this.#reserve(3);
    this.#buffer[at] = code;
    this.#view.setUint16(at + 1, n);
  }

  #u32(code: number, n: number): void {
    const at = this.#reserve(5);
    this.#buffer[at] = code;
    this.#view.setUint32(at + 1, n);
  }

  #int(n: bigint): void {
    if (n > UINT64_MAX || n < INT64_MIN) throw new RangeError(`${n} does not fit a 64-bit msgpack integer`);
    if (n >= 0n) {
      if (n <= 0x7fn) this.#byte(Number(n));
      else if (n <= 0xffn) this.#u8(0xcc, Number(n));
      else if (n <= 0xffffn) this.#u16(0xcd, Number(n));
      else if (n <= 0xffffffffn) this.#u32(0xce, Number(n));
      else {
        const at = this.#reserve(9);
        this.#buffer[at] = 0xcf;
        this.#view.setBigUint64(at + 1, n);
      }
      return;
    }
    if (n >= -32n) this.#byte(Number(n) & 0xff);
    else if (n >= -0x80n) {
      const at = this.#reserve(2);
      this.#buffer[at] = 0xd0;
      this.#view.setInt8(at + 1, Number(n));
    } else if (n >= -0x8000n) {
      const at = this.#reserve(3);
      this.#buffer[at] = 0xd1;
      this.#view.setInt16(at + 1, Number(n));
    } else if (n >= -0x80000000n) {
      const at = this.#reserve(5);
      this.#buffer[at] = 0xd2;
      this.#view.setInt32(at + 1, Number(n));
    } else {
      const at = this.#reserve(9);
      this.#buffer[at] = 0xd3;
      this.#view.setBigInt64(at + 1, n);
    }
  }

  value(value: unknown): void {
    if (value === null || value === undefined) return this.#byte(0xc0);
    if (value === false) return this.#byte(0xc2);
    if (value === true) return this.#byte(0xc3);
    if (typeof value === 'number' || value instanceof MsgpackFloat) {
      if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return this.#int(BigInt(value));
      const at = this.#reserve(9);
      this.#buffer[at] = 0xcb;
      this.#view.setFloat64(at + 1, typeof value === 'number' ? value : value.value);
      return;
    }
    if (typeof value === 'bigint') return this.#int(value);
    if (typeof value === 'string') {
      const utf8 = encoder.encode(value);
      this.#header(0xa0, 31, [0xd9, 0xda, 0xdb], utf8.length);
      const at = this.#reserve(utf8.length); // (reserve first: it may replace the buffer)
      this.#buffer.set(utf8, at);
      return;
    }
    if (value instanceof Uint8Array) {
      const n = value.length;
      if (n <= 0xff) this.#u8(0xc4, n);
      else if (n <= 0xffff) this.#u16(0xc5, n);
      else this.#u32(0xc6, n);
      const at = this.#reserve(n);
      this.#buffer.set(value, at);
      return;
    }
    if (Array.isArray(value)) {
      this.#header(0x90, 15, [0, 0xdc, 0xdd], value.length);
      for (const item of value) this.value(item);
      return;
    }
    if (isPlainObject(value)) {
      const entries = Object.entries(value).filter(([, item]) => item !== undefined);
      this.#header(0x80, 15, [0, 0xde, 0xdf], entries.length);
      for (const [key, item] of entries) {
        this.value(key);
        this.value(item);
      }
      return;
    }
    throw new TypeError(`cannot encode ${Object.prototype.toString.call(value)} as msgpack`);
  }
}

const encoder = new TextEncoder();

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
