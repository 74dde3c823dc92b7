import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaOf } from '@unionml/core';
import { declare, declareFields } from './types.js';

const d = (schema: z.ZodType) => declare(schema, "reader argument 'x'", jsonSchemaOf);

describe('declare: zod schemas as Flyte types (as flytekit declares the same Python types)', () => {
  it.each([
    ['z.number()', z.number(), { kind: 'float' }],
    ['z.int()', z.int(), { kind: 'int' }],
    ['z.number().int()', z.number().int().positive(), { kind: 'int' }],
    ['z.string()', z.string(), { kind: 'string' }],
    ['z.boolean()', z.boolean(), { kind: 'boolean' }],
    ['z.date()', z.date(), { kind: 'datetime' }],
    ['z.array(z.number())', z.array(z.number()), { kind: 'list', of: { kind: 'float' } }],
    ['z.record(z.string(), z.int())', z.record(z.string(), z.int()), { kind: 'map', of: { kind: 'int' } }],
    ['z.enum', z.enum(['adam', 'sgd']), { kind: 'enum', values: ['adam', 'sgd'] }],
    ['z.literal', z.literal('only'), { kind: 'enum', values: ['only'] }],
    ['z.string().transform', z.string().transform((s) => s.length), { kind: 'string' }],
  ])('%s', (_label, schema, type) => {
    expect(d(schema as z.ZodType)).toEqual({ type, optional: false });
  });

  it('declares objects as STRUCTs carrying their JSON Schema', () => {
    const declared = d(z.object({ a: z.number() }));
    expect(declared.type).toMatchObject({
      kind: 'struct',
      jsonSchema: { title: 'X', type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false },
    });
    expect((declared.type as { jsonSchema: object }).jsonSchema).not.toHaveProperty('$schema');
  });

  it('keeps defaults and optionals', () => {
    expect(d(z.number().default(0.5))).toEqual({ type: { kind: 'float' }, optional: true, default: 0.5 });
    expect(d(z.string().optional())).toEqual({ type: { kind: 'optional', of: { kind: 'string' } }, optional: true, default: null });
    expect(d(z.int().nullable())).toEqual({ type: { kind: 'optional', of: { kind: 'int' } }, optional: true, default: null });
  });

  it.each([
    ['z.bigint()', z.bigint(), 'a zod bigint'],
    ['z.map()', z.map(z.string(), z.number()), 'a zod map'],
    ['z.union()', z.union([z.string(), z.number()]), 'a zod union'],
    ['z.record(z.enum)', z.record(z.enum(['a']), z.number()), 'a record whose keys are not strings'],
    ['nested', z.array(z.set(z.number())), 'a zod set'],
  ])('names the field of an undeclarable %s', (_label, schema, what) => {
    expect(() => d(schema as z.ZodType)).toThrow(
      expect.objectContaining({ code: 'FLYTE_TYPE_UNSUPPORTED', message: expect.stringContaining(`cannot declare reader argument 'x'`) as string }),
    );
    expect(() => d(schema as z.ZodType)).toThrow(what);
  });

  it('declares the fields of an object schema one by one', () => {
    expect(declareFields(z.object({ n: z.int().default(100), tag: z.string() }), 'reader arguments', jsonSchemaOf)).toEqual({
      n: { type: { kind: 'int' }, optional: true, default: 100 },
      tag: { type: { kind: 'string' }, optional: false },
    });
    expect(() => declareFields(z.object({ f: z.function() }) as never, 'reader arguments', jsonSchemaOf)).toThrow(
      "cannot declare reader argument 'f' to Flyte",
    );
    expect(() => declareFields(z.array(z.number()) as never, 'reader arguments', jsonSchemaOf)).toThrow('their schema must be a z.object');
    expect(declareFields(undefined, 'reader arguments', jsonSchemaOf)).toEqual({});
  });
});
