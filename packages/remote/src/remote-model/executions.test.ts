import { describe, expect, it } from 'vitest';
import { adminError } from '../test-support/fake-admin.js';
import {
  describeVersions,
  executionFilter,
  executionPhase,
  isDifferentStructure,
  isIdenticalStructure,
  isTerminal,
  isUnavailable,
  nodePhase,
  taskMessage,
  terminalError,
} from './executions.js';

describe('phases', () => {
  it("names flyteidl's phase numbers; terminal phases are FlyteAdmin's", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42].map(executionPhase)).toEqual([
      'UNDEFINED',
      'QUEUED',
      'RUNNING',
      'SUCCEEDING',
      'SUCCEEDED',
      'FAILING',
      'FAILED',
      'ABORTED',
      'TIMED_OUT',
      'ABORTING',
      'UNDEFINED',
    ]);
    expect([3, 5, 7, 10].map(nodePhase)).toEqual(['SUCCEEDED', 'FAILED', 'SKIPPED', 'RECOVERED']);
    expect(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'].every((p) => isTerminal(p as never))).toBe(true);
    expect(['QUEUED', 'RUNNING', 'SUCCEEDING', 'FAILING', 'ABORTING'].some((p) => isTerminal(p as never))).toBe(false);
  });
});

describe('executionFilter', () => {
  it("writes FlyteAdmin's filter expression: launch plan names, app version, phase", () => {
    expect(executionFilter({ launchPlans: ['m.train'] })).toBe('eq(launch_plan.name,m.train)');
    expect(executionFilter({ launchPlans: ['m.train', 'nightly', 'm.train'], appVersion: 'abc123', phase: 'SUCCEEDED' })).toBe(
      'value_in(launch_plan.name,m.train;nightly)+eq(launch_plan.version,abc123)+eq(phase,SUCCEEDED)',
    );
    expect(() => executionFilter({ launchPlans: ['a;b'] })).toThrow(/cannot contain/);
  });

  it('lists at most ten versions', () => {
    expect(describeVersions([])).toBe('none');
    expect(describeVersions(['b', 'a'])).toBe('b, a');
    expect(
      describeVersions(
        Array.from({ length: 12 }, (_, i) => `v${i}`),
        40,
      ),
    ).toBe('v0, v1, v2, v3, v4, v5, v6, v7, v8, v9 (and 30 more)');
  });
});

describe('taskMessage', () => {
  it("keeps the message part of a task runtime's Trace/Message error, dedented; other text as it is", () => {
    const raw = 'Trace:\n\n    SerializationError: NaN\n        at f (file:///app/x.js:1:1)\n\nMessage:\n\n    SerializationError: NaN\n      - detail';
    expect(taskMessage(raw)).toBe('SerializationError: NaN\n  - detail');
    expect(taskMessage('  plain failure  ')).toBe('plain failure');
  });

  it("puts the message in a failed execution's error and keeps the whole text apart", () => {
    const raw = 'Trace:\n\n    E: bad\n        at f (x.js:1:1)\n\nMessage:\n\n    E: bad';
    const error = terminalError({ id: { name: 'x1' }, closure: { phase: 6, error: { message: raw } } }, undefined);
    expect(error?.message).toBe('execution x1 failed: E: bad');
    expect(error?.taskError).toBe(raw);
  });
});

describe('terminalError', () => {
  const execution = (phase: number, closure: object = {}) => ({
    id: { name: 'f123' },
    spec: { launchPlan: { name: 'm.train', version: 'v1' } },
    closure: { phase, ...closure },
  });

  it("FAILED carries the task's message and code; ABORTED its cause; TIMED_OUT says so; SUCCEEDED is no error", () => {
    const failed = terminalError(execution(6, { error: { code: 'USER:ValueError', message: '  boom\n' } }), 'http://c/x')!;
    expect(failed).toMatchObject({ code: 'REMOTE_EXECUTION_FAILED', kind: 'app', execution: 'f123', url: 'http://c/x', flyteErrorCode: 'USER:ValueError' });
    expect(failed.message).toBe('execution f123 of m.train (version v1) failed: boom');
    expect(terminalError(execution(6), undefined)!.message).toBe('execution f123 of m.train (version v1) failed: no error message was recorded');
    const aborted = terminalError(execution(7, { abortMetadata: { cause: 'stopped by alice' } }), undefined)!;
    expect([aborted.code, aborted.kind, aborted.message]).toEqual([
      'REMOTE_EXECUTION_ABORTED',
      'state',
      'execution f123 of m.train (version v1) was aborted: stopped by alice',
    ]);
    expect(terminalError(execution(8), undefined)).toMatchObject({ code: 'REMOTE_EXECUTION_TIMED_OUT', kind: 'state' });
    expect(terminalError(execution(4), undefined)).toBeUndefined();
  });
});

describe("FlyteAdmin's registration answers", () => {
  it('tells identical structure (a no-op) from different structure (a conflict)', () => {
    const identical = adminError('ALREADY_EXISTS', 'task with identical structure already exists');
    const different = adminError('INVALID_ARGUMENT', 'm.train_task task with different structure already exists. (Please register a new version of the task):');
    const invalid = adminError('INVALID_ARGUMENT', 'task failed compilation');
    expect([isIdenticalStructure(identical), isDifferentStructure(identical)]).toEqual([true, false]);
    expect([isIdenticalStructure(different), isDifferentStructure(different)]).toEqual([false, true]);
    expect([isIdenticalStructure(invalid), isDifferentStructure(invalid), isDifferentStructure(new Error('different structure already exists'))]).toEqual([
      false,
      false,
      false,
    ]);
    expect([isUnavailable(adminError('UNAVAILABLE', 'x')), isUnavailable(invalid)]).toEqual([true, false]);
  });
});
