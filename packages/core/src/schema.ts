import { toJSONSchema, type z } from 'zod';
import { isPlainObject, kind } from '@unionml/data';
import { closest } from '@unionml/errors';

/** Any zod schema whose output is `T`. */
export type Schema<T = unknown> = z.ZodType<T>;

/** The result of {@link check}: the parsed value, or readable problems. */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Validates `value` against a zod schema. For object schemas, unknown keys are problems too (a typo in a
 * hyperparameter name must not be ignored silently).
 */
export function check<T>(schema: Schema<T>, value: unknown): CheckResult<T> {
  const problems: string[] = [];
  const shape = objectShape(schema);
  if (shape && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`unknown key '${key}'${suggest(key, Object.keys(shape))}`);
    }
  }
  const result = schema.safeParse(reviveDates(schema, value));
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') continue; // reported above, with suggestions
      const path = issue.path.length ? `'${issue.path.map(String).join('.')}'` : 'value';
      problems.push(`${path}: ${issue.message}${numberHint(issue.message)}`);
    }
  }
  if (problems.length || !result.success) return { ok: false, problems: problems.length ? problems : ['invalid value'] };
  return { ok: true, value: result.data };
}

/**
 * A one-line description of a schema for error messages, e.g.
 * `{ learningRate?: number = 0.5, epochs?: integer = 200 }`.
 */
export function describeSchema(schema: Schema): string {
  try {
    return describeJsonSchema(jsonSchemaOf(schema));
  } catch {
    return '(see the schema in the app)';
  }
}

/** The JSON Schema (draft 2020-12) of the values a schema accepts as input (defaults make fields optional). */
export function jsonSchemaOf(schema: Schema): Record<string, unknown> {
  const json = toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    // JSON has no dates: say what check() accepts for z.date(), an ISO 8601 string.
    override: ({ zodSchema, jsonSchema }) => {
      if ((zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'date')
        Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as Record<string, unknown>;
  // check() rejects unknown keys of object schemas: say so in the document too.
  if (objectShape(schema) && json['additionalProperties'] === undefined) json['additionalProperties'] = false;
  return json;
}

function describeJsonSchema(node: Record<string, unknown>): string {
  const type = node['type'];
  if (type === 'object' && isPlainObject(node['properties'])) {
    const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
    const fields = Object.entries(node['properties'] as Record<string, Record<string, unknown>>).map(([name, sub]) => {
      const optional = !required.has(name) || 'default' in sub;
      const dflt = 'default' in sub ? ` = ${JSON.stringify(sub['default'])}` : '';
      return `${name}${optional ? '?' : ''}: ${describeJsonSchema(sub)}${dflt}`;
    });
    return `{ ${fields.join(', ')} }`;
  }
  if (type === 'array') return `${isPlainObject(node['items']) ? describeJsonSchema(node['items']) : 'unknown'}[]`;
  if (Array.isArray(node['enum'])) return (node['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(node['anyOf'])) return (node['anyOf'] as Record<string, unknown>[]).map(describeJsonSchema).join(' | ');
  if (typeof type === 'string') {
    const bounds = [
      typeof node['format'] === 'string' ? node['format'] : '',
      typeof node['minimum'] === 'number' && node['minimum'] !== Number.MIN_SAFE_INTEGER ? `>= ${node['minimum']}` : '',
      typeof node['exclusiveMinimum'] === 'number' ? `> ${node['exclusiveMinimum']}` : '',
      typeof node['maximum'] === 'number' && node['maximum'] !== Number.MAX_SAFE_INTEGER ? `<= ${node['maximum']}` : '',
      typeof node['exclusiveMaximum'] === 'number' ? `< ${node['exclusiveMaximum']}` : '',
    ].filter(Boolean);
    return bounds.length ? `${type} (${bounds.join(', ')})` : type;
  }
  if (Array.isArray(type)) return type.join(' | ');
  return 'unknown';
}

/**
 * JSON has no dates: where an object schema expects a `z.date()` (also optional, nullable or with a default), an
 * ISO 8601 string becomes a Date, so that `--inputs '{"asOf": "2026-01-01T00:00:00Z"}'` works. Nor do JSON and
 * msgpack give bigints below 2^53: where it expects a `z.bigint()`, a safe integer (or the decimal string a model file
 * keeps beyond 2^53) becomes a bigint.
 */
function reviveDates(schema: Schema, value: unknown): unknown {
  const shape = objectShape(schema);
  if (!shape || !isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(shape)) {
    const v = value[key];
    let revived = v;
    const inner = unwrap(field as Schema);
    if (typeof v === 'string' && defType(inner) === 'date' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) revived = new Date(v);
    // Flyte's INTEGER is int64: a z.bigint() field receives its small values as bigints too (JSON and msgpack give
    // numbers below 2^53).
    else if (defType(inner) === 'bigint' && ((typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v))))
      revived = BigInt(v);
    else if (isPlainObject(v)) revived = reviveDates(inner, v);
    if (revived !== v) (out ??= { ...value })[key] = revived;
  }
  return out ?? value;
}

/**
 * What to declare to receive a number a `z.number()` refuses: Flyte's INTEGER is int64 (beyond 2^53 it arrives as a
 * bigint) and its FLOAT is an IEEE double (NaN and infinities are values).
 */
function numberHint(message: string): string {
  if (/expected number, received bigint/.test(message)) return ' (an integer beyond 2^53: declare the field z.bigint() to receive it)';
  if (/expected number, received NaN/.test(message)) return ' (declare the field z.number().or(z.nan()) to receive NaN)';
  if (/expected number, received -?Infinity/.test(message))
    return ' (declare the field z.number().or(z.literal(Infinity)).or(z.literal(-Infinity)) to receive infinities)';
  return '';
}

function defType(schema: Schema): string | undefined {
  return (schema as unknown as { def?: { type?: string } }).def?.type;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = (current as unknown as { def?: { type?: string; innerType?: Schema } }).def;
    if (def && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type ?? '') && def.innerType) current = def.innerType;
    else return current;
  }
}

/** The keys of an object schema (without a catch-all), or `undefined` for other schemas. */
export function objectKeys(schema: Schema): string[] | undefined {
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : undefined;
}

function objectShape(schema: Schema): Record<string, unknown> | undefined {
  const def = (schema as unknown as { def?: { type?: string; shape?: Record<string, unknown>; catchall?: unknown } }).def;
  if (def?.type === 'object' && def.shape && def.catchall === undefined) return def.shape;
  return undefined;
}

function suggest(key: string, known: string[]): string {
  const match = closest(key, known);
  return match ? ` (did you mean '${match}'?)` : known.length ? ` (known: ${known.join(', ')})` : '';
}

export { closest, isPlainObject, kind };
