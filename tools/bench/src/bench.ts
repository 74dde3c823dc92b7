// Benchmark: UnionML for TypeScript against what Python UnionML runs on, measured side by side in one run.
//
//   npx nx run bench:local        (or: npm run bench)
//
// - training: wall time of `unionml train --local` on the digits app vs ../shared/peers/digits_peer.py
//   (scikit-learn LogisticRegression, Python UnionML's basic template), and test accuracy on the same split;
// - serving: POST /predict with the same 5-record payload at 32 connections (wrk, 3 rounds for UnionML) against `unionml serve` and the
//   FastAPI/uvicorn peer: requests/s, p50/p99 latency, errors, and the servers' memory;
// - start-up: `unionml --help` and `unionml train --help` wall time.
//
// Needs wrk and, for the peers, Debian's python3-sklearn python3-pandas python3-fastapi python3-uvicorn:
//   apt-get install -y wrk hyperfine python3-sklearn python3-pandas python3-fastapi python3-uvicorn
// Peers that cannot run are reported as skipped, with the reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWrkReport, writePostScript } from './wrk.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const shared = process.env['UNIONML_SHARED'] ?? join(root, '..', 'shared');
const peers = join(shared, 'peers');
const digitsApp = join(root, 'examples', 'digits');
const cli = join(root, 'apps', 'cli', 'bin', 'unionml.js');
const python = process.env['PEER_PYTHON'] ?? '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'unionml-bench-'));
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const connections = 32;
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const serveRounds = Number(process.env['BENCH_SERVE_ROUNDS'] ?? 3);

interface Row {
  metric: string;
  unionml: string;
  peer: string;
  target: string;
  ok?: boolean | undefined;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number | undefined, digits = 2) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const peerReady = existsSync(python) && spawnSync(python, ['-c', 'import sklearn, pandas, fastapi, uvicorn, joblib']).status === 0;
const skipReason = peerReady
  ? ''
  : `skipped: ${python} lacks sklearn/pandas/fastapi/uvicorn (apt-get install -y python3-sklearn python3-pandas python3-fastapi python3-uvicorn)`;

function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string; stderr: string } {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

// ---------------------------------------------------------------- training
function benchTraining(): void {
  const ours = Array.from({ length: runs }, (_, i) => {
    const r = timed('node', [cli, 'train', 'app:model', '--local', '--json', '-o', join(work, `model-${i}.json`)], digitsApp);
    return { ms: r.ms, report: JSON.parse(r.stdout) as { metrics: { test: { accuracy: number } }; seconds: number } };
  });
  const ourWall = median(ours.map((r) => r.ms)) / 1000;
  const ourInProcess = median(ours.map((r) => r.report.seconds));
  const ourAcc = ours[0]!.report.metrics.test.accuracy;
  results['train'] = { unionml: { wallSeconds: ourWall, trainSeconds: ourInProcess, testAccuracy: ourAcc } };

  if (!peerReady) {
    rows.push({ metric: 'train wall time (s)', unionml: fmt(ourWall), peer: skipReason, target: '≤ 2× peer' });
    rows.push({ metric: 'test accuracy', unionml: fmt(ourAcc, 4), peer: 'skipped', target: '≥ 0.96', ok: ourAcc >= 0.96 });
    return;
  }
  const peer = Array.from({ length: runs }, () => {
    const r = timed(python, [join(peers, 'digits_peer.py'), join(shared, 'data', 'digits.csv.gz')], work, { PEER_MODEL: join(work, 'peer_model.joblib') });
    return { ms: r.ms, report: JSON.parse(r.stdout) as { fit_s: number; load_s: number; split_s: number; eval_s: number; test_acc: number } };
  });
  const peerWall = median(peer.map((r) => r.ms)) / 1000;
  const peerInProcess = median(peer.map((r) => r.report.load_s + r.report.split_s + r.report.fit_s + r.report.eval_s));
  const peerAcc = peer[0]!.report.test_acc;
  (results['train'] as Record<string, unknown>)['peer'] = { wallSeconds: peerWall, trainSeconds: peerInProcess, testAccuracy: peerAcc };
  rows.push({ metric: 'train wall time, whole command (s)', unionml: fmt(ourWall), peer: fmt(peerWall), target: '≤ 2× peer', ok: ourWall <= 2 * peerWall });
  rows.push({ metric: 'train in process: read+split+fit+eval (s)', unionml: fmt(ourInProcess), peer: fmt(peerInProcess), target: '' });
  rows.push({ metric: 'test accuracy (same 360-row split)', unionml: fmt(ourAcc, 4), peer: fmt(peerAcc, 4), target: '≥ 0.96', ok: ourAcc >= 0.96 });
}

// ---------------------------------------------------------------- serving
interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

const warmedUp = new Set<string>();

function wrk(url: string, payloadFile: string): Load {
  const script = join(work, 'post.lua');
  writePostScript(script, payloadFile);
  // warm up once per server (JIT, caches), then measure
  if (!warmedUp.has(url)) spawnSync('wrk', ['-t1', `-c${connections}`, '-d2s', '-s', script, url], { encoding: 'utf8' });
  warmedUp.add(url);
  const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' }).stdout;
  const report = parseWrkReport(out);
  return { rps: report.rps, p50: report.p50Ms, p99: report.p99Ms, errors: report.non2xx + report.socketErrors, requests: report.requests };
}

function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not come up:\n${log()}`);
}

type Served = Load & { rss: number; peak: number; rounds: Load[] };

/** Serves, then loads the server `rounds` times; the result is the round with the median requests/s. */
async function serveAndLoad(
  name: string,
  command: string,
  args: string[],
  cwd: string,
  port: number,
  env: NodeJS.ProcessEnv,
  payload: string,
  rounds: number,
): Promise<Served> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await waitFor(`http://127.0.0.1:${port}/health`, child, () => log);
    const loads = Array.from({ length: rounds }, () => wrk(`http://127.0.0.1:${port}/predict`, payload));
    const middle = [...loads].sort((a, b) => a.rps - b.rps)[Math.floor(rounds / 2)]!;
    const memory = rssMiB(child.pid!);
    return { ...middle, errors: loads.reduce((s, l) => s + l.errors, 0), ...memory, rounds: loads };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (process.env['BENCH_VERBOSE']) console.error(`--- ${name} log\n${log}`);
  }
}

async function benchServing(): Promise<void> {
  if (!has('wrk')) {
    rows.push({ metric: 'POST /predict', unionml: 'skipped: wrk is not installed (apt-get install -y wrk)', peer: '', target: '' });
    return;
  }
  const payload = join(peers, 'predict5.json');
  const ours = await serveAndLoad(
    'unionml',
    'node',
    [cli, 'serve', 'app:model', '--model-path', join(work, 'model-0.json'), '--port', '18321'],
    digitsApp,
    18321,
    {},
    payload,
    serveRounds,
  );
  results['serve'] = { unionml: ours };
  let peer: Served | undefined;
  if (peerReady) {
    peer = await serveAndLoad(
      'fastapi',
      python,
      ['-m', 'uvicorn', 'fastapi_peer:app', '--port', '18322', '--log-level', 'warning'],
      peers,
      18322,
      { PEER_MODEL: join(work, 'peer_model.joblib') },
      payload,
      1,
    );
    (results['serve'] as Record<string, unknown>)['peer'] = peer;
  }
  const p = (f: (l: Served) => string) => (peer ? f(peer) : skipReason);
  const range = (f: (l: Load) => number, digits: number) =>
    ours.rounds.length > 1 ? ` (${fmt(Math.min(...ours.rounds.map(f)), digits)}–${fmt(Math.max(...ours.rounds.map(f)), digits)})` : '';
  rows.push({
    metric: `POST /predict requests/s (${connections} conns, ${seconds}s${serveRounds > 1 ? `, median of ${serveRounds}` : ''})`,
    unionml: fmt(ours.rps, 0) + range((l) => l.rps, 0),
    peer: p((l) => fmt(l.rps, 0)),
    target: '≥ 10× peer',
    ok: peer ? ours.rps >= 10 * peer.rps : undefined,
  });
  rows.push({ metric: 'POST /predict p50 latency (ms)', unionml: fmt(ours.p50) + range((l) => l.p50, 2), peer: p((l) => fmt(l.p50)), target: '' });
  rows.push({
    metric: 'POST /predict p99 latency (ms)',
    unionml: fmt(ours.p99) + range((l) => l.p99, 2),
    peer: p((l) => fmt(l.p99)),
    target: '≤ 10 ms',
    ok: ours.p99 <= 10,
  });
  rows.push({ metric: 'errors (non-2xx + socket)', unionml: String(ours.errors), peer: p((l) => String(l.errors)), target: '0', ok: ours.errors === 0 });
  rows.push({
    metric: 'server memory after load: RSS / peak (MiB)',
    unionml: `${fmt(ours.rss, 0)} / ${fmt(ours.peak, 0)}`,
    peer: p((l) => `${fmt(l.rss, 0)} / ${fmt(l.peak, 0)}`),
    target: '',
  });
}

// ---------------------------------------------------------------- start-up
function benchStartup(): void {
  const measure = (args: string[]) => {
    const times = Array.from({ length: 20 }, () => timed('node', [cli, ...args], root).ms);
    return median(times);
  };
  const help = measure(['--help']);
  const trainHelp = measure(['train', '--help']);
  results['startup'] = { helpMs: help, trainHelpMs: trainHelp };
  rows.push({ metric: '`unionml --help` wall time, median of 20 (ms)', unionml: fmt(help, 0), peer: '', target: '≤ 300 ms', ok: help <= 300 });
  rows.push({ metric: '`unionml train --help` wall time (ms)', unionml: fmt(trainHelp, 0), peer: '', target: '≤ 300 ms', ok: trainHelp <= 300 });
}

// ---------------------------------------------------------------- main
benchTraining();
await benchServing();
benchStartup();

const header: Row = { metric: 'metric', unionml: 'UnionML TS', peer: 'Python peer', target: 'target' };
const widths = (['metric', 'unionml', 'peer', 'target'] as const).map((k) => Math.max(...[header, ...rows].map((r) => r[k].length)));
const line = (r: Row, mark = '') =>
  `| ${r.metric.padEnd(widths[0]!)} | ${r.unionml.padEnd(widths[1]!)} | ${r.peer.padEnd(widths[2]!)} | ${r.target.padEnd(widths[3]!)} | ${mark}`;
console.log(`\nUnionML benchmark (${new Date().toISOString()}, node ${process.version}, ${runs} training runs, wrk -c${connections} -d${seconds}s)`);
console.log(line(header, 'met?'));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|------`);
for (const r of rows) console.log(line(r, r.ok === undefined ? '' : r.ok ? 'yes' : 'NO'));
mkdirSync(join(root, 'test-output', 'bench'), { recursive: true });
writeFileSync(join(root, 'test-output', 'bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), results, rows }, null, 2)}\n`);
