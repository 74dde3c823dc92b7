import { describe, expect, it } from 'vitest';
import {
  closest,
  defineErrors,
  editDistance,
  ERROR_KINDS,
  errorMessage,
  exitCodeOf,
  httpStatusOf,
  isUnionMLError,
  KIND_EXIT_CODE,
  KIND_HTTP_STATUS,
  kindOf,
  listErrorCodes,
  UnionMLError,
} from './index.js';

const TEST_ERRORS = defineErrors('test', {
  DATA_COLUMNS_MISSING: { kind: 'input', meaning: 'columns are missing', hint: 'send them' },
  REQUEST_TOO_LARGE: { kind: 'input', status: 413, meaning: 'the body is too large', hint: 'send less' },
  MODEL_NOT_TRAINED: { kind: 'state', status: 503, meaning: 'no model', hint: 'train one' },
  CLI_USAGE: { kind: 'usage', meaning: 'bad command line', hint: 'see --help' },
  DOCKER_UNAVAILABLE: { kind: 'environment', meaning: 'no daemon', hint: 'start Docker' },
});

class ColumnsMissing extends UnionMLError {
  constructor() {
    super(TEST_ERRORS.DATA_COLUMNS_MISSING, 'missing columns: a', { hint: 'send column a' });
  }
}

describe('UnionMLError', () => {
  it('carries a stable code, its kind, a hint and the subclass name', () => {
    const e = new ColumnsMissing();
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('DATA_COLUMNS_MISSING');
    expect(e.kind).toBe('input');
    expect(e.status).toBe(400);
    expect(e.name).toBe('ColumnsMissing');
    expect(e.describe()).toBe('missing columns: a\n  hint: send column a');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'DATA_COLUMNS_MISSING', message: 'missing columns: a', hint: 'send column a' });
  });

  it('is recognised across copies by its brand, not by instanceof', () => {
    const e = new UnionMLError(TEST_ERRORS.CLI_USAGE, 'y');
    const foreign = Object.assign(new Error('z'), { code: 'X' });
    expect(isUnionMLError(e)).toBe(true);
    expect(isUnionMLError(foreign)).toBe(false);
    expect(isUnionMLError(null)).toBe(false);
    expect(isUnionMLError({ ...e })).toBe(false);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new UnionMLError(TEST_ERRORS.CLI_USAGE, 'y', { cause }).cause).toBe(cause);
  });

  it('can only be made from a registered code', () => {
    // @ts-expect-error a free string is not a registered code
    expect(() => new UnionMLError('DATA_COLUMNS_MISSING', 'x')).toThrow('needs a registered error code');
    // @ts-expect-error a look-alike object is not a registered code either
    expect(() => new UnionMLError({ code: 'X', kind: 'input', status: 400, meaning: '', hint: '', registry: 'x' }, 'x')).toThrow(
      'needs a registered error code (from defineErrors), got X',
    );
  });
});

describe('defineErrors', () => {
  it('gives every code its kind, its HTTP status and its registry', () => {
    expect(TEST_ERRORS.DATA_COLUMNS_MISSING).toMatchObject({ code: 'DATA_COLUMNS_MISSING', kind: 'input', status: 400, registry: 'test' });
    expect(TEST_ERRORS.REQUEST_TOO_LARGE.status).toBe(413);
    expect(TEST_ERRORS.MODEL_NOT_TRAINED.status).toBe(503);
    expect(TEST_ERRORS.DOCKER_UNAVAILABLE.status).toBe(503);
    expect(Object.isFrozen(TEST_ERRORS)).toBe(true);
  });

  it('refuses codes that are not UPPER_SNAKE or have no kind, at compile time and at run time', () => {
    // @ts-expect-error lower case
    expect(() => defineErrors('t', { bad_code: { kind: 'input', meaning: 'm', hint: 'h' } })).toThrow("error code 'bad_code' of t is not UPPER_SNAKE");
    // @ts-expect-error a code without a kind
    expect(() => defineErrors('t', { NO_KIND: { meaning: 'm', hint: 'h' } })).toThrow("error code 'NO_KIND' of t has no kind");
    // @ts-expect-error an input error must answer 4xx
    expect(() => defineErrors('t', { WRONG_STATUS: { kind: 'input', status: 500, meaning: 'm', hint: 'h' } })).toThrow(
      'is of kind input, which cannot answer HTTP 500',
    );
    // @ts-expect-error a kind that does not exist
    expect(() => defineErrors('t', { ODD_KIND: { kind: 'odd', meaning: 'm', hint: 'h' } })).toThrow("error code 'ODD_KIND' of t has no kind");
  });

  it('lists the codes of several registries and refuses a code declared twice', () => {
    const other = defineErrors('other', { DATA_COLUMNS_MISSING: { kind: 'input', meaning: 'm', hint: 'h' } });
    expect(listErrorCodes([TEST_ERRORS]).map((c) => c.code)).toEqual([
      'DATA_COLUMNS_MISSING',
      'REQUEST_TOO_LARGE',
      'MODEL_NOT_TRAINED',
      'CLI_USAGE',
      'DOCKER_UNAVAILABLE',
    ]);
    expect(() => listErrorCodes([TEST_ERRORS, other])).toThrow("error code 'DATA_COLUMNS_MISSING' is declared by both test and other");
  });
});

describe('statuses and exit codes from kinds', () => {
  it('has a status and an exit code for every kind; every input status is a 4xx', () => {
    for (const kind of ERROR_KINDS) {
      expect(KIND_HTTP_STATUS[kind]).toBeGreaterThanOrEqual(400);
      expect([1, 2]).toContain(KIND_EXIT_CODE[kind]);
    }
    expect(KIND_HTTP_STATUS.input).toBe(400);
  });

  it('maps thrown values: usage exits 2, others 1; foreign errors are internal (500)', () => {
    expect(exitCodeOf(new UnionMLError(TEST_ERRORS.CLI_USAGE, 'x'))).toBe(2);
    expect(exitCodeOf(new ColumnsMissing())).toBe(1);
    expect(exitCodeOf(new Error('x'))).toBe(1);
    expect(httpStatusOf(new ColumnsMissing())).toBe(400);
    expect(httpStatusOf(new UnionMLError(TEST_ERRORS.REQUEST_TOO_LARGE, 'x'))).toBe(413);
    expect(httpStatusOf(new Error('x'))).toBe(500);
    expect(kindOf('boom')).toBe('internal');
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

describe('closest', () => {
  it('finds the name a misspelling meant: case and separators, a shared stem, then edit distance; none when far', () => {
    expect(closest('learning_rate', ['epochs', 'learningRate'])).toBe('learningRate');
    expect(closest('hyperparams', ['hyperparameters', 'trainerKwargs'])).toBe('hyperparameters');
    expect(closest('trainer_kwarg', ['trainerKwargs', 'trainer_kwargs'])).toBe('trainer_kwargs');
    expect(closest('epoch', ['epochs', 'l2'])).toBe('epochs');
    expect(closest('Specis', ['species', 'sepal_length'])).toBe('species');
    expect(closest('file', ['n', 'offset'])).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
