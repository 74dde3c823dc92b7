import { describe, expect, it } from 'vitest';
import { UnionMLError, errorMessage, isUnionMLError } from './index.js';

class ColumnsMissing extends UnionMLError {
  constructor() {
    super('DATA_COLUMNS_MISSING', 'missing columns: a', { hint: 'send column a' });
  }
}

describe('UnionMLError', () => {
  it('carries a stable code, a hint and the subclass name', () => {
    const e = new ColumnsMissing();
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('DATA_COLUMNS_MISSING');
    expect(e.name).toBe('ColumnsMissing');
    expect(e.describe()).toBe('missing columns: a\n  hint: send column a');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'DATA_COLUMNS_MISSING', message: 'missing columns: a', hint: 'send column a' });
  });

  it('is recognised across copies by its brand, not by instanceof', () => {
    const e = new UnionMLError('X', 'y');
    const foreign = Object.assign(new Error('z'), { code: 'X' });
    expect(isUnionMLError(e)).toBe(true);
    expect(isUnionMLError(foreign)).toBe(false);
    expect(isUnionMLError(null)).toBe(false);
    expect(isUnionMLError({ ...e })).toBe(false);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new UnionMLError('X', 'y', { cause }).cause).toBe(cause);
  });
});

describe('errorMessage', () => {
  it('reads messages from errors, strings and objects', () => {
    expect(errorMessage(new Error('a'))).toBe('a');
    expect(errorMessage('b')).toBe('b');
    expect(errorMessage({ c: 1 })).toBe('{"c":1}');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
