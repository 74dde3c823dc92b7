import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allCodes, errorReference, REGISTRIES } from './test-support/error-reference.js';

const docs = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

describe('the error reference', () => {
  it('docs/errors.md is current (regenerate it with: npm run docs:errors)', () => {
    expect(readFileSync(docs, 'utf8'), 'docs/errors.md is stale: run npm run docs:errors and commit it').toBe(errorReference());
  });

  it('lists every code once, UPPER_SNAKE, with a kind, a meaning and a hint', () => {
    const codes = allCodes();
    expect(codes.length).toBeGreaterThan(50);
    for (const entry of codes) {
      expect(entry.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(entry.meaning.length, entry.code).toBeGreaterThan(10);
      expect(entry.hint.length, entry.code).toBeGreaterThan(5);
    }
    expect(REGISTRIES.map((r) => Object.values(r)[0]?.registry)).toEqual([
      '@unionml/data',
      '@unionml/flyte',
      '@unionml/docker',
      '@unionml/core',
      '@unionml/compiler',
      '@unionml/server',
      '@unionml/remote',
      'unionml',
    ]);
  });
});
