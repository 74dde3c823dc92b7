// AWS Lambda benchmark: the cold start and the warm latency of the basic-aws-lambda template's handler.
//
//   npx nx run bench:lambda
//
// The app is built as its Lambda image builds it (examples/aws-lambda/Dockerfile.awslambda): the template's handler.ts
// (examples/aws-lambda) and app.ts (the basic template's, examples/digits) compiled to JavaScript, the packages' builds
// (dist/) as npm installs them, and a digits model trained for the run beside handler.js. Then, in fresh Node
// processes (no Lambda runtime, no container: the function's own work only):
// - cold start, in BENCH_PROCESSES processes (default 5; medians reported): the import of handler.js (the app,
//   TensorFlow.js on WebAssembly, UnionML), then the first event, an API Gateway HTTP API (payload 2.0) POST /predict
//   with the 5 records of examples/digits/data/sample_features.json, which loads the model file (its integrity and its
//   stored sample checked) and predicts; the process's own start-up (node's bootstrap, until the first line of the
//   driver) is reported apart;
// - warm latency, in one more process: after the first event and 200 events not counted, BENCH_EVENTS events (default
//   2,000) of the same request, one at a time, each timed (p50, p99, mean); beside them the same prediction called
//   directly (model.predict and JSON.stringify), so that the handler's own share shows.
// Every answer must be 200 with the digits of the sample, [0, 1, 2, 3, 4]. The result is printed as a table and
// written to test-output/bench/lambda.json; the exit code is 1 if any answer was wrong.
//
// Environment: BENCH_PROCESSES, BENCH_EVENTS, BENCH_MODEL_PATH (a digits model file instead of training one),
// BENCH_VERBOSE=1 (the processes' logs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { positive } from './env.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const digitsApp = join(root, 'examples', 'digits');
const lambdaApp = join(root, 'examples', 'aws-lambda');
const cli = join(root, 'apps', 'cli', 'bin', 'unionml.js');
const processes = positive('BENCH_PROCESSES', 5);
const events = positive('BENCH_EVENTS', 2000);
const warmup = 200;
const expected = JSON.stringify([0, 1, 2, 3, 4]);

/** One cold start, as the driver reports it (ms). */
interface Cold {
  /** From the process's start to the driver's first line: node's bootstrap. */
  bootMs: number;
  /** The import of handler.js. */
  importMs: number;
  /** The first event: the model file loaded, then the prediction. */
  firstEventMs: number;
  /** The process's start to the first answer: boot + import + first event. */
  totalMs: number;
  status: number;
  body: string;
}

/** Run in each fresh process: times the import of the handler and its first event, prints one JSON line. */
const COLD_DRIVER = `
import { readFileSync } from 'node:fs';
const bootMs = performance.now();
const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t0 = performance.now();
const { handler } = await import('./handler.js');
const t1 = performance.now();
const answer = await handler(event, { awsRequestId: 'bench', functionName: 'bench' });
const t2 = performance.now();
console.log(JSON.stringify({ bootMs, importMs: t1 - t0, firstEventMs: t2 - t1, totalMs: t2, status: answer.statusCode, body: answer.body }));
`;

/** Run in one process: the warm latency of the handler, and of the prediction alone. */
const WARM_DRIVER = `
import { readFileSync } from 'node:fs';
const [, , eventFile, count, warmup] = process.argv;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const { handler } = await import('./handler.js');
const { model } = await import('./app.js');
const first = await handler(event);
const features = JSON.parse(event.body).features;
const handlerUs = [];
const predictUs = [];
let failures = 0;
for (let i = 0; i < Number(warmup) + Number(count); i++) {
  const t0 = process.hrtime.bigint();
  const answer = await handler(event);
  const t1 = process.hrtime.bigint();
  if (answer.statusCode !== 200 || answer.body !== first.body) failures++;
  const t2 = process.hrtime.bigint();
  JSON.stringify(await model.predict({ features }));
  const t3 = process.hrtime.bigint();
  if (i >= Number(warmup)) {
    handlerUs.push(Number(t1 - t0) / 1000);
    predictUs.push(Number(t3 - t2) / 1000);
  }
}
console.log(JSON.stringify({ status: first.statusCode, body: first.body, failures, handlerUs, predictUs }));
`;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** Runs a driver in a fresh process in the app's folder and parses the last line of its output. */
function runDriver<T>(app: string, driver: string, args: string[]): T {
  const run = spawnSync(process.execPath, [driver, ...args], { cwd: app, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NODE_OPTIONS: '' } });
  if (process.env['BENCH_VERBOSE']) console.error(run.stderr);
  if (run.status !== 0) throw new Error(`${driver} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/**
 * The app as its Lambda image holds it: handler.js and app.js (compiled from the template's TypeScript, without type
 * checking: the repository's typecheck does that), package.json ("type": "module"), the model, and the workspace's
 * node_modules (whose @unionml packages resolve to their builds).
 */
async function buildApp(dir: string, modelPath: string): Promise<void> {
  const ts = (await import('typescript')).default;
  const sources = { 'app.ts': join(digitsApp, 'app.ts'), 'handler.ts': join(lambdaApp, 'handler.ts') };
  for (const [name, file] of Object.entries(sources)) {
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: name,
      // ES modules, as tsc writes them for the app's package.json ("type": "module") with module nodenext.
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      reportDiagnostics: true,
    });
    if (diagnostics?.length) throw new Error(`${file} does not compile: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}`);
    writeFileSync(join(dir, name.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lambda-bench-app', private: true, type: 'module' }));
  copyFileSync(modelPath, join(dir, 'model.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'cold.mjs'), COLD_DRIVER);
  writeFileSync(join(dir, 'warm.mjs'), WARM_DRIVER);
}

const work = mkdtempSync(join(tmpdir(), 'unionml-lambda-bench-'));
let exitCode = 0;
try {
  let modelPath = process.env['BENCH_MODEL_PATH'];
  if (!modelPath) {
    modelPath = join(work, 'digits-model.json');
    console.error(`training the digits model (${modelPath})...`);
    const trained = spawnSync(process.execPath, [cli, 'train', 'app:model', '--local', '-o', modelPath], { cwd: digitsApp, encoding: 'utf8' });
    if (trained.status !== 0) throw new Error(`training failed (${trained.status}):\n${trained.stderr}`);
  }
  const app = join(work, 'app');
  mkdirSync(app);
  await buildApp(app, modelPath);
  const eventFile = join(lambdaApp, 'events', 'http-api-predict.json');

  const colds: Cold[] = [];
  for (let i = 1; i <= processes; i++) {
    console.error(`cold start ${i}/${processes}...`);
    colds.push(runDriver<Cold>(app, 'cold.mjs', [eventFile]));
  }
  console.error(`warm latency: ${warmup} + ${events} events...`);
  const warm = runDriver<{ status: number; body: string; failures: number; handlerUs: number[]; predictUs: number[] }>(app, 'warm.mjs', [
    eventFile,
    String(events),
    String(warmup),
  ]);

  const wrong = colds.filter((c) => c.status !== 200 || c.body !== expected).length + (warm.status !== 200 || warm.body !== expected ? 1 : 0) + warm.failures;
  const cold = {
    bootMs: median(colds.map((c) => c.bootMs)),
    importMs: median(colds.map((c) => c.importMs)),
    firstEventMs: median(colds.map((c) => c.firstEventMs)),
    totalMs: median(colds.map((c) => c.totalMs)),
    importPlusFirstEventMs: median(colds.map((c) => c.importMs + c.firstEventMs)),
  };
  const summary = {
    cold,
    warm: {
      events,
      handler: { p50Us: quantile(warm.handlerUs, 0.5), p99Us: quantile(warm.handlerUs, 0.99), meanUs: mean(warm.handlerUs) },
      predictOnly: { p50Us: quantile(warm.predictUs, 0.5), p99Us: quantile(warm.predictUs, 0.99), meanUs: mean(warm.predictUs) },
    },
  };

  console.log(
    `\nAWS Lambda handler of the basic-aws-lambda template, compiled, on the digits model (${new Date().toISOString()}, node ${process.version}; ` +
      `HTTP API 2.0 POST /predict, 5 records; no Lambda runtime or container)`,
  );
  const rows = [
    ['cold start (median of ' + processes + ' processes)', 'ms'],
    ['  node bootstrap', fmt(cold.bootMs, 1)],
    ['  import handler.js (app, tfjs-wasm, UnionML)', fmt(cold.importMs, 1)],
    ['  first event (model file loaded and checked, predict)', fmt(cold.firstEventMs, 1)],
    ['  import + first event', fmt(cold.importPlusFirstEventMs, 1)],
    ['  process start to first answer', fmt(cold.totalMs, 1)],
    [`warm, ${events} events in one process`, 'p50 µs / p99 µs / mean µs'],
    ['  handler (event → result)', `${fmt(summary.warm.handler.p50Us, 1)} / ${fmt(summary.warm.handler.p99Us, 1)} / ${fmt(summary.warm.handler.meanUs, 1)}`],
    [
      '  model.predict + JSON.stringify alone',
      `${fmt(summary.warm.predictOnly.p50Us, 1)} / ${fmt(summary.warm.predictOnly.p99Us, 1)} / ${fmt(summary.warm.predictOnly.meanUs, 1)}`,
    ],
  ];
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [label, value] of rows) console.log(`| ${label!.padEnd(width)} | ${value} |`);
  console.log(`\nper process: ${colds.map((c) => `${fmt(c.importMs)}+${fmt(c.firstEventMs)} ms`).join(', ')} (import + first event)`);
  console.log(`wrong answers: ${wrong}${wrong ? ' — FAILED' : ''}`);

  const outDir = join(root, 'test-output', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'lambda.json');
  writeFileSync(
    outFile,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, processes, events, warmup, wrong, summary, colds: colds.map(({ body: _body, ...c }) => c) }, null, 2)}\n`,
  );
  console.log(`written to ${outFile}`);
  if (wrong) exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
