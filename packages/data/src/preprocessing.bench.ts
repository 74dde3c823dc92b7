/**
 * Measures the stratified split and the fitted preprocessing helpers. Not a test; run it from the workspace root:
 *
 *     node --import tsx --conditions=@unionml/source packages/data/src/preprocessing.bench.ts
 *
 * It prints the time of a stratified split of 100,000 rows (and an unstratified one for comparison), and the cost
 * per row of `transform` on a 1-row frame (the serving path) and on a 10,000-row frame.
 */
import { performance } from 'node:perf_hooks';
import { DataFrame, type Row } from './dataframe.js';
import { oneHotEncoder, pipeline, standardScaler, type FrameTransformer } from './preprocessing.js';
import { RandomState } from './random.js';
import { splitIndices } from './split.js';

/** The median time of `fn` in ms over `runs` runs, after `warmup` runs. */
function median(fn: () => unknown, runs: number, warmup = Math.max(3, runs >> 2)): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** The mean time of one call in µs, over batches of `batch` calls (for calls that take microseconds). */
function perCall(fn: () => unknown, batch: number, batches = 30): number {
  return (
    (median(() => {
      for (let i = 0; i < batch; i++) fn();
    }, batches) *
      1000) /
    batch
  );
}

function table(n: number, rs: RandomState): DataFrame {
  const colors = ['red', 'green', 'blue', 'black', 'white'];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({ a: rs.random() * 10, b: rs.random() - 0.5, color: colors[rs.interval(4)]!, c: rs.random() * 1000, d: rs.interval(100) });
  }
  return DataFrame.fromRecords(rows);
}

function main(): void {
  const rs = new RandomState(0);
  const n = 100_000;
  const labels = Array.from({ length: n }, () => {
    const u = rs.random();
    return u < 0.5 ? 0 : u < 0.8 ? 1 : u < 0.95 ? 2 : rs.interval(6) + 3; // 10 classes, imbalanced
  });
  const strings = labels.map((l) => `class-${l}`);
  console.log(`split of ${n.toLocaleString()} rows (testSize 0.2), median of 15:`);
  console.log(`  unstratified:                  ${median(() => splitIndices(n, { randomState: 42 }), 15).toFixed(1)} ms`);
  console.log(`  stratified, 10 number classes: ${median(() => splitIndices(n, { randomState: 42, stratify: labels }), 15).toFixed(1)} ms`);
  console.log(`  stratified, 10 string classes: ${median(() => splitIndices(n, { randomState: 42, stratify: strings }), 15).toFixed(1)} ms`);

  const train = table(10_000, rs);
  const big = table(10_000, rs);
  const one = DataFrame.fromRecords([{ a: 1.5, b: 0.1, color: 'blue', c: 500, d: 7 }]);
  const steps: [string, FrameTransformer<unknown>][] = [
    ['standardScaler (4 numeric columns)', standardScaler()],
    ['oneHotEncoder (1 column, 5 categories)', oneHotEncoder({ columns: ['color'] })],
    ['pipeline(oneHotEncoder, standardScaler)', pipeline(oneHotEncoder({ columns: ['color'] }), standardScaler({ columns: ['a', 'b', 'c', 'd'] }))],
  ];
  console.log('transform cost per row (5 columns in):');
  for (const [name, step] of steps) {
    const state = JSON.parse(JSON.stringify(step.fit(train))) as unknown;
    const single = perCall(() => step.transform(one, state), 20_000);
    const many = (median(() => step.transform(big, state), 30) * 1000) / big.length;
    console.log(`  ${name.padEnd(42)} 1 row: ${single.toFixed(2)} µs/row   10,000 rows: ${many.toFixed(3)} µs/row`);
  }
}

main();
