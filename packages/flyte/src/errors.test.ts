import { isUnionMLError, listErrorCodes, type UnionMLError, type ErrorKind } from '@unionml/errors';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BundleError,
  CodeArchiveError,
  ExecuteArgsError,
  FLYTE_ERRORS,
  FlyteRecoverableError,
  FlyteSpecError,
  FlyteTypeError,
  NodeFailedError,
  StorageError,
  type FlyteErrorCode,
} from './errors.js';

const KINDS: Record<FlyteErrorCode, ErrorKind> = {
  FLYTE_TYPE_MISMATCH: 'input',
  FLYTE_VALUE_MISSING: 'input',
  FLYTE_TYPE_UNSUPPORTED: 'app',
  FLYTE_TRANSFORMER_INVALID: 'app',
  FLYTE_SPEC_INVALID: 'app',
  FLYTE_BUNDLE_INVALID: 'input',
  FLYTE_NODE_FAILED: 'app',
  FLYTE_ARGS_INVALID: 'usage',
  FLYTE_CODE_ARCHIVE_INVALID: 'input',
  FLYTE_TASK_RECOVERABLE: 'environment',
  STORAGE_NOT_FOUND: 'input',
  STORAGE_FAILED: 'environment',
  STORAGE_TIMEOUT: 'environment',
  FLYTE_CONFIG_NOT_FOUND: 'environment',
  FLYTE_CONFIG_INVALID: 'usage',
  FLYTE_ADMIN_UNAVAILABLE: 'environment',
  FLYTE_ADMIN_TIMEOUT: 'environment',
  FLYTE_ADMIN_NOT_FOUND: 'input',
  FLYTE_ADMIN_INVALID: 'input',
  FLYTE_ADMIN_EXISTS: 'state',
  FLYTE_ADMIN_PRECONDITION: 'state',
  FLYTE_ADMIN_UNAUTHENTICATED: 'environment',
  FLYTE_ADMIN_PERMISSION_DENIED: 'environment',
  FLYTE_AUTH_UNSUPPORTED: 'environment',
  FLYTE_ADMIN_FAILED: 'internal',
};

describe('FLYTE_ERRORS', () => {
  it('declares every code once, with its kind, a one-sentence meaning and a general hint', () => {
    expect(Object.keys(FLYTE_ERRORS).sort()).toEqual(Object.keys(KINDS).sort());
    for (const entry of listErrorCodes([FLYTE_ERRORS])) {
      expect(entry.registry).toBe('@unionml/flyte');
      expect(entry.kind, entry.code).toBe(KINDS[entry.code as FlyteErrorCode]);
      expect(entry.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(entry.meaning.length, entry.code).toBeGreaterThan(20);
      expect(entry.meaning, entry.code).not.toMatch(/\.\s+\S/);
      expect(entry.hint.length, entry.code).toBeGreaterThan(20);
    }
    expect(FLYTE_ERRORS.STORAGE_NOT_FOUND.status).toBe(404);
    expect(FLYTE_ERRORS.STORAGE_FAILED.status).toBe(502);
    expect(FLYTE_ERRORS.STORAGE_TIMEOUT.status).toBe(504);
  });

  it('makes each error class from its registered codes only', () => {
    expectTypeOf<ConstructorParameters<typeof FlyteTypeError>[0]>().toEqualTypeOf<
      'FLYTE_TYPE_MISMATCH' | 'FLYTE_TYPE_UNSUPPORTED' | 'FLYTE_VALUE_MISSING' | 'FLYTE_TRANSFORMER_INVALID'
    >();
    expectTypeOf<ConstructorParameters<typeof StorageError>[0]>().toEqualTypeOf<'STORAGE_NOT_FOUND' | 'STORAGE_FAILED' | 'STORAGE_TIMEOUT'>();
    // @ts-expect-error a free string is not a code (and fails at run time too)
    expect(() => new FlyteTypeError('FLYTE_TYPO', 'x')).toThrow('needs a registered error code');
    // @ts-expect-error nor is the code of another class
    const otherClass = () => new FlyteTypeError('STORAGE_FAILED', 'x');
    expect(otherClass).toBeTypeOf('function');
    const errors: [UnionMLError, FlyteErrorCode][] = [
      [new FlyteTypeError('FLYTE_VALUE_MISSING', 'missing', { variable: 'x' }), 'FLYTE_VALUE_MISSING'],
      [new FlyteSpecError('bad', { field: 'image' }), 'FLYTE_SPEC_INVALID'],
      [new StorageError('STORAGE_NOT_FOUND', 's3://b/k', 'gone'), 'STORAGE_NOT_FOUND'],
      [new StorageError('STORAGE_TIMEOUT', 's3://b/k', 'no result within 60 s'), 'STORAGE_TIMEOUT'],
      [new BundleError('b.tgz', 'bad'), 'FLYTE_BUNDLE_INVALID'],
      [new NodeFailedError('n0', 'USER', 'boom'), 'FLYTE_NODE_FAILED'],
      [new ExecuteArgsError('missing --inputs'), 'FLYTE_ARGS_INVALID'],
      [new CodeArchiveError('not a gzip tar'), 'FLYTE_CODE_ARCHIVE_INVALID'],
      [new FlyteRecoverableError('try again'), 'FLYTE_TASK_RECOVERABLE'],
    ];
    for (const [error, code] of errors) {
      expect(isUnionMLError(error)).toBe(true);
      expect({ code: error.code, kind: error.kind, status: error.status }).toEqual({ code, kind: KINDS[code], status: FLYTE_ERRORS[code].status });
    }
  });

  it("keeps a node's USER/SYSTEM origin apart from the error's kind", () => {
    const error = new NodeFailedError('n1', 'SYSTEM', 'Outputs not generated', { errorCode: 'OutputsNotFound', recoverable: true, taskName: 'train' });
    expect(error).toMatchObject({
      origin: 'SYSTEM',
      kind: 'app',
      code: 'FLYTE_NODE_FAILED',
      message: 'node n1 (train) failed with a SYSTEM error [OutputsNotFound]: Outputs not generated',
    });
  });
});
