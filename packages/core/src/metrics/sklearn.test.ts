// Every metric against scikit-learn 1.7 on realistic inputs: fixtures/sklearn-metrics.json, written by
// tools/sklearn-check/write_metric_goldens.py from models fitted on the data shipped in the repository.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ClassLabel } from '../types.js';
import * as metrics from './index.js';

type Json = ClassLabel | null | Json[] | { [key: string]: Json };

interface Check {
  metric: string;
  args: string[];
  options?: Record<string, Json>;
  expected: number | { labels: ClassLabel[]; matrix: number[][] };
}

interface Case {
  name: string;
  about: string;
  data: Record<string, ClassLabel[] | number[][]>;
  checks: Check[];
}

const goldens = JSON.parse(readFileSync(new URL('./fixtures/sklearn-metrics.json', import.meta.url), 'utf8')) as {
  versions: { sklearn: string };
  cases: Case[];
};

type AnyMetric = (...args: unknown[]) => unknown;
const functions = metrics as unknown as Record<string, AnyMetric>;
const METRICS = Object.keys(metrics).filter((name) => name !== 'MetricInputError');

/** Within 1e-12 of scikit-learn's value, relative (absolute for values below 1). */
function expectClose(actual: unknown, expected: number): void {
  expect(typeof actual).toBe('number');
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  if (Math.abs((actual as number) - expected) > tolerance) {
    expect.fail(`expected ${String(actual)} to be within ${tolerance} of scikit-learn's ${expected}`);
  }
}

/** The same values as typed arrays: numeric vectors as Float64Array (integers as Int32Array), matrix rows as Float64Array. */
function typed(value: ClassLabel[] | number[][]): unknown {
  if (value.length > 0 && Array.isArray(value[0])) return (value as number[][]).map((row) => Float64Array.from(row));
  const values = value as ClassLabel[];
  if (!values.every((v) => typeof v === 'number')) return undefined;
  return values.every((v) => Number.isInteger(v)) ? Int32Array.from(values) : Float64Array.from(values);
}

describe(`@unionml/core/metrics against scikit-learn ${goldens.versions.sklearn}`, () => {
  it('the fixture checks every metric the subpath exports, and nothing else', () => {
    const checked = new Set(goldens.cases.flatMap((c) => c.checks.map((check) => check.metric)));
    expect([...checked].sort()).toEqual([...METRICS].sort());
  });

  for (const testCase of goldens.cases) {
    describe(`${testCase.name}: ${testCase.about}`, () => {
      for (const check of testCase.checks) {
        const options = check.options ? ` ${JSON.stringify(check.options)}` : '';
        it(`${check.metric}(${check.args.join(', ')})${options}`, () => {
          const fn = functions[check.metric];
          expect(fn, `no metric ${check.metric}`).toBeTypeOf('function');
          const args = check.args.map((name) => testCase.data[name]);
          expect(args.every((a) => a !== undefined)).toBe(true);
          const call = (values: unknown[]) => fn!(...values, ...(check.options ? [check.options] : []));
          const actual = call(args);
          if (typeof check.expected === 'number') expectClose(actual, check.expected);
          else expect(actual).toEqual(check.expected);

          // The same from typed arrays, where the values are numbers: the same result.
          const typedArgs = args.map((a) => typed(a!));
          if (typedArgs.every((a) => a !== undefined)) {
            const fromTyped = call(typedArgs);
            if (typeof check.expected === 'number') expectClose(fromTyped, check.expected);
            else expect(fromTyped).toEqual(check.expected);
          }
        });
      }
    });
  }
});
