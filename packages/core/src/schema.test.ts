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
