import { errorMessage, isUnionMLError } from '@unionml/errors';
import type { LiteralContext, TypeTransformer } from './context.js';
import { describeValue, FlyteTypeError, StorageError } from './errors.js';
import { download, upload } from './files.js';
import { MSGPACK_ANNOTATION, stripOptional, type FlyteType, type FlyteTypeKind, type FlyteTypeOf } from './flyte-type.js';
import { flyteidl, fromStruct, int64ToJs, int64ToNumber, Long, toStruct } from './idl.js';
import { localPathOf } from './storage.js';
import {
  decodeMsgpack,
  describeLiteral,
  encodeMsgpack,
  has,
  isNoneLiteral,
  isPlainObject,
  markFloats,
  millisToDuration,
  millisToTimestamp,
  MSGPACK,
  msgpackOf,
  primitive,
  primitiveOf,
  scalar,
} from './wire.js';

/**
 * Everything the type engine knows about one kind of {@link FlyteType}. {@link CODECS} holds one per kind, so that a
 * kind without a codec, or a codec without one of these functions, does not compile.
 */
export interface Codec<T extends FlyteType> {
  /** The `LiteralType` flytekit declares for the matching Python type (proto3 defaults left out, as Python's protobuf). */
  literalType(type: T): flyteidl.core.ILiteralType;
  /** The name of flytekit's transformer for the matching Python type: the tag of a union variant (`TypeStructure.tag`). */
  unionTag(type: T): string;
  /** A short human description for messages: `float`, `list<float>`, `structured dataset (parquet)`. */
  describe(type: T): string;
  /** Whether msgpack can carry its values as plain JSON (a list or map that propeller resolved out of a struct). */
  jsonLeaf(type: T): boolean;
  /** A JS value to the Literal of this type; `path` names the variable (and the path inside it) for errors. */
  encode(value: unknown, type: T, ctx: LiteralContext, path: string): Promise<flyteidl.core.ILiteral>;
  /** A Literal to the JS value of this type (offloaded literals and transformers are resolved before). */
  decode(literal: flyteidl.core.ILiteral, type: T, ctx: LiteralContext, path: string): Promise<unknown>;
}

/** One {@link Codec} per {@link FlyteTypeKind}: the type engine. */
export type CodecTable = { readonly [K in FlyteTypeKind]: Codec<FlyteTypeOf<K>> };

const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date-time as flytekit reads it: without a zone it is UTC (JavaScript's `Date` would take the machine's
 * local time for a naive date-time). Invalid text gives an invalid Date.
 */
export function parseIsoDateTime(text: string): Date {
  const match = ISO_DATE.exec(text);
  if (!match) return new Date(Number.NaN);
  const naive = match[1] !== undefined && match[4] === undefined;
  return new Date(naive ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
}

/** The `encode` and `decode` of a {@link Codec} whose values convert without I/O, written synchronously. */
interface SyncConversions<T extends FlyteType> {
  encode(value: unknown, type: T, ctx: LiteralContext, path: string): flyteidl.core.ILiteral;
  decode(literal: flyteidl.core.ILiteral, type: T, ctx: LiteralContext, path: string): unknown;
}

/** A synchronous conversion as a Promise: a throw becomes a rejection, as in an `async` function. */
function promised<R>(convert: () => R): Promise<R> {
  return new Promise((resolve) => resolve(convert()));
}

/** Synchronous conversions as the Promise-returning `encode` and `decode` that {@link Codec} declares. */
function sync<T extends FlyteType>(conversions: SyncConversions<T>): Pick<Codec<T>, 'encode' | 'decode'> {
  return {
    encode: (value, type, ctx, path) => promised(() => conversions.encode(value, type, ctx, path)),
    decode: (literal, type, ctx, path) => promised(() => conversions.decode(literal, type, ctx, path)),
  };
}

/** A codec of a kind without parameters (`simple: <SimpleType>`); its values convert without I/O. */
function simple<T extends FlyteType>(simpleType: flyteidl.core.SimpleType, tag: string, conversions: SyncConversions<T>): Codec<T> {
  return { literalType: () => ({ simple: simpleType }), unionTag: () => tag, describe: (type) => type.kind, jsonLeaf: () => true, ...sync(conversions) };
}

function decodeText(literal: flyteidl.core.ILiteral, type: FlyteType, path: string): string {
  const p = primitiveOf(literal);
  let text: unknown;
  if (p && has(p, 'stringValue')) text = p.stringValue;
  else {
    const packed = msgpackOf(literal);
    if (packed.found) text = packed.value;
  }
  if (typeof text !== 'string') throw literalMismatch(path, type, literal);
  return text;
}

/**
 * The type engine, one codec per kind:
 *
 * | FlyteType | Python | LiteralType | JS value | Literal |
 * |---|---|---|---|---|
 * | int | int | `simple: INTEGER` | `number` (safe integer) or `bigint` (int64 range) | `primitive.integer` |
 * | float | float | `simple: FLOAT` | `number` (a float variable holding 3 is `floatValue: 3`) | `primitive.floatValue` |
 * | string, boolean | str, bool | `simple: STRING/BOOLEAN` | `string`, `boolean` | `primitive.stringValue`, `primitive.boolean` |
 * | datetime | datetime | `simple: DATETIME` | `Date` (or an ISO 8601 string); UTC | `primitive.datetime` (seconds + nanos) |
 * | duration | timedelta | `simple: DURATION` | `number` of milliseconds | `primitive.duration` |
 * | none | None | `simple: NONE` | `null` (or `undefined`) | `noneType` |
 * | list(T), map(T) | `List[T]`, `Dict[str, T]` | `collectionType`, `mapValueType` | array, plain object (or `Map` with string keys) | `collection`, `map` |
 * | struct() | `dict` | `simple: STRUCT`, msgpack annotation | a JSON object | `binary{value: msgpack, tag: "msgpack"}` |
 * | struct(schema) | a dataclass | `simple: STRUCT`, `metadata: schema`, msgpack annotation | a JSON object | as struct() |
 * | blob(), blob({multipart}) | `FlyteFile`, `FlyteDirectory` | `blob{format, SINGLE/MULTIPART}` | `{ uri }` or `{ path }` (or a string) | `blob{uri}`: local files/folders uploaded to `<rawOutputPrefix>/<random>/<name>` |
 * | structuredDataset() | `StructuredDataset` / `pd.DataFrame` | `structuredDatasetType{columns, format}` | `{ uri, format? }` | `structuredDataset{uri, metadata}` (a reference; local data is uploaded) |
 * | optional(T) | `Optional[T]` | `unionType{[T tagged, NONE tagged "none"]}` | `null`/`undefined` or a value of T | `union{value, type}` with flytekit's tags |
 * | enum(values) | a string `Enum` | `enumType{values}` | one of its strings | `primitive.stringValue` |
 */
export const CODECS: CodecTable = {
  int: simple(SimpleType.INTEGER, 'int', {
    encode(value, type, _ctx, path) {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return primitive({ integer: Long.fromNumber(value) });
      if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return primitive({ integer: Long.fromString(value.toString()) });
      if (Long.isLong(value)) return primitive({ integer: value });
      const hint = typeof value === 'number' && Number.isInteger(value) ? 'integers beyond 2^53 must be passed as a bigint' : undefined;
      throw mismatch(path, type, describeValue(value), hint);
    },
    decode(literal, type, _ctx, path) {
      const p = primitiveOf(literal);
      if (p && has(p, 'integer')) return int64ToJs(p.integer);
      if (p && has(p, 'floatValue') && Number.isInteger(p.floatValue)) return p.floatValue;
      const packed = msgpackOf(literal);
      if (packed.found && (typeof packed.value === 'bigint' || Number.isInteger(packed.value))) return packed.value;
      throw literalMismatch(path, type, literal);
    },
  }),

  float: simple(SimpleType.FLOAT, 'float', {
    encode(value, type, _ctx, path) {
      if (typeof value === 'number') return primitive({ floatValue: value });
      throw mismatch(path, type, describeValue(value));
    },
    decode(literal, type, _ctx, path) {
      const p = primitiveOf(literal);
      if (p && has(p, 'floatValue')) return p.floatValue;
      if (p && has(p, 'integer')) return int64ToNumber(p.integer);
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'number') return packed.value;
      throw literalMismatch(path, type, literal);
    },
  }),

  string: simple(SimpleType.STRING, 'str', {
    encode(value, type, _ctx, path) {
      if (typeof value === 'string') return primitive({ stringValue: value });
      throw mismatch(path, type, describeValue(value));
    },
    decode: (literal, type, _ctx, path) => decodeText(literal, type, path),
  }),

  boolean: simple(SimpleType.BOOLEAN, 'bool', {
    encode(value, type, _ctx, path) {
      if (typeof value === 'boolean') return primitive({ boolean: value });
      throw mismatch(path, type, describeValue(value));
    },
    decode(literal, type, _ctx, path) {
      const p = primitiveOf(literal);
      if (p && has(p, 'boolean')) return p.boolean;
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'boolean') return packed.value;
      throw literalMismatch(path, type, literal);
    },
  }),

  datetime: simple(SimpleType.DATETIME, 'datetime', {
    encode(value, type, _ctx, path) {
      const date = value instanceof Date ? value : typeof value === 'string' && ISO_DATE.test(value) ? parseIsoDateTime(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw mismatch(path, type, describeValue(value), 'pass a Date (or an ISO 8601 string)');
      return primitive({ datetime: millisToTimestamp(date.getTime()) });
    },
    decode(literal, type, _ctx, path) {
      const p = primitiveOf(literal);
      if (p && has(p, 'datetime')) return new Date(int64ToNumber(p.datetime!.seconds) * 1000 + Math.floor((p.datetime!.nanos ?? 0) / 1e6));
      const packed = msgpackOf(literal);
      if (packed.found && typeof packed.value === 'string' && !Number.isNaN(parseIsoDateTime(packed.value).getTime())) return parseIsoDateTime(packed.value);
      throw literalMismatch(path, type, literal);
    },
  }),

  duration: simple(SimpleType.DURATION, 'timedelta', {
    encode(value, type, _ctx, path) {
      if (typeof value === 'number' && Number.isFinite(value)) return primitive({ duration: millisToDuration(value) });
      throw mismatch(path, type, describeValue(value), 'pass a duration as a number of milliseconds');
    },
    decode(literal, type, _ctx, path) {
      const p = primitiveOf(literal);
      if (p && has(p, 'duration')) return int64ToNumber(p.duration!.seconds) * 1000 + (p.duration!.nanos ?? 0) / 1e6;
      throw literalMismatch(path, type, literal);
    },
  }),

  none: simple(SimpleType.NONE, 'none', {
    encode(value, type, _ctx, path) {
      if (value === null || value === undefined) return scalar({ noneType: {} });
      throw mismatch(path, type, describeValue(value));
    },
    decode(literal, type, _ctx, path) {
      if (isNoneLiteral(literal)) return null;
      if (has(literal, 'scalar') && has(literal.scalar, 'union') && isNoneLiteral(literal.scalar!.union!.value)) return null;
      throw literalMismatch(path, type, literal);
    },
  }),

  list: {
    literalType: (type) => ({ collectionType: literalTypeOf(type.of) }),
    unionTag: () => 'Typed List',
    describe: (type) => `list<${describeType(type.of)}>`,
    jsonLeaf: (type) => isJsonLeafType(type.of),
    async encode(value, type, ctx, path) {
      if (!Array.isArray(value)) throw mismatch(path, type, describeValue(value));
      const literals: flyteidl.core.ILiteral[] = [];
      for (let i = 0; i < value.length; i++) literals.push(await encodeValue(value[i], type.of, ctx, `${path}[${i}]`));
      return { collection: { literals } };
    },
    async decode(literal, type, ctx, path) {
      if (!has(literal, 'collection')) {
        const packed = msgpackOf(literal);
        if (packed.found && Array.isArray(packed.value) && isJsonLeafType(type.of)) return packed.value as unknown[];
        throw literalMismatch(path, type, literal);
      }
      const items = literal.collection!.literals ?? [];
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) out.push(await decodeValue(items[i]!, type.of, ctx, `${path}[${i}]`));
      return out;
    },
  },

  map: {
    literalType: (type) => ({ mapValueType: literalTypeOf(type.of) }),
    unionTag: () => 'Typed Dict',
    describe: (type) => `map<string, ${describeType(type.of)}>`,
    jsonLeaf: (type) => isJsonLeafType(type.of),
    async encode(value, type, ctx, path) {
      const entries = value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : undefined;
      if (!entries) throw mismatch(path, type, describeValue(value));
      const literals: Record<string, flyteidl.core.ILiteral> = {};
      for (const [key, item] of entries) {
        if (typeof key !== 'string') throw mismatch(path, type, `a key ${describeValue(key)}`, 'map keys must be strings');
        literals[key] = await encodeValue(item, type.of, ctx, `${path}[${JSON.stringify(key)}]`);
      }
      return { map: { literals } };
    },
    async decode(literal, type, ctx, path) {
      if (!has(literal, 'map')) {
        const packed = msgpackOf(literal);
        if (packed.found && isPlainObject(packed.value) && isJsonLeafType(type.of)) return packed.value;
        throw literalMismatch(path, type, literal);
      }
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(literal.map!.literals ?? {}))
        entries.push([key, await decodeValue(item, type.of, ctx, `${path}[${JSON.stringify(key)}]`)]);
      return Object.fromEntries(entries);
    },
  },

  struct: {
    literalType: (type) =>
      type.jsonSchema
        ? { simple: SimpleType.STRUCT, metadata: toStruct(type.jsonSchema), annotation: MSGPACK_ANNOTATION }
        : { simple: SimpleType.STRUCT, annotation: MSGPACK_ANNOTATION },
    unionTag: (type) => (type.jsonSchema ? 'Object-Dataclass-Transformer' : 'Typed Dict'),
    describe: (type) => (typeof type.jsonSchema?.['title'] === 'string' ? `struct ${type.jsonSchema['title']}` : 'struct'),
    jsonLeaf: () => true,
    ...sync({
      encode(value, type, _ctx, path) {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date || value instanceof Map || ArrayBuffer.isView(value)) {
          throw mismatch(path, type, describeValue(value), 'a struct is a JSON object');
        }
        // A declared schema's float fields are written as floats, as flytekit writes a dataclass's float fields.
        return scalar({ binary: { value: encodeMsgpack(markFloats(toJsonLike(value, path, type), type.jsonSchema)), tag: MSGPACK } });
      },
      decode(literal, type, _ctx, path) {
        const s = has(literal, 'scalar') ? literal.scalar! : undefined;
        if (s && has(s, 'binary')) {
          const tag = s.binary!.tag ?? '';
          if (tag !== MSGPACK)
            throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported binary format ${JSON.stringify(tag)} (only "msgpack")`, {
              variable: path || undefined,
            });
          try {
            return decodeMsgpack(s.binary!.value ?? new Uint8Array());
          } catch (error) {
            throw mismatch(path, type, `msgpack bytes that do not decode (${errorMessage(error)})`);
          }
        }
        if (s && has(s, 'generic')) return fromStruct(s.generic);
        throw literalMismatch(path, type, literal);
      },
    }),
  },

  blob: {
    literalType(type) {
      // proto3 defaults (format "", SINGLE) are left out, so that the bytes equal flytekit's.
      const blob: flyteidl.core.IBlobType = {};
      if (type.format) blob.format = type.format;
      if (type.multipart) blob.dimensionality = BlobDimensionality.MULTIPART;
      return { blob };
    },
    unionTag: (type) => (type.multipart ? 'FlyteDirectory' : 'FlyteFilePath'),
    describe(type) {
      const what = type.multipart ? 'directory' : 'file';
      return type.format ? `${what} (${type.format})` : what;
    },
    jsonLeaf: () => false,
    async encode(value, type, ctx, path) {
      const record = isPlainObject(value) ? value : undefined;
      const uri =
        typeof value === 'string'
          ? value
          : typeof record?.['uri'] === 'string'
            ? record['uri']
            : typeof record?.['path'] === 'string'
              ? record['path']
              : undefined;
      if (!uri) throw mismatch(path, type, describeValue(value), `pass { uri: '<local path, file:// or s3:// URI>' }`);
      const blobType = CODECS.blob.literalType(type).blob!;
      const local = localPathOf(uri);
      if (local === undefined) return scalar({ blob: { metadata: { type: blobType }, uri } });
      const uploaded = await upload(local, type.multipart ? 'folder' : 'file', ctx, (got, hint) => mismatch(path, type, got, hint));
      return scalar({ blob: { metadata: { type: blobType }, uri: uploaded } });
    },
    async decode(literal, type, ctx, path) {
      const s = has(literal, 'scalar') ? literal.scalar! : undefined;
      if (!s || !has(s, 'blob')) throw literalMismatch(path, type, literal);
      const uri = s.blob!.uri ?? '';
      const multipart =
        (s.blob!.metadata?.type?.dimensionality ?? (type.multipart ? BlobDimensionality.MULTIPART : BlobDimensionality.SINGLE)) ===
        BlobDimensionality.MULTIPART;
      return download(uri, multipart, ctx);
    },
  },

  structuredDataset: {
    literalType(type) {
      const dataset: flyteidl.core.IStructuredDatasetType = {
        columns: (type.columns ?? []).map((column) => ({ name: column.name, literalType: literalTypeOf(column.type) })),
      };
      if (type.format) dataset.format = type.format;
      return { structuredDatasetType: dataset };
    },
    unionTag: () => 'StructuredDataset Transformer',
    describe: (type) => (type.format ? `structured dataset (${type.format})` : 'structured dataset'),
    jsonLeaf: () => false,
    async encode(value, type, ctx, path) {
      const record = isPlainObject(value) ? value : undefined;
      const uri = typeof value === 'string' ? value : typeof record?.['uri'] === 'string' ? record['uri'] : undefined;
      if (!uri) {
        throw mismatch(
          path,
          type,
          describeValue(value),
          "pass { uri, format } (a reference to data already written), or a transformer for your data frame type in the context's transformers",
        );
      }
      const given = typeof record?.['format'] === 'string' ? record['format'] : '';
      // flytekit keeps the declared format unless it is generic ("").
      const format = type.format || given;
      const local = localPathOf(uri);
      const stored = local === undefined ? uri : await upload(local, 'any', ctx, (got, hint) => mismatch(path, type, got, hint));
      const datasetType: flyteidl.core.IStructuredDatasetType = { ...CODECS.structuredDataset.literalType(type).structuredDatasetType! };
      if (format) datasetType.format = format;
      else delete datasetType.format;
      return scalar({ structuredDataset: { uri: stored, metadata: { structuredDatasetType: datasetType } } });
    },
    decode: (literal, type, _ctx, path) =>
      promised(() => {
        const s = has(literal, 'scalar') ? literal.scalar! : undefined;
        if (!s || !has(s, 'structuredDataset')) throw literalMismatch(path, type, literal);
        const dataset = s.structuredDataset!;
        return { uri: dataset.uri ?? '', format: dataset.metadata?.structuredDatasetType?.format || type.format || '' };
      }),
  },

  optional: {
    literalType(type) {
      const inner = stripOptional(type.of);
      // Python flattens Optional[Optional[T]] to Optional[T], and Optional[None] to None.
      if (inner.kind === 'none') return { simple: SimpleType.NONE };
      return { unionType: { variants: [taggedLiteralType(inner), taggedLiteralType({ kind: 'none' })] } };
    },
    unionTag: () => 'Typed Union',
    describe: (type) => `optional<${describeType(type.of)}>`,
    jsonLeaf: (type) => isJsonLeafType(type.of),
    async encode(value, type, ctx, path) {
      const inner = stripOptional(type.of);
      if (value === null || value === undefined) {
        if (inner.kind === 'none') return scalar({ noneType: {} });
        return scalar({ union: { value: scalar({ noneType: {} }), type: taggedLiteralType({ kind: 'none' }) } });
      }
      if (inner.kind === 'none') throw mismatch(path, type, describeValue(value));
      const literal = await encodeValue(value, inner, ctx, path);
      return scalar({ union: { value: literal, type: taggedLiteralType(inner) } });
    },
    async decode(literal, type, ctx, path) {
      const inner = stripOptional(type.of);
      if (isNoneLiteral(literal)) return null;
      if (has(literal, 'scalar') && has(literal.scalar, 'union')) {
        const union = literal.scalar!.union!;
        if (union.type?.structure?.tag === 'none' || isNoneLiteral(union.value)) return null;
        if (!union.value) throw literalMismatch(path, type, literal);
        return decodeValue(union.value, inner, ctx, path);
      }
      const packed = msgpackOf(literal);
      if (packed.found && packed.value === null) return null;
      return decodeValue(literal, inner, ctx, path);
    },
  },

  enum: {
    literalType(type) {
      if (type.values.length === 0) throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', 'an enum type needs at least one value');
      return { enumType: { values: [...type.values] } };
    },
    unionTag: () => 'DefaultEnumTransformer',
    describe: (type) => `enum(${type.values.map((v) => `'${v}'`).join(', ')})`,
    jsonLeaf: () => true,
    ...sync({
      encode(value, type, _ctx, path) {
        if (typeof value === 'string' && type.values.includes(value)) return primitive({ stringValue: value });
        throw mismatch(path, type, describeValue(value));
      },
      decode(literal, type, _ctx, path) {
        const text = decodeText(literal, type, path);
        if (!type.values.includes(text)) throw mismatch(path, type, JSON.stringify(text));
        return text;
      },
    }),
  },
};

/** The codec of a type's kind; `undefined` for a kind the engine does not know (a value typed around the compiler). */
function codecOf(type: FlyteType): Codec<FlyteType> | undefined {
  // CODECS[kind] is the codec of exactly that kind; it widens to Codec<FlyteType> without a cast (methods are bivariant).
  return Object.hasOwn(CODECS, type.kind) ? CODECS[type.kind] : undefined;
}

function unsupportedKind(type: FlyteType): FlyteTypeError {
  return new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `unsupported Flyte type kind '${String((type as { kind?: unknown }).kind)}'`, {
    hint: 'use one of the t.* constructors (t.int(), t.list(t.float()), t.struct(), ...)',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// types

/**
 * The `LiteralType` flytekit declares for the same Python type (byte for byte: proto3 default values are left out,
 * as Python's protobuf does). A transformer named by the type does not change it.
 *
 * | FlyteType | Python | LiteralType |
 * |---|---|---|
 * | int, float, string, boolean, datetime, duration, none | int, float, str, bool, datetime, timedelta, None | `simple: INTEGER/FLOAT/STRING/BOOLEAN/DATETIME/DURATION/NONE` |
 * | list(T), map(T) | `List[T]`, `Dict[str, T]` | `collectionType`, `mapValueType` |
 * | struct() | `dict` | `simple: STRUCT`, msgpack annotation |
 * | struct(schema) | a dataclass | `simple: STRUCT`, `metadata: schema`, msgpack annotation |
 * | blob(), blob({multipart}) | `FlyteFile`, `FlyteDirectory` | `blob{format, SINGLE/MULTIPART}` |
 * | structuredDataset() | `StructuredDataset` / `pd.DataFrame` | `structuredDatasetType{columns, format}` |
 * | optional(T) | `Optional[T]` | `unionType{[T tagged, NONE tagged "none"]}` |
 * | enum(values) | a string `Enum` | `enumType{values}` |
 */
export function literalTypeOf(type: FlyteType): flyteidl.core.ILiteralType {
  const codec = codecOf(type);
  if (!codec) throw unsupportedKind(type);
  return codec.literalType(type);
}

/**
 * The name of the flytekit transformer for the Python type matching `type`: flytekit tags each union variant with it
 * (`TypeStructure.tag`), and Flyte's compiler and flytekit compare tags.
 */
export function unionTagOf(type: FlyteType): string {
  const codec = codecOf(type);
  if (!codec) throw unsupportedKind(type);
  return codec.unionTag(type);
}

/** The literal type of `type` with `structure.tag` set, as flytekit's `_add_tag_to_type` makes union variants. */
export function taggedLiteralType(type: FlyteType): flyteidl.core.ILiteralType {
  return { ...literalTypeOf(type), structure: { tag: unionTagOf(type) } };
}

/** A short human description: `float`, `list<float>`, `map<string, int>`, `optional<int>`, `structured dataset (parquet)`. */
export function describeType(type: FlyteType): string {
  const codec = codecOf(type);
  return codec ? codec.describe(type) : String((type as { kind?: unknown }).kind);
}

/** Types whose values msgpack can carry as plain JSON (for lists/maps resolved out of a struct by propeller). */
function isJsonLeafType(type: FlyteType): boolean {
  if (type.transformer) return false;
  return codecOf(type)?.jsonLeaf(type) ?? false;
}

// ---------------------------------------------------------------------------------------------------------------
// values

/** A JS value to the Literal of its declared type: through the transformer the type names, else its kind's codec. */
export async function encodeValue(value: unknown, type: FlyteType, ctx: LiteralContext, path: string): Promise<flyteidl.core.ILiteral> {
  if (type.transformer) return viaTransformer(type.transformer, path, () => transformerFor(type.transformer!, ctx, path).toLiteral(value, type, ctx));
  const codec = codecOf(type);
  if (!codec)
    throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported Flyte type ${describeValue(type)}`, { variable: path || undefined });
  return codec.encode(value, type, ctx, path);
}

/** A Literal to the JS value of its declared type: offloaded literals are read first, then as {@link encodeValue}. */
export async function decodeValue(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext, path: string): Promise<unknown> {
  if (has(literal, 'offloadedMetadata')) {
    const uri = literal.offloadedMetadata!.uri ?? '';
    const bytes = await ctx.storage.read(uri);
    return decodeValue(
      undecodable(path, type, `the offloaded literal ${uri}`, () => flyteidl.core.Literal.decode(bytes)),
      type,
      ctx,
      path,
    );
  }
  if (type.transformer) return viaTransformer(type.transformer, path, () => transformerFor(type.transformer!, ctx, path).fromLiteral(literal, type, ctx));
  const codec = codecOf(type);
  if (!codec)
    throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `${where(path)}: unsupported Flyte type ${describeValue(type)}`, { variable: path || undefined });
  return undecodable(path, type, describeLiteral(literal), () => codec.decode(literal, type, ctx, path));
}

/**
 * Runs a decoding step; what it throws that is not already a coded error (corrupt msgpack or protobuf bytes) becomes
 * a FLYTE_TYPE_MISMATCH naming the innermost variable, so that a task fails without retries and says where.
 */
function undecodable<T>(path: string, type: FlyteType, what: string, decode: () => T): T {
  const wrap = (error: unknown): never => {
    if (isUnionMLError(error)) throw error;
    throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `${where(path)}: cannot decode ${what} as ${describeType(type)}: ${errorMessage(error)}`, {
      variable: path || undefined,
      cause: error,
    });
  };
  try {
    const result = decode();
    return (result instanceof Promise ? result.catch(wrap) : result) as T;
  } catch (error) {
    return wrap(error);
  }
}

/** How errors name a value: `variable 'xs[2]'`, or `value` without a variable. */
function where(path: string): string {
  return path === '' ? 'value' : `variable '${path}'`;
}

function mismatch(path: string, type: FlyteType, got: string, hint?: string): FlyteTypeError {
  return new FlyteTypeError('FLYTE_TYPE_MISMATCH', `${where(path)}: expected ${describeType(type)}, got ${got}`, { variable: path || undefined, hint });
}

function literalMismatch(path: string, type: FlyteType, literal: flyteidl.core.ILiteral): FlyteTypeError {
  return mismatch(path, type, describeLiteral(literal));
}

const TRANSFORMER_HINT = "pass it in the context's transformers (e.g. executeTask(..., { transformers: typeTransformers(myTransformer) }))";

function transformerFor(name: string, ctx: LiteralContext, path: string): TypeTransformer {
  const transformer = ctx.transformers?.get(name);
  if (!transformer) {
    const names = [...(ctx.transformers?.keys() ?? [])].map((n) => `'${n}'`);
    throw new FlyteTypeError(
      'FLYTE_TYPE_UNSUPPORTED',
      `${where(path)}: no type transformer named '${name}' in the context (its transformers: ${names.length ? names.join(', ') : 'none'})`,
      {
        variable: path || undefined,
        hint: TRANSFORMER_HINT,
      },
    );
  }
  return transformer;
}

async function viaTransformer<T>(name: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Storage faults stay what they are (transient, retried); the type engine's own errors already name the variable.
    // Anything else (e.g. a data file that cannot be read) is this variable's value not fitting: named, not retried.
    if (error instanceof StorageError || error instanceof FlyteTypeError) throw error;
    if (isUnionMLError(error) && error.kind !== 'input') throw error;
    throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `${where(path)}: the '${name}' transformer failed: ${errorMessage(error)}`, {
      variable: path || undefined,
      cause: error,
    });
  }
}

/**
 * Normalises a struct value as JSON.stringify would (toJSON, Dates → ISO strings, undefined properties dropped,
 * undefined array items → null) but keeps numbers, bigints and bytes for msgpack. Rejects functions, symbols and
 * cycles.
 */
function toJsonLike(value: unknown, path: string, type: FlyteType, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (value === undefined) return null;
  if (typeof value === 'function' || typeof value === 'symbol')
    throw mismatch(path, type, `${describeValue(value)} inside the object`, 'a struct holds JSON values only');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return value;
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return toJsonLike(withToJson.toJSON(), path, type, seen);
  const object = value;
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
