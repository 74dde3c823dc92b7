// The metrics tests' check of a MetricInputError.
import { expect } from 'vitest';
import { MetricInputError } from '../errors.js';

export /** Runs `fn`, expects a MetricInputError of `metric` whose message matches `message`, and returns it. */
function metricError(fn: () => unknown, metric: string, message: RegExp): MetricInputError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MetricInputError);
  const error = thrown as MetricInputError;
  expect(error.code).toBe('METRIC_INPUT_INVALID');
  expect(error.kind).toBe('app');
  expect(error.metric).toBe(metric);
  expect(error.message.startsWith(`${metric}: `)).toBe(true);
  expect(error.message).toMatch(message);
  expect(error.hint).toBeTruthy();
  return error;
}
