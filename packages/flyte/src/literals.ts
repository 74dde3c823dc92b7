import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { describeValue, FlyteTypeError } from './errors.js';
import { flyteidl, fromStruct, int64ToJs, int64ToNumber, Long } from './idl.js';
import { basenameOf, joinUri, localPathOf, randomName, type Storage } from './storage.js';
import { describeType, isOptionalType, literalTypeOf, stripOptional, taggedLiteralType, type FlyteType } from './types.js';

/**
 * Where the type engine reads and writes data while converting values.
 */
export interface LiteralContext {
  /** Storage for blobs and datasets (use `anyStorage()` to accept every scheme). */
  storage: Storage;
  /** Where blobs and datasets produced by this task are uploaded (`<rawOutputPrefix>/<random>/<name>`). */
  rawOutputPrefix: string;
  /** A local folder where blobs are downloaded. */
  workDir: string;
}

/**
 * Converts the values of variables whose {@link FlyteType} names it (`transformer: name`), e.g. a DataFrame library's
 * `structuredDataset` transformer that writes parquet under `ctx.rawOutputPrefix`. The variable's literal *type*
 * still comes from its kind ({@link literalTypeOf}); the transformer only converts values.
 */
export interface TypeTransformer {
  /** The name `FlyteType.transformer` refers to. */
  name: string;
  /** A JS value to a Literal. */
  toLiteral(value: unknown, type: FlyteType, ctx: LiteralContext): Promise<flyteidl.core.ILiteral>;
  /** A Literal to a JS value. */
  fromLiteral(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext): Promise<unknown>;
}

const transformers = new Map<string, TypeTransformer>();

/** Registers (or replaces) a transformer under its name. */
export function registerTransformer(transformer: TypeTransformer): void {
  if (!transformer || typeof transformer.name !== 'string' || transformer.name === '') {
    throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', 'a type transformer needs a non-empty name');
  }
  transformers.set(transformer.name, transformer);
}

/** The transformer registered under `name`, if any. */
export function getTransformer(name: string): TypeTransformer | undefined {
  return transformers.get(name);
}

const MSGPACK = 'msgpack';
const { BlobDimensionality } = flyteidl.core.BlobType;

/**
 * Converts a JS value to the Literal of its **declared** type (never inferred from the value):
 *
 * | FlyteType | JS value | Literal |
 * |---|---|---|
 * | int | `number` (safe integer) or `bigint` (int64 range) | `primitive.integer` |
 * | float | `number` (a float variable holding 3 is `floatValue: 3`) | `primitive.floatValue` |
 * | string, boolean | `string`, `boolean` | `primitive.stringValue`, `primitive.boolean` |
 * | datetime | `Date` (or an ISO 8601 string); UTC | `primitive.datetime` (seconds + nanos) |
 * | duration | `number` of milliseconds | `primitive.duration` |
 * | none | `null` (or `undefined`) | `noneType` |
 * | list, map | array, plain object (or `Map` with string keys) | `collection`, `map` |
 * | struct | a JSON object | `binary{value: msgpack, tag: "msgpack"}` (as flytekit's dict/dataclass) |
 * | blob | `{ uri }` or `{ path }` (or a string) | `blob{uri}`: local files/folders are uploaded to `<rawOutputPrefix>/<random>/<name>`, remote URIs referenced |
 * | structuredDataset | `{ uri, format? }` | `structuredDataset{uri, metadata}` (a reference; local data is uploaded) |
 * | optional | `null`/`undefined` or a value of the inner type | `union{value, type}` with flytekit's tags |
 * | enum | one of its strings | `primitive.stringValue` |
 *
 * Throws {@link FlyteTypeError} naming the variable (and the path inside it): `variable 'epochs': expected int, got 2.5`.
 */
export async function toLiteral(value: unknown, type: FlyteType, ctx: LiteralContext, variable?: string): Promise<flyteidl.core.ILiteral> {
  return encode(value, type, ctx, variable ?? '');
}

/**
 * Converts a Literal to the JS value of its declared type (see {@link toLiteral} for the conventions). Also accepts
 * what other SDKs and the console send: an integer for a float, an integral float for an int, `scalar.generic`
 * (a Struct) for a struct, msgpack-encoded primitives, a bare value (not a union) for an optional, and offloaded
 * literals. Blobs are downloaded to `ctx.workDir` (local URIs are used in place) and come back as `{ uri, path }`;
 * an int beyond 2^53 comes back as a `bigint`.
 */
export async function fromLiteral(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext, variable?: string): Promise<unknown> {
  return decode(literal, type, ctx, variable ?? '');
}

/**
 * Converts named values to a LiteralMap. Every declared variable must be present (optional ones may be left out and
 * become `null`), and no undeclared one may be; each error names the variable, the expected type and what it got.
 */
export async function toLiteralMap(values: Record<string, unknown>, types: Record<string, FlyteType>, ctx: LiteralContext): Promise<flyteidl.core.ILiteralMap> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `expected an object of named values (${describeVariables(types)}), got ${describeValue(values)}`);
  }
  checkNames(Object.keys(values), types, 'value');
  const literals: Record<string, flyteidl.core.ILiteral> = {};
  for (const [name, type] of Object.entries(types)) {
    const present = Object.prototype.hasOwnProperty.call(values, name) && values[name] !== undefined;
    if (!present && !isOptionalType(type)) {
      throw new FlyteTypeError('FLYTE_VALUE_MISSING', `missing variable '${name}': expected ${describeType(type)}`, { variable: name });
    }
    literals[name] = await encode(present ? values[name] : null, type, ctx, name);
  }
  return { literals };
}

/** Converts a LiteralMap to named JS values; a missing optional variable is `null`. */
export async function fromLiteralMap(map: flyteidl.core.ILiteralMap, types: Record<string, FlyteType>, ctx: LiteralContext): Promise<Record<string, unknown>> {
  const literals = map?.literals ?? {};
  checkNames(Object.keys(literals), types, 'literal');
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) {
    const literal = literals[name];
    if (!literal) {
      if (isOptionalType(type)) {
        out[name] = null;
        continue;
      }
      throw new FlyteTypeError('FLYTE_VALUE_MISSING', `missing variable '${name}': expected ${describeType(type)}`, { variable: name });
    }
    out[name] = await decode(literal, type, ctx, name);
  }
  return out;
}

/**
 * The data files of a structured dataset: every object under `uri` whose name does not start with `_` or `.`
 * (flytekit's pandas encoder writes one parquet file `<uri>/00000`; Spark and others write several), sorted; or
 * `[uri]` when `uri` is itself a file. Lets a dataset transformer in another package read what flytekit wrote.
 */
export async function structuredDatasetFiles(uri: string, storage: Storage): Promise<string[]> {
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  const listed = await storage.list(prefix);
  const files = listed.filter((file) => {
    const rest = file.slice(prefix.length);
    return rest !== '' && !rest.split('/').some((segment) => segment.startsWith('_') || segment.startsWith('.'));
  });
  if (files.length > 0) return files;
  if (!uri.endsWith('/') && (await storage.exists(uri))) return [uri];
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// encoding

function where(path: string): string {
  return path === '' ? 'value' : `variable '${path}'`;
}

function mismatch(path: string, type: FlyteType, got: string, hint?: string): FlyteTypeError {
  return new FlyteTypeError('FLYTE_TYPE_MISMATCH', `${where(path)}: expected ${describeType(type)}, got ${got}`, { variable: path || undefined, hint });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scalar(scalarValue: flyteidl.core.IScalar): flyteidl.core.ILiteral {
  return { scalar: scalarValue };
}

function primitive(value: flyteidl.core.IPrimitive): flyteidl.core.ILiteral {
  return { scalar: { primitive: value } };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

async function encode(value: unknown, type: FlyteType, ctx: LiteralContext, path: string): Promise<flyteidl.core.ILiteral> {
  if (type.transformer) return viaTransformer(type.transformer, path, () => getTransformerOrThrow(type.transformer!, path).toLiteral(value, type, ctx));
  switch (type.kind) {
    case 'int': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return primitive({ integer: Long.fromNumber(value) });
      if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return primitive({ integer: Long.fromString(value.toString()) });
      if (Long.isLong(value)) return primitive({ integer: value });
      const hint = typeof value === 'number' && Number.isInteger(value) ? 'integers beyond 2^53 must be passed as a bigint' : undefined;
      throw mismatch(path, type, describeValue(value), hint);
    }
    case 'float':
      if (typeof value === 'number') return primitive({ floatValue: value });
      throw mismatch(path, type, describeValue(value));
    case 'string':
      if (typeof value === 'string') return primitive({ stringValue: value });
      throw mismatch(path, type, describeValue(value));
    case 'boolean':
      if (typeof value === 'boolean') return primitive({ boolean: value });
      throw mismatch(path, type, describeValue(value));
    case 'datetime': {
      const date = value instanceof Date ? value : typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw mismatch(path, type, describeValue(value), 'pass a Date (or an ISO 8601 string)');
      return primitive({ datetime: millisToTimestamp(date.getTime()) });
    }
    case 'duration':
      if (typeof value === 'number' && Number.isFinite(value)) return primitive({ duration: millisToDuration(value) });
      throw mismatch(path, type, describeValue(value), 'pass a duration as a number of milliseconds');
    case 'none':
      if (value === null || value === undefined) return scalar({ noneType: {} });
      throw mismatch(path, type, describeValue(value));
    case 'list': {
      if (!Array.isArray(value)) throw mismatch(path, type, describeValue(value));
      const literals: flyteidl.core.ILiteral[] = [];
      for (let i = 0; i < value.length; i++) literals.push(await encode(value[i], type.of, ctx, `${path}[${i}]`));
      return { collection: { literals } };
    }
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : undefined;
      if (!entries) throw mismatch(path, type, describeValue(value));
      const literals: Record<string, flyteidl.core.ILiteral> = {};
      for (const [key, item] of entries) {
        if (typeof key !== 'string') throw mismatch(path, type, `a key ${describeValue(key)}`, 'map keys must be strings');
        literals[key] = await encode(item, type.of, ctx, `${path}[${JSON.stringify(key)}]`);
      }
      return { map: { literals } };
    }
    case 'struct': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date || value instanceof Map || ArrayBuffer.isView(value)) {
        throw mismatch(path, type, describeValue(value), 'a struct is a JSON object');
      }
      return scalar({ binary: { value: encodeMsgpack(toJsonLike(value, path, type)), tag: MSGPACK } });
    }
    case 'blob':
      return encodeBlob(value, type, ctx, path);
    case 'structuredDataset':
      return encodeDataset(value, type, ctx, path);
    case 'optional': {
      const inner = stripOptional(type.of);
      if (value === null || value === undefined) {
        if (inner.kind === 'none') return scalar({ noneType: {} });
        return scalar({ union: { value: scalar({ noneType: {} }), type: taggedLiteralType({ kind: 'none' }) } });
      }
      if (inner.kind === 'none') throw mismatch(path, type, describeValue(value));
      const literal = await encode(value, inner, ctx, path);
      return scalar({ union: { value: literal, type: taggedLiteralType(inner) } });
    }
    case 'enum':
      if (typeof value === 'string' && type.values.includes(value)) return primitive({ stringValue: value });
      throw mismatch(path, type, describeValue(value));
    default:
      throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported Flyte type ${describeValue(type)}`, { variable: path || undefined });
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

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

/**
 * Normalises a struct value as JSON.stringify would (toJSON, Dates → ISO strings, undefined properties dropped,
 * undefined array items → null) but keeps numbers, bigints and bytes for msgpack. Rejects functions, symbols and
 * cycles.
 */
function toJsonLike(value: unknown, path: string, type: FlyteType, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (value === undefined) return null;
  if (typeof value === 'function' || typeof value === 'symbol') throw mismatch(path, type, `${describeValue(value)} inside the object`, 'a struct holds JSON values only');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return value;
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return toJsonLike(withToJson.toJSON(), path, type, seen);
  const object = value as object;
  if (seen.has(object)) throw mismatch(path, type, 'an object with a cycle');
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item, i) => toJsonLike(item, `${path}[${i}]`, type, seen));
    if (object instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of object) if (item !== undefined) out[String(key)] = toJsonLike(item, `${path}.${String(key)}`, type, seen);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      out[key] = toJsonLike(item, `${path}.${key}`, type, seen);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

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

async function encodeBlob(value: unknown, type: FlyteType & { kind: 'blob' }, ctx: LiteralContext, path: string): Promise<flyteidl.core.ILiteral> {
  const record = isPlainObject(value) ? value : undefined;
  const uri = typeof value === 'string' ? value : typeof record?.['uri'] === 'string' ? record['uri'] : typeof record?.['path'] === 'string' ? record['path'] : undefined;
  if (!uri) throw mismatch(path, type, describeValue(value), `pass { uri: '<local path, file:// or s3:// URI>' }`);
  const blobType = literalTypeOf(type).blob!;
  const local = localPathOf(uri);
  if (local === undefined) return scalar({ blob: { metadata: { type: blobType }, uri } });
  const uploaded = await upload(local, type.multipart ? 'folder' : 'file', ctx, path, type);
  return scalar({ blob: { metadata: { type: blobType }, uri: uploaded } });
}

async function encodeDataset(value: unknown, type: FlyteType & { kind: 'structuredDataset' }, ctx: LiteralContext, path: string): Promise<flyteidl.core.ILiteral> {
  const record = isPlainObject(value) ? value : undefined;
  const uri = typeof value === 'string' ? value : typeof record?.['uri'] === 'string' ? record['uri'] : undefined;
  if (!uri) {
    throw mismatch(path, type, describeValue(value), 'pass { uri, format } (a reference to data already written), or register a transformer for your data frame type');
  }
  const given = typeof record?.['format'] === 'string' ? record['format'] : '';
  // flytekit keeps the declared format unless it is generic ("").
  const format = type.format || given;
  const local = localPathOf(uri);
  const stored = local === undefined ? uri : await upload(local, 'any', ctx, path, type);
  const datasetType: flyteidl.core.IStructuredDatasetType = { ...literalTypeOf(type).structuredDatasetType! };
  if (format) datasetType.format = format;
  else delete datasetType.format;
  return scalar({ structuredDataset: { uri: stored, metadata: { structuredDatasetType: datasetType } } });
}

/** Uploads a local file or folder to `<rawOutputPrefix>/<random>/<basename>` and returns that URI. */
async function upload(local: string, expect: 'file' | 'folder' | 'any', ctx: LiteralContext, path: string, type: FlyteType): Promise<string> {
  const info = await stat(local).catch(() => undefined);
  if (!info) throw mismatch(path, type, `${local}, which does not exist`);
  if (expect === 'file' && !info.isFile()) throw mismatch(path, type, `${local}, which is not a file`, info.isDirectory() ? 'declare t.blob({ multipart: true }) for a folder' : undefined);
  if (expect === 'folder' && !info.isDirectory()) throw mismatch(path, type, `${local}, which is not a folder`);
  const destination = joinUri(ctx.rawOutputPrefix, randomName(), basename(local));
  if (info.isFile()) {
    await ctx.storage.copyFrom(local, destination);
    return destination;
  }
  for (const file of await walkFiles(local)) {
    await ctx.storage.copyFrom(file, joinUri(destination, relative(local, file).split(sep).join('/')));
  }
  return destination;
}

async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// decoding

const has = (object: object | null | undefined, key: string): boolean =>
  !!object && Object.prototype.hasOwnProperty.call(object, key) && (object as Record<string, unknown>)[key] !== null && (object as Record<string, unknown>)[key] !== undefined;

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
    if (has(p, 'integer')) return `an integer literal ${String(int64ToJs(p.integer as Long))}`;
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

function literalMismatch(path: string, type: FlyteType, literal: flyteidl.core.ILiteral): FlyteTypeError {
  return mismatch(path, type, describeLiteral(literal));
}

function primitiveOf(literal: flyteidl.core.ILiteral): flyteidl.core.IPrimitive | undefined {
  return has(literal, 'scalar') && has(literal.scalar, 'primitive') ? literal.scalar!.primitive! : undefined;
}

function msgpackOf(literal: flyteidl.core.ILiteral): { found: boolean; value?: unknown } {
  const s = has(literal, 'scalar') ? literal.scalar! : undefined;
  if (!s || !has(s, 'binary')) return { found: false };
  if ((s.binary!.tag ?? '') !== MSGPACK) return { found: false };
  return { found: true, value: decodeMsgpack(s.binary!.value ?? new Uint8Array()) };
}

function isNoneLiteral(literal: flyteidl.core.ILiteral | null | undefined): boolean {
  return !!literal && has(literal, 'scalar') && has(literal.scalar, 'noneType');
}

async function decode(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext, path: string): Promise<unknown> {
  if (has(literal, 'offloadedMetadata')) {
    const uri = literal.offloadedMetadata!.uri ?? '';
    const bytes = await ctx.storage.read(uri);
    return decode(flyteidl.core.Literal.decode(bytes), type, ctx, path);
  }
  if (type.transformer) return viaTransformer(type.transformer, path, () => getTransformerOrThrow(type.transformer!, path).fromLiteral(literal, type, ctx));
  switch (type.kind) {
    case 'int': {
      const p = primitiveOf(literal);
      if (p && has(p, 'integer')) return int64ToJs(p.integer as Long);
      if (p && has(p, 'floatValue') && Number.isInteger(p.floatValue)) return p.floatValue;
      const packed = msgpackOf(literal);
      if (packed.found && (typeof packed.value === 'bigint' || Number.isInteger(packed.value))) return packed.value;
      throw literalMismatch(path, type, literal);
    }
    case 'float': {
      const p = primitiveOf(literal);
      if (p && has(p, 'floatValue')) return p.floatValue;
      if (p && has(p, 'integer')) return int64ToNumber(p.integer as Long);
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'number') return packed.value;
      throw literalMismatch(path, type, literal);
    }
    case 'string':
    case 'enum': {
      const p = primitiveOf(literal);
      let text: unknown;
      if (p && has(p, 'stringValue')) text = p.stringValue;
      else {
        const packed = msgpackOf(literal);
        if (packed.found) text = packed.value;
      }
      if (typeof text !== 'string') throw literalMismatch(path, type, literal);
      if (type.kind === 'enum' && !type.values.includes(text)) throw mismatch(path, type, JSON.stringify(text));
      return text;
    }
    case 'boolean': {
      const p = primitiveOf(literal);
      if (p && has(p, 'boolean')) return p.boolean;
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'boolean') return packed.value;
      throw literalMismatch(path, type, literal);
    }
    case 'datetime': {
      const p = primitiveOf(literal);
      if (p && has(p, 'datetime')) return new Date(int64ToNumber(p.datetime!.seconds as Long) * 1000 + Math.floor((p.datetime!.nanos ?? 0) / 1e6));
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'string' && !Number.isNaN(Date.parse(packed.value))) return new Date(packed.value);
      throw literalMismatch(path, type, literal);
    }
    case 'duration': {
      const p = primitiveOf(literal);
      if (p && has(p, 'duration')) return int64ToNumber(p.duration!.seconds as Long) * 1000 + (p.duration!.nanos ?? 0) / 1e6;
      throw literalMismatch(path, type, literal);
    }
    case 'none':
      if (isNoneLiteral(literal)) return null;
      if (has(literal, 'scalar') && has(literal.scalar, 'union') && isNoneLiteral(literal.scalar!.union!.value)) return null;
      throw literalMismatch(path, type, literal);
    case 'list': {
      if (!has(literal, 'collection')) {
        const packed = msgpackOf(literal);
        if (packed.found && Array.isArray(packed.value) && isJsonLeafType(type.of)) return packed.value;
        throw literalMismatch(path, type, literal);
      }
      const items = literal.collection!.literals ?? [];
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) out.push(await decode(items[i]!, type.of, ctx, `${path}[${i}]`));
      return out;
    }
    case 'map': {
      if (!has(literal, 'map')) {
        const packed = msgpackOf(literal);
        if (packed.found && isPlainObject(packed.value) && isJsonLeafType(type.of)) return packed.value;
        throw literalMismatch(path, type, literal);
      }
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(literal.map!.literals ?? {})) entries.push([key, await decode(item, type.of, ctx, `${path}[${JSON.stringify(key)}]`)]);
      return Object.fromEntries(entries);
    }
    case 'struct': {
      const s = has(literal, 'scalar') ? literal.scalar! : undefined;
      if (s && has(s, 'binary')) {
        const tag = s.binary!.tag ?? '';
        if (tag !== MSGPACK) throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported binary format ${JSON.stringify(tag)} (only "msgpack")`, { variable: path || undefined });
        try {
          return decodeMsgpack(s.binary!.value ?? new Uint8Array());
        } catch (error) {
          throw mismatch(path, type, `msgpack bytes that do not decode (${errorMessage(error)})`);
        }
      }
      if (s && has(s, 'generic')) return fromStruct(s.generic);
      throw literalMismatch(path, type, literal);
    }
    case 'blob': {
      const s = has(literal, 'scalar') ? literal.scalar! : undefined;
      if (!s || !has(s, 'blob')) throw literalMismatch(path, type, literal);
      const uri = s.blob!.uri ?? '';
      const multipart = (s.blob!.metadata?.type?.dimensionality ?? (type.multipart ? BlobDimensionality.MULTIPART : BlobDimensionality.SINGLE)) === BlobDimensionality.MULTIPART;
      return download(uri, multipart, ctx);
    }
    case 'structuredDataset': {
      const s = has(literal, 'scalar') ? literal.scalar! : undefined;
      if (!s || !has(s, 'structuredDataset')) throw literalMismatch(path, type, literal);
      const dataset = s.structuredDataset!;
      return { uri: dataset.uri ?? '', format: dataset.metadata?.structuredDatasetType?.format || type.format || '' };
    }
    case 'optional': {
      const inner = stripOptional(type.of);
      if (isNoneLiteral(literal)) return null;
      if (has(literal, 'scalar') && has(literal.scalar, 'union')) {
        const union = literal.scalar!.union!;
        if (union.type?.structure?.tag === 'none' || isNoneLiteral(union.value)) return null;
        if (!union.value) throw literalMismatch(path, type, literal);
        return decode(union.value, inner, ctx, path);
      }
      const packed = msgpackOf(literal);
      if (packed.found && packed.value === null) return null;
      return decode(literal, inner, ctx, path);
    }
    default:
      throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported Flyte type ${describeValue(type)}`, { variable: path || undefined });
  }
}

/** Types whose values msgpack can carry as plain JSON (for lists/maps resolved out of a struct by propeller). */
function isJsonLeafType(type: FlyteType): boolean {
  if (type.transformer) return false;
  switch (type.kind) {
    case 'int':
    case 'float':
    case 'string':
    case 'boolean':
    case 'struct':
    case 'enum':
    case 'none':
      return true;
    case 'list':
    case 'map':
    case 'optional':
      return isJsonLeafType(type.of);
    default:
      return false;
  }
}

/** Downloads a blob to `<workDir>/<random>/<name>`; local URIs are used in place. */
async function download(uri: string, multipart: boolean, ctx: LiteralContext): Promise<{ uri: string; path: string }> {
  const local = localPathOf(uri);
  if (local !== undefined) return { uri, path: local };
  const destination = join(ctx.workDir, randomName(8), basenameOf(uri) || 'blob');
  if (!multipart) {
    await ctx.storage.copyTo(uri, destination);
    return { uri, path: destination };
  }
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  for (const file of await ctx.storage.list(prefix)) {
    const rest = file.slice(prefix.length);
    if (rest === '') continue;
    await ctx.storage.copyTo(file, join(destination, ...rest.split('/')));
  }
  return { uri, path: destination };
}

// ---------------------------------------------------------------------------------------------------------------

function getTransformerOrThrow(name: string, path: string): TypeTransformer {
  const transformer = transformers.get(name);
  if (!transformer) {
    throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: no type transformer named '${name}' is registered`, {
      variable: path || undefined,
      hint: 'call registerTransformer(...) (e.g. import the package that provides it) before converting values',
    });
  }
  return transformer;
}

async function viaTransformer<T>(name: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUnionMLError(error)) throw error;
    throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `${where(path)}: the '${name}' transformer failed: ${errorMessage(error)}`, { variable: path || undefined, cause: error });
  }
}

function describeVariables(types: Record<string, FlyteType>): string {
  const names = Object.entries(types).map(([name, type]) => `${name}: ${describeType(type)}`);
  return names.length ? names.join(', ') : 'none';
}

function checkNames(names: string[], types: Record<string, FlyteType>, what: string): void {
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(types, name)) {
      throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `unknown variable '${name}' (a ${what} was given for it); expected: ${describeVariables(types)}`, { variable: name });
    }
  }
}
