/**
 * Measures the local executor's overhead per task: a chain of N trivial `add` nodes, each a real `node` subprocess
 * that reads inputs.pb, runs, and writes outputs.pb through executeTask. Not a test; run it after building:
 *
 *     npx tsc --build packages/flyte/tsconfig.lib.json
 *     node --import tsx --conditions=@unionml/source packages/flyte/src/executor.bench.ts [nodes=20]
 *
 * It compares: a bare `node -e ""` spawn, the built runtime (`node entrypoint.mjs` importing dist/), and the dev
 * path (`node --import tsx` on the TypeScript sources).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { taskArgs, taskSpec, workflowSpec } from './builders.js';
import { executeWorkflowLocally } from './executor.js';
import { Long } from './idl.js';
import { t } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const repoRoot = resolve(packageRoot, '../..');

async function main(): Promise<void> {
  const nodes = Number(process.argv[2] ?? 20);
  const dist = join(packageRoot, 'dist', 'index.js');
  if (!(await stat(dist).catch(() => undefined))) throw new Error(`build first: npx tsc --build packages/flyte/tsconfig.lib.json (${dist} is missing)`);
  const root = await mkdtemp(join(tmpdir(), 'flyte-bench-'));

  // An entrypoint on the built package, as a container would run it.
  const entry = join(root, 'entrypoint.mjs');
  await writeFile(
    entry,
    `import { executeTask, parseExecuteArgs, t } from ${JSON.stringify(pathToFileURL(dist).href)};
const add = { name: 'add', interface: { inputs: { a: t.int(), b: t.int() }, outputs: { o0: t.int() } }, run: async ({ a, b }) => ({ o0: a + b }) };
const result = await executeTask(async () => add, parseExecuteArgs(process.argv.slice(2)));
process.exitCode = result.exitCode;
`,
  );
  const devEntry = join(here, 'test-support', 'entrypoint.ts');

  const add = taskSpec({
    id: { project: 'bench', domain: 'development', name: 'bench.add', version: 'v1' },
    interface: { inputs: { a: t.int(), b: t.int() }, outputs: { o0: t.int() } },
    image: 'bench',
    args: taskArgs(['flyte-bench'], ['task-name', 'add']),
  });
  const one = { literal: { scalar: { primitive: { integer: Long.fromNumber(1) } } } };
  const chain = Array.from({ length: nodes }, (_, i) => ({
    id: `n${i}`,
    task: add.template!,
    inputs: { a: i === 0 ? one : { node: `n${i - 1}`, output: 'o0' }, b: one },
  }));
  const wf = workflowSpec({
    id: { project: 'bench', domain: 'development', name: 'bench.chain', version: 'v1' },
    interface: { inputs: {}, outputs: { o0: t.int() } },
    nodes: chain,
    outputs: { o0: { node: `n${nodes - 1}`, output: 'o0' } },
  });

  const spawnMs = (() => {
    const runs = 10;
    const start = performance.now();
    for (let i = 0; i < runs; i++) spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
    return (performance.now() - start) / runs;
  })();

  const run = async (label: string, prefix: string[]) => {
    const start = performance.now();
    const result = await executeWorkflowLocally({
      workflow: wf,
      tasks: [add],
      inputs: {},
      workDir: join(root, label),
      executionName: label,
      cwd: repoRoot,
      command: (argv) => [...prefix, ...argv.slice(1)],
    });
    const total = performance.now() - start;
    const perNode = result.nodes.map((n) => n.seconds * 1000).sort((a, b) => a - b);
    return { label, total, mean: total / nodes, median: perNode[Math.floor(perNode.length / 2)]!, min: perNode[0]!, max: perNode[perNode.length - 1]! };
  };

  const rows = [
    await run('built', [process.execPath, entry]),
    await run('dev-tsx', [process.execPath, '--import', 'tsx', '--conditions=@unionml/source', devEntry]),
  ];
  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(8);
  console.log(`local executor overhead, chain of ${nodes} trivial 'add' nodes (node ${process.version}, ${process.platform}/${process.arch})`);
  console.log(`bare 'node -e ""' spawn: ${ms(spawnMs)}`);
  console.log(`${'runtime'.padEnd(10)} ${'per node'.padStart(8)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'total'.padStart(8)}`);
  for (const row of rows) console.log(`${row.label.padEnd(10)} ${ms(row.mean)} ${ms(row.median)} ${ms(row.min)} ${ms(row.max)} ${ms(row.total)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
