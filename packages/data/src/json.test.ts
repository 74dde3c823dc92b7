import { describe, expect, it } from 'vitest';
import { JsonSyntaxError } from './errors.js';
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
