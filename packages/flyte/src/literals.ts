import { decodeValue, encodeValue } from './codecs.js';
import type { LiteralContext } from './context.js';
import { describeValue, FlyteTypeError } from './errors.js';
import type { flyteidl } from './idl.js';
import { describeType, isOptionalType, type FlyteType } from './types.js';

// The type engine's public API. Each kind's conversion is its codec (codecs.ts); transformers come in the context.
export { typeTransformers } from './context.js';
export type { LiteralContext, TypeTransformer, TypeTransformers } from './context.js';
export { structuredDatasetFiles } from './files.js';
export { decodeMsgpack, describeLiteral, encodeMsgpack, millisToDuration, millisToTimestamp } from './wire.js';

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
 * A type that names a transformer (`transformer: name`) is converted by the transformer of that name in
 * `ctx.transformers` (see `typeTransformers`); without it the conversion fails with `FLYTE_TYPE_UNSUPPORTED`.
 *
 * Throws {@link FlyteTypeError} naming the variable (and the path inside it): `variable 'epochs': expected int, got 2.5`.
 */
export async function toLiteral(value: unknown, type: FlyteType, ctx: LiteralContext, variable?: string): Promise<flyteidl.core.ILiteral> {
  return encodeValue(value, type, ctx, variable ?? '');
}

/**
 * Converts a Literal to the JS value of its declared type (see {@link toLiteral} for the conventions). Also accepts
 * what other SDKs and the console send: an integer for a float, an integral float for an int, `scalar.generic`
 * (a Struct) for a struct, msgpack-encoded primitives, a bare value (not a union) for an optional, and offloaded
 * literals. Blobs are downloaded to `ctx.workDir` (local URIs are used in place) and come back as `{ uri, path }`;
 * an int beyond 2^53 comes back as a `bigint`.
 */
export async function fromLiteral(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext, variable?: string): Promise<unknown> {
  return decodeValue(literal, type, ctx, variable ?? '');
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
    literals[name] = await encodeValue(present ? values[name] : null, type, ctx, name);
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
    out[name] = await decodeValue(literal, type, ctx, name);
  }
  return out;
}

function describeVariables(types: Record<string, FlyteType>): string {
  const names = Object.entries(types).map(([name, type]) => `${name}: ${describeType(type)}`);
  return names.length ? names.join(', ') : 'none';
}

function checkNames(names: string[], types: Record<string, FlyteType>, what: string): void {
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(types, name)) {
      throw new FlyteTypeError('FLYTE_TYPE_MISMATCH', `unknown variable '${name}' (a ${what} was given for it); expected: ${describeVariables(types)}`, {
        variable: name,
      });
    }
  }
}
