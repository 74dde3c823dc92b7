import type { flyteidl } from './idl.js';

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

/** The {@link FlyteType} of one kind, e.g. `FlyteTypeOf<'list'>` has `of`. */
export type FlyteTypeOf<K extends FlyteTypeKind> = Extract<FlyteType, { kind: K }>;

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
  structuredDataset: (options: { format?: string; columns?: { name: string; type: FlyteType }[] } = {}): FlyteType => ({
    kind: 'structuredDataset',
    ...options,
  }),
  /** `T | null` (Python `Optional[T]`). */
  optional: (of: FlyteType): FlyteType => ({ kind: 'optional', of }),
  /** One of a set of strings (a Python string `Enum`). */
  enum: (values: string[]): FlyteType => ({ kind: 'enum', values: [...values] }),
};

/** The `TypeAnnotation` flytekit puts on every msgpack-encoded struct (dict or dataclass). */
export const MSGPACK_ANNOTATION: flyteidl.core.ITypeAnnotation = {
  annotations: { fields: { 'cache-key-metadata': { structValue: { fields: { 'serialization-format': { stringValue: 'msgpack' } } } } } },
};

/** The type inside any number of `optional(...)` wrappers. */
export function stripOptional(type: FlyteType): FlyteType {
  let inner = type;
  while (inner.kind === 'optional') inner = inner.of;
  return inner;
}

/** True when a variable of this type may be left out (its value is then `null`). */
export function isOptionalType(type: FlyteType): boolean {
  return type.kind === 'optional' || type.kind === 'none';
}
