import type { FlyteType } from '@unionml/flyte';
import type { z } from 'zod';
import { FlyteCompileError } from './errors.js';

/** A zod schema declared to Flyte: its Flyte type, whether it may be left out, and its default, if any. */
export interface Declared {
  type: FlyteType;
  /** The value may be omitted (zod optional or default). */
  optional: boolean;
  /** The schema's default (what `schema.parse(undefined)` gives), when it has one. */
  default?: unknown;
}

interface ZodDef {
  type: string;
  format?: string;
  checks?: { _zod?: { def?: { format?: string } } }[];
  innerType?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const INTEGER_FORMATS = new Set(['safeint', 'int32', 'uint32', 'int64', 'uint64']);

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { def: ZodDef }).def;
}

/**
 * The Flyte type of a zod schema, as flytekit would declare the equivalent Python type: numbers are `float`
 * (`int` for `z.int()`/`.int()`), `z.date()` is `datetime`, arrays are lists, `z.record(z.string(), T)` maps,
 * objects are STRUCTs with their JSON Schema, enums of strings enums, `.optional()`/`.nullable()` optionals.
 * Anything else (functions, bigint, Map, Set, unions...) cannot cross a Flyte task boundary: a
 * {@link FlyteCompileError} names the field.
 *
 * @param path the declared thing, for messages, e.g. `reader argument 'n'`
 */
export function declare(schema: z.ZodType, path: string, jsonSchemaOf: (schema: z.ZodType) => Record<string, unknown>): Declared {
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault': {
      const inner = declare(def.innerType!, path, jsonSchemaOf);
      return { type: inner.type, optional: true, default: schema.parse(undefined) };
    }
    case 'optional':
    case 'nullable': {
      const inner = declare(def.innerType!, path, jsonSchemaOf);
      return { type: { kind: 'optional', of: inner.type }, optional: true, default: null };
    }
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return declare(def.innerType!, path, jsonSchemaOf);
    case 'pipe':
      return declare(def.in!, path, jsonSchemaOf);
    case 'number': {
      const integer = INTEGER_FORMATS.has(def.format ?? '') || (def.checks ?? []).some((c) => INTEGER_FORMATS.has(c._zod?.def?.format ?? ''));
      return { type: { kind: integer ? 'int' : 'float' }, optional: false };
    }
    case 'int':
      return { type: { kind: 'int' }, optional: false };
    case 'string':
      return { type: { kind: 'string' }, optional: false };
    case 'boolean':
      return { type: { kind: 'boolean' }, optional: false };
    case 'date':
      return { type: { kind: 'datetime' }, optional: false };
    case 'array':
      return { type: { kind: 'list', of: declare(def.element!, `${path}[]`, jsonSchemaOf).type }, optional: false };
    case 'record': {
      if (defOf(def.keyType!).type !== 'string') unsupported(path, 'a record whose keys are not strings');
      return { type: { kind: 'map', of: declare(def.valueType!, `${path}{}`, jsonSchemaOf).type }, optional: false };
    }
    case 'object':
      return { type: { kind: 'struct', jsonSchema: structSchema(schema, titleOf(path), jsonSchemaOf) }, optional: false };
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      if (!values.every((v) => typeof v === 'string')) unsupported(path, 'an enum with non-string values');
      return { type: { kind: 'enum', values }, optional: false };
    }
    case 'literal': {
      const values = def.values ?? [];
      if (!values.every((v) => typeof v === 'string')) unsupported(path, 'a literal that is not a string');
      return { type: { kind: 'enum', values }, optional: false };
    }
    default:
      return unsupported(path, `a zod ${def.type}`);
  }
}

/**
 * The JSON Schema of a STRUCT, as flytekit writes a dataclass's (mashumaro): with a `title` (the class name flytekit
 * gives the type when it reads it back with `TypeEngine.guess_python_type`) and without `$schema`.
 */
export function structSchema(schema: z.ZodType, title: string, jsonSchemaOf: (schema: z.ZodType) => Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = jsonSchemaOf(schema);
  return { title, ...rest };
}

/** A class-like name from a declaration path: `reader argument 'filter'` → `Filter`, `hyperparameters` → `Hyperparameters`. */
function titleOf(path: string): string {
  const quoted = /'([^']+)'/.exec(path)?.[1] ?? path;
  const words = quoted
    .replace(/\[\]|\{\}/g, ' item')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Struct';
}

function unsupported(path: string, what: string): never {
  throw new FlyteCompileError(
    'FLYTE_TYPE_UNSUPPORTED',
    `cannot declare ${path} to Flyte: it is ${what}`,
    'use numbers, strings, booleans, dates, arrays, string-keyed records, objects, string enums or optionals of these',
  );
}

/** The fields of an object schema (the reader's arguments, the trainer's keyword arguments), declared to Flyte. */
export function declareFields(
  schema: z.ZodType | undefined,
  what: string,
  jsonSchemaOf: (schema: z.ZodType) => Record<string, unknown>,
): Record<string, Declared> {
  if (!schema) return {};
  const def = defOf(schema);
  if (def.type !== 'object' || !def.shape) {
    throw new FlyteCompileError('FLYTE_TYPE_UNSUPPORTED', `cannot declare the ${what} to Flyte: their schema must be a z.object({...}), got a zod ${def.type}`);
  }
  return Object.fromEntries(Object.entries(def.shape).map(([name, field]) => [name, declare(field, `${what.replace(/s$/, '')} '${name}'`, jsonSchemaOf)]));
}
