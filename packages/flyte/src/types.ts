import { FlyteTypeError } from './errors.js';
import { flyteidl, toStruct } from './idl.js';

/**
 * What an SDK user declares for a variable (a task or workflow input or output). Each kind maps to exactly the
 * `LiteralType` flytekit declares for the matching Python type (see {@link literalTypeOf}), so that Flyte's compiler
 * and flytekit tasks accept what this SDK produces.
 *
 * - `transformer`: the name of a {@link TypeTransformer} that converts values of this variable (e.g. a DataFrame
 *   library's transformer for a `structuredDataset`); the literal *type* still comes from the kind.
 * - `description`: the variable's description in the task interface (default: the variable's name, as flytekit).
 */
export type FlyteType = (
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'datetime' }
  | { kind: 'duration' }
  | { kind: 'none' }
  | { kind: 'list'; of: FlyteType }
  | { kind: 'map'; of: FlyteType }
  | { kind: 'struct'; jsonSchema?: Record<string, unknown> }
  | { kind: 'blob'; format?: string; multipart?: boolean }
  | { kind: 'structuredDataset'; format?: string; columns?: { name: string; type: FlyteType }[] }
  | { kind: 'optional'; of: FlyteType }
  | { kind: 'enum'; values: string[] }
) & { transformer?: string; description?: string };

/** The kinds of {@link FlyteType}. */
export type FlyteTypeKind = FlyteType['kind'];

/**
 * Constructors of {@link FlyteType}s.
 *
 * @example
 * ```ts
 * const iface = { inputs: { epochs: t.int(), rates: t.list(t.float()) }, outputs: { o0: t.optional(t.struct()) } };
 * ```
 */
export const t = {
  /** A 64-bit integer (Python `int`); JS `number` (safe integers), or `bigint` beyond 2^53. */
  int: (): FlyteType => ({ kind: 'int' }),
  /** A double (Python `float`); JS `number`. */
  float: (): FlyteType => ({ kind: 'float' }),
  /** A string (Python `str`). */
  string: (): FlyteType => ({ kind: 'string' }),
  /** A boolean (Python `bool`). */
  boolean: (): FlyteType => ({ kind: 'boolean' }),
  /** A UTC timestamp (Python `datetime`); JS `Date`. */
  datetime: (): FlyteType => ({ kind: 'datetime' }),
  /** A duration (Python `timedelta`); JS number of milliseconds. */
  duration: (): FlyteType => ({ kind: 'duration' }),
  /** Nothing (Python `None`); JS `null`. */
  none: (): FlyteType => ({ kind: 'none' }),
  /** A list (Python `List[T]`); JS array. */
  list: (of: FlyteType): FlyteType => ({ kind: 'list', of }),
  /** A map with string keys (Python `Dict[str, T]`); JS plain object. */
  map: (of: FlyteType): FlyteType => ({ kind: 'map', of }),
  /** A JSON object (Python `dict`, or a dataclass when a JSON Schema is given), sent as msgpack. */
  struct: (jsonSchema?: Record<string, unknown>): FlyteType => (jsonSchema ? { kind: 'struct', jsonSchema } : { kind: 'struct' }),
  /** A file (`FlyteFile`), or a folder with `multipart: true` (`FlyteDirectory`); JS `{ uri, path? }`. */
  blob: (options: { format?: string; multipart?: boolean } = {}): FlyteType => ({ kind: 'blob', ...options }),
  /** A dataset (`StructuredDataset`, e.g. a pandas DataFrame); JS `{ uri, format }` (a reference). */
  structuredDataset: (options: { format?: string; columns?: { name: string; type: FlyteType }[] } = {}): FlyteType => ({ kind: 'structuredDataset', ...options }),
  /** `T | null` (Python `Optional[T]`). */
  optional: (of: FlyteType): FlyteType => ({ kind: 'optional', of }),
  /** One of a set of strings (a Python string `Enum`). */
  enum: (values: string[]): FlyteType => ({ kind: 'enum', values: [...values] }),
};

const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

/** The `TypeAnnotation` flytekit puts on every msgpack-encoded struct (dict or dataclass). */
export const MSGPACK_ANNOTATION: flyteidl.core.ITypeAnnotation = {
  annotations: { fields: { 'cache-key-metadata': { structValue: { fields: { 'serialization-format': { stringValue: 'msgpack' } } } } } },
};

/**
 * The `LiteralType` flytekit declares for the same Python type (byte for byte: proto3 default values are left out,
 * as Python's protobuf does):
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
  switch (type.kind) {
    case 'int':
      return { simple: SimpleType.INTEGER };
    case 'float':
      return { simple: SimpleType.FLOAT };
    case 'string':
      return { simple: SimpleType.STRING };
    case 'boolean':
      return { simple: SimpleType.BOOLEAN };
    case 'datetime':
      return { simple: SimpleType.DATETIME };
    case 'duration':
      return { simple: SimpleType.DURATION };
    case 'none':
      return { simple: SimpleType.NONE };
    case 'list':
      return { collectionType: literalTypeOf(type.of) };
    case 'map':
      return { mapValueType: literalTypeOf(type.of) };
    case 'struct':
      return type.jsonSchema
        ? { simple: SimpleType.STRUCT, metadata: toStruct(type.jsonSchema), annotation: MSGPACK_ANNOTATION }
        : { simple: SimpleType.STRUCT, annotation: MSGPACK_ANNOTATION };
    case 'blob': {
      // proto3 defaults (format "", SINGLE) are left out, so that the bytes equal flytekit's.
      const blob: flyteidl.core.IBlobType = {};
      if (type.format) blob.format = type.format;
      if (type.multipart) blob.dimensionality = BlobDimensionality.MULTIPART;
      return { blob };
    }
    case 'structuredDataset': {
      const dataset: flyteidl.core.IStructuredDatasetType = {
        columns: (type.columns ?? []).map((column) => ({ name: column.name, literalType: literalTypeOf(column.type) })),
      };
      if (type.format) dataset.format = type.format;
      return { structuredDatasetType: dataset };
    }
    case 'optional': {
      const inner = stripOptional(type.of);
      // Python flattens Optional[Optional[T]] to Optional[T], and Optional[None] to None.
      if (inner.kind === 'none') return { simple: SimpleType.NONE };
      return { unionType: { variants: [taggedLiteralType(inner), taggedLiteralType({ kind: 'none' })] } };
    }
    case 'enum':
      if (type.values.length === 0) throw new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', 'an enum type needs at least one value');
      return { enumType: { values: [...type.values] } };
    default:
      throw unsupported(type);
  }
}

/** The type inside any number of `optional(...)` wrappers. */
export function stripOptional(type: FlyteType): FlyteType {
  let inner = type;
  while (inner.kind === 'optional') inner = inner.of;
  return inner;
}

/**
 * The name of the flytekit transformer for the Python type matching `type`: flytekit tags each union variant with it
 * (`TypeStructure.tag`), and Flyte's compiler and flytekit compare tags.
 */
export function unionTagOf(type: FlyteType): string {
  switch (type.kind) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'datetime':
      return 'datetime';
    case 'duration':
      return 'timedelta';
    case 'none':
      return 'none';
    case 'list':
      return 'Typed List';
    case 'map':
      return 'Typed Dict';
    case 'struct':
      return type.jsonSchema ? 'Object-Dataclass-Transformer' : 'Typed Dict';
    case 'blob':
      return type.multipart ? 'FlyteDirectory' : 'FlyteFilePath';
    case 'structuredDataset':
      return 'StructuredDataset Transformer';
    case 'optional':
      return 'Typed Union';
    case 'enum':
      return 'DefaultEnumTransformer';
    default:
      throw unsupported(type);
  }
}

/** The literal type of `type` with `structure.tag` set, as flytekit's `_add_tag_to_type` makes union variants. */
export function taggedLiteralType(type: FlyteType): flyteidl.core.ILiteralType {
  return { ...literalTypeOf(type), structure: { tag: unionTagOf(type) } };
}

/** A short human description: `float`, `list<float>`, `map<string, int>`, `optional<int>`, `structured dataset (parquet)`. */
export function describeType(type: FlyteType): string {
  switch (type.kind) {
    case 'int':
    case 'float':
    case 'string':
    case 'boolean':
    case 'datetime':
    case 'duration':
    case 'none':
      return type.kind;
    case 'list':
      return `list<${describeType(type.of)}>`;
    case 'map':
      return `map<string, ${describeType(type.of)}>`;
    case 'struct':
      return typeof type.jsonSchema?.['title'] === 'string' ? `struct ${type.jsonSchema['title']}` : 'struct';
    case 'blob': {
      const what = type.multipart ? 'directory' : 'file';
      return type.format ? `${what} (${type.format})` : what;
    }
    case 'structuredDataset':
      return type.format ? `structured dataset (${type.format})` : 'structured dataset';
    case 'optional':
      return `optional<${describeType(type.of)}>`;
    case 'enum':
      return `enum(${type.values.map((v) => `'${v}'`).join(', ')})`;
    default:
      return String((type as { kind?: unknown }).kind);
  }
}

/** True when a variable of this type may be left out (its value is then `null`). */
export function isOptionalType(type: FlyteType): boolean {
  return type.kind === 'optional' || type.kind === 'none';
}

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

function unsupported(type: FlyteType): FlyteTypeError {
  return new FlyteTypeError('FLYTE_TYPE_UNSUPPORTED', `unsupported Flyte type kind '${String((type as { kind?: unknown }).kind)}'`, {
    hint: 'use one of the t.* constructors (t.int(), t.list(t.float()), t.struct(), ...)',
  });
}
