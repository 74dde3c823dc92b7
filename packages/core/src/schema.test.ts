import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, describeSchema, jsonSchemaOf } from './schema.js';

const schema = z.object({ learningRate: z.number().positive().default(0.05), epochs: z.int().min(1), solver: z.enum(['adam', 'sgd']).optional() });

describe('check', () => {
  it('returns the parsed value with defaults', () => {
    expect(check(schema, { epochs: 3 })).toEqual({ ok: true, value: { learningRate: 0.05, epochs: 3 } });
  });

  it('reports unknown keys (with a suggestion) and type errors', () => {
    const result = check(schema, { epochs: 'many', learning_rate: 1 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      "unknown key 'learning_rate' (did you mean 'learningRate'?)",
      "'epochs': Invalid input: expected number, received string",
    ]);
  });

  it("reports a '__proto__' key (JSON.parse makes it an own key) instead of dropping it silently", () => {
    const result = check(schema, JSON.parse('{"__proto__": {"epochs": 1}}'));
    expect(!result.ok && result.problems[0]).toBe("unknown key '__proto__' (known: learningRate, epochs, solver)");
  });
});

describe('dates from JSON', () => {
  it('turns ISO strings into Dates where a z.date() is expected, and documents them as date-time strings', () => {
    const args = z.object({ asOf: z.date(), until: z.date().optional(), name: z.string() });
    const result = check(args, { asOf: '2026-01-01T00:00:00Z', name: '2026-01-01' });
    expect(result).toEqual({ ok: true, value: { asOf: new Date('2026-01-01T00:00:00Z'), name: '2026-01-01' } });
    expect(check(args, { asOf: 'yesterday', name: 'x' }).ok).toBe(false);
    expect(jsonSchemaOf(args)).toMatchObject({ properties: { asOf: { type: 'string', format: 'date-time' } } });
    expect(describeSchema(args)).toBe('{ asOf: string (date-time), until?: string (date-time), name: string }');
  });
});

describe("Flyte's numbers: INTEGER is int64, FLOAT an IEEE double", () => {
  const numbers = z.object({ lr: z.number(), big: z.bigint(), maybeNaN: z.number().or(z.nan()).optional() });

  it('a z.bigint() field receives integers as bigints, small ones too (JSON and msgpack give them as numbers)', () => {
    expect(check(numbers, { lr: 0.5, big: 5 })).toEqual({ ok: true, value: { lr: 0.5, big: 5n } });
    expect(check(numbers, { lr: 0.5, big: 2n ** 60n, maybeNaN: Number.NaN })).toEqual({ ok: true, value: { lr: 0.5, big: 2n ** 60n, maybeNaN: Number.NaN } });
  });

  it('a value z.number() refuses says which declaration would receive it', () => {
    const problems = (value: object) => {
      const result = check(numbers, { big: 1, ...value });
      return result.ok ? [] : result.problems;
    };
    expect(problems({ lr: 2n ** 60n })).toEqual([
      "'lr': Invalid input: expected number, received bigint (an integer beyond 2^53: declare the field z.bigint() to receive it)",
    ]);
    expect(problems({ lr: Number.NaN })).toEqual([
      "'lr': Invalid input: expected number, received NaN (declare the field z.number().or(z.nan()) to receive NaN)",
    ]);
    expect(problems({ lr: Number.NEGATIVE_INFINITY })[0]).toContain('to receive infinities');
  });
});

describe('describeSchema', () => {
  it('gives a one-line description with optional fields, defaults and bounds', () => {
    expect(describeSchema(schema)).toBe('{ learningRate?: number (> 0) = 0.05, epochs: integer (>= 1), solver?: "adam" | "sgd" }');
  });
});

describe('jsonSchemaOf', () => {
  it('documents the input shape and that unknown keys are rejected', () => {
    const json = jsonSchemaOf(schema);
    expect(json).toMatchObject({ type: 'object', required: ['epochs'], additionalProperties: false });
    expect(jsonSchemaOf(z.array(z.number()))).toMatchObject({ type: 'array', items: { type: 'number' } });
  });
});
