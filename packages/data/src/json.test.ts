import { describe, expect, it } from 'vitest';
import { describeValue, JsonSyntaxError } from './errors.js';
import { findSyntaxError, parseJson } from './json.js';

function errorOf(text: string, source = 'x.json'): JsonSyntaxError {
  try {
    parseJson(text, source);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a": [1, 2.5e3, true, null, "s\\n"]}')).toEqual({ a: [1, 2500, true, null, 's\n'] });
  });

  it('says where a missing value is, with line, column and a caret', () => {
    const e = errorOf('{"a": 1,\n "b": }');
    expect(e.code).toBe('INPUT_BAD_JSON');
    expect([e.line, e.column]).toEqual([2, 7]);
    expect(e.message).toContain("x.json is not valid JSON: unexpected '}', expected a value at line 2, column 7");
    expect(e.message).toContain('   "b": }\n        ^');
  });

  it.each([
    ['', 'empty input'],
    ['[1, 2', "expected ',' or ']'"],
    ['{"a": 1,}', 'trailing comma'],
    ["{'a': 1}", 'expected a "quoted" property name'],
    ['{"a": 1} x', 'after the end of the JSON value'],
    ['{"a": "b', 'unterminated string'],
    ['[01]', "expected ',' or ']'"],
    ['{"a" 1}', "expected ':'"],
    ['["\\x"]', 'bad escape'],
    ['[1, 2,]', 'trailing comma before ]'],
    ['{"a": 1,}', 'trailing comma before }'],
    ['{"a": 1 "b": 2}', "expected ',' or '}'"],
    ['{"a": 1, 2}', 'expected a "quoted" property name'],
    ['[1, [2}', "expected ',' or ']'"],
  ])('explains %j', (text, reason) => {
    expect(errorOf(text).message).toContain(reason);
  });

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of ['1', '"a"', '[]', '{}', ' [ {"a": [ ] } ] ', '-0.5e-3', '"\\u00e9"']) {
      expect(findSyntaxError(text)).toBeUndefined();
      expect((): unknown => JSON.parse(text)).not.toThrow();
    }
  });
});

describe('any nesting depth (issue 13: 10^4 and 10^5 levels overflowed the stack)', () => {
  it.each([1e4, 1e5])('finds the error of %d unclosed or badly closed levels without recursion', (n) => {
    expect(errorOf('['.repeat(n)).message).toContain(`unexpected end of input, expected a value at line 1, column ${n + 1}`);
    expect(errorOf('{"a":'.repeat(n)).message).toContain('unexpected end of input, expected a value');
    expect(errorOf(`${'['.repeat(n)}1,]`).message).toContain(`trailing comma before ] at line 1, column ${n + 3}`);
    expect(errorOf(`${'['.repeat(n)}1${']'.repeat(n)}}`).message).toContain('after the end of the JSON value');
    expect(findSyntaxError(`${'[{"a":'.repeat(n)}1${'}]'.repeat(n)}`)).toBeUndefined();
  });

  it('describeValue shows 60 characters of any value: deep, huge, cyclic, typed', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1e5; i++) deep = { a: deep };
    expect(describeValue(deep)).toBe(`${'{"a":'.repeat(11)}{"...`);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle['self'] = cycle;
    expect(describeValue(cycle)).toMatch(/^\{"a":1,"self":\{"a":1,"self":.*\.\.\.$/);
    expect(describeValue(new Array(1e6).fill(7))).toHaveLength(60);
    expect(describeValue({ d: new Date(0), f: () => 1, n: NaN, t: Float32Array.of(1.5) })).toBe('{"d":"1970-01-01T00:00:00.000Z","n":null,"t":[1.5]}');
    expect(describeValue(JSON.parse('{"__proto__": 1}'))).toBe('{"__proto__":1}');
    expect(describeValue('x'.repeat(1e6))).toBe(`"${'x'.repeat(56)}...`);
  });
});
