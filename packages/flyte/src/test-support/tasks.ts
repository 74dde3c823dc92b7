import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlyteRecoverableError } from '../errors.js';
import type { TaskDefinition } from '../runtime.js';
import { t } from '../types.js';

/** Small tasks for the runtime and executor tests (and the benchmark). */
export const TEST_TASKS: Record<string, TaskDefinition> = {
  add: {
    name: 'add',
    interface: { inputs: { a: t.int(), b: t.int() }, outputs: { o0: t.int() } },
    run: ({ a, b }) => Promise.resolve({ o0: (a as number) + (b as number) }),
  },
  noop: {
    name: 'noop',
    interface: { inputs: {}, outputs: {} },
    run: () => Promise.resolve({}),
  },
  say_hello: {
    name: 'say_hello',
    interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
    run: ({ name }) => Promise.resolve({ o0: `hello ${name as string}` }),
  },
  length: {
    name: 'length',
    interface: { inputs: { greeting: t.string(), scale: t.float() }, outputs: { o0: t.int() } },
    run: ({ greeting, scale }) => Promise.resolve({ o0: Math.round((greeting as string).length * (scale as number)) }),
  },
  fail: {
    name: 'fail',
    interface: { inputs: { a: t.int() }, outputs: { o0: t.int() } },
    run: ({ a }) => Promise.reject(new RangeError(`a must be below 10, got ${a as number}`)),
  },
  flaky: {
    name: 'flaky',
    interface: { inputs: {}, outputs: { o0: t.int() } },
    run: (_inputs, ctx) => {
      const attempt = Number(ctx.env['FLYTE_ATTEMPT_NUMBER'] ?? '0');
      if (attempt === 0) return Promise.reject(new FlyteRecoverableError('the first attempt always fails'));
      return Promise.resolve({ o0: attempt });
    },
  },
  bad_output: {
    name: 'bad_output',
    interface: { inputs: {}, outputs: { o0: t.int() } },
    run: () => Promise.resolve({ o0: 2.5 }),
  },
  summarize: {
    name: 'summarize',
    interface: {
      inputs: { config: t.struct(), data: t.blob({ format: 'csv' }) },
      outputs: { summary: t.struct(), report: t.blob({ format: 'txt' }) },
    },
    run: async ({ config, data }, ctx) => {
      const text = await readFile((data as { path: string }).path, 'utf8');
      const rows = text.trim().split('\n').length;
      const report = join(ctx.workDir, 'report.txt');
      await writeFile(report, `${(config as { title: string }).title}: ${rows} rows\n`);
      return { summary: { rows, title: (config as { title: string }).title, tags: ['a', 'b'], ratio: 0.5 }, report: { uri: report } };
    },
  },
};
