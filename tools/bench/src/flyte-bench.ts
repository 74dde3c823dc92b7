// Benchmark of the Flyte path: how long compiling and packaging take, and what the local executor costs per task.
//
//   npx nx run bench:flyte
//
// - compile: `compileModel` in process (the app already loaded), median of 20;
// - package: `unionml package` wall time (process start, app load, compile, bundle), median of 5;
// - executor overhead: `train --local --compiled` minus `train --local` wall time, per task (2 tasks), median of 3,
//   for the digits example (tfjs) and a tiny pure-JS app; each task is a `unionml execute` process that starts Node,
//   loads the app and @unionml/flyte, and reads/writes inputs.pb, outputs.pb and Parquet.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'apps', 'cli', 'bin', 'unionml.js');
const work = mkdtempSync(join(tmpdir(), 'unionml-flyte-bench-'));
const apps = { digits: join(root, 'examples', 'digits'), tiny: join(root, 'apps', 'cli', 'src', 'test-support', 'apps') };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wall(args: string[], cwd: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`unionml ${args.join(' ')} failed:\n${result.stderr}`);
  return performance.now() - start;
}

const { loadModel } = await import('@unionml/core');
const { compileModel } = await import('@unionml/compiler');
const target = { entrypoint: ['unionml', 'execute'], module: 'app', exportName: 'model', image: 'x:1', version: 'v1' };
const model = await loadModel('app:model', { cwd: apps.digits });
await compileModel(model, target);
const compileTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  const start = performance.now();
  await compileModel(model, target);
  compileTimes.push(performance.now() - start);
}
const compileMs = median(compileTimes);
const packageMs = median(
  Array.from({ length: 5 }, (_, i) => wall(['package', 'app:model', '--image', 'x:1', '--version', 'v1', '-o', join(work, `b${i}.tgz`)], apps.digits)),
);

const rows: [string, string][] = [
  ['compileModel (digits, in process), median of 20', `${compileMs.toFixed(1)} ms`],
  ['unionml package (digits, whole command), median of 5', `${packageMs.toFixed(0)} ms`],
];
for (const [name, cwd, address] of [
  ['digits', apps.digits, 'app:model'],
  ['tiny', apps.tiny, 'tiny:model'],
] as const) {
  const inProcess = median(Array.from({ length: 3 }, (_, i) => wall(['train', address, '--local', '-o', join(work, `${name}-l${i}.json`)], cwd)));
  const compiled = median(Array.from({ length: 3 }, (_, i) => wall(['train', address, '--local', '--compiled', '-o', join(work, `${name}-c${i}.json`)], cwd)));
  rows.push([`train ${name}: --local / --local --compiled, median of 3`, `${(inProcess / 1000).toFixed(2)} s / ${(compiled / 1000).toFixed(2)} s`]);
  rows.push([`local executor overhead per task (${name})`, `${((compiled - inProcess) / 2 / 1000).toFixed(2)} s`]);
}
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nUnionML Flyte benchmark (${new Date().toISOString()}, node ${process.version})`);
for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
