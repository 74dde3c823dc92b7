// Serving benchmark: POST /predict of `unionml serve` against the ceiling of node:http itself, side by side in one run.
//
//   npx nx run bench:serve
//
// Two servers on loopback, each a process of its own with one event loop:
// - bare: a `node:http` server that reads the body, JSON.parses it and answers a JSON array (one number per record):
//   what any Node server pays at least for the same request and response;
// - ours: `unionml serve` of the digits app (examples/digits) with a model file trained for the run.
// Each is warmed up, then loaded by wrk (2 threads × 32 connections, POST of the 5-record body of
// examples/digits/data/sample_features.json) for BENCH_SECONDS (default 10) in BENCH_ROUNDS rounds (default 3),
// alternating bare and ours so that both see the same machine. Per round and as medians: requests/s, p50/p99 latency,
// non-2xx and socket errors, the server's CPU time per request (from /proc/<pid>/stat) and the ratio ours/bare.
// The targets: ratio ≥ 0.75 and our p99 ≤ 5 ms. The result is printed as a table and written to
// test-output/bench/serve.json; the exit code is 1 if any request failed (a target missed is reported, not an error:
// it depends on the machine).
//
// Environment: BENCH_SECONDS, BENCH_ROUNDS, BENCH_MODEL_PATH (a digits model file to serve instead of training
// one), BENCH_ROOT (serve the built CLI and digits app of another checkout, e.g. a clone at an earlier commit, to
// compare before and after a change), BENCH_WORKERS (serve with --workers N; the bare server stays one process, so the
// ratio then shows the scaling), BENCH_VERBOSE=1 (the servers' logs). Needs wrk (apt-get install -y wrk).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { positive } from './env.js';
import { parseWrkReport, writePostScript, type WrkReport } from './wrk.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The checkout whose CLI and digits app are served: this one, or BENCH_ROOT (e.g. a clone at an earlier commit). */
const served = process.env['BENCH_ROOT'] || root;
const digitsApp = join(served, 'examples', 'digits');
const cli = join(served, 'apps', 'cli', 'bin', 'unionml.js');
const seconds = positive('BENCH_SECONDS', 10);
const rounds = positive('BENCH_ROUNDS', 3);
const workers = positive('BENCH_WORKERS', 1);
const threads = 2;
const connections = 32;
const target = { ratio: 0.75, p99Ms: 5 };
const expected = [0, 1, 2, 3, 4];

// ---------------------------------------------------------------- wrk
interface Load extends WrkReport {
  /** The server's CPU time (user + system) per request during the load, in µs. */
  cpuUsPerRequest: number;
}

/** Runs wrk and parses its report. */
function wrk(url: string, script: string, duration: number): Omit<Load, 'cpuUsPerRequest'> {
  const result = spawnSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
    timeout: (duration + 30) * 1000,
  });
  const out = result.stdout ?? '';
  if (result.status !== 0 || !/Requests\/sec:/.test(out)) throw new Error(`wrk failed (${result.status ?? result.signal}):\n${out}\n${result.stderr ?? ''}`);
  return parseWrkReport(out);
}

/** CPU time (user + system) of a process and its live descendants (the workers of --workers) so far, in µs, from /proc. */
function cpuUs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // gone meanwhile
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime), counted from the state (field 3) here.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / clockTicks + childrenOf(pid).reduce((sum, child) => sum + cpuUs(child), 0);
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

// ---------------------------------------------------------------- servers
interface Server {
  name: 'bare' | 'ours';
  url: string;
  child: ChildProcess;
  log: () => string;
}

/** The ceiling: node:http, the body read and parsed, a JSON array answered. It listens on a free port and says which. */
const BARE_SERVER = `
import { createServer } from 'node:http';
createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let status = 200;
    let text;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      text = JSON.stringify(Array.isArray(body?.features) ? body.features.map((_, i) => i) : []);
    } catch {
      status = 400;
      text = '{"detail":"invalid JSON"}';
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}).listen(0, '127.0.0.1', function () {
  process.stderr.write('bare server listening at http://127.0.0.1:' + this.address().port + '\\n');
});
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts a server on a free port and waits for the line of its stderr that gives its URL. */
async function start(name: Server['name'], args: string[], cwd: string): Promise<Server> {
  const child = spawn('node', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${name} server did not listen within 120 s:\n${log}`)), 120_000);
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const match = / at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${name} server exited early (${code ?? signal}):\n${log}`));
    });
  });
  return { name, url, child, log: () => log };
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** One request by hand before the load: the answer must be the digits of the sample. */
async function checkAnswer(server: Server, body: string): Promise<void> {
  const response = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (response.status !== 200 || text !== JSON.stringify(expected)) {
    throw new Error(`the ${server.name} server answered ${response.status} ${text.slice(0, 300)}, expected 200 ${JSON.stringify(expected)}`);
  }
}

function load(server: Server, script: string, duration: number): Load {
  const pid = server.child.pid!;
  const before = cpuUs(pid);
  const result = wrk(`${server.url}/predict`, script, duration);
  const cpu = cpuUs(pid) - before;
  return { ...result, cpuUsPerRequest: result.requests > 0 ? cpu / result.requests : Number.NaN };
}

// ---------------------------------------------------------------- main
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) {
  console.error('bench:serve needs wrk: apt-get install -y wrk');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'unionml-serve-bench-'));
const records = JSON.parse(readFileSync(join(digitsApp, 'data', 'sample_features.json'), 'utf8')) as unknown[];
const body = JSON.stringify({ features: records });
const bodyFile = join(work, 'body.json');
writeFileSync(bodyFile, body);
const script = join(work, 'post.lua');
writePostScript(script, bodyFile);
const bareFile = join(work, 'bare-server.mjs');
writeFileSync(bareFile, BARE_SERVER);

const servers: Server[] = [];
let exitCode = 0;
try {
  let modelPath = process.env['BENCH_MODEL_PATH'];
  if (!modelPath) {
    modelPath = join(work, 'digits-model.json');
    console.error(`training the digits model (${modelPath})...`);
    const trained = spawnSync('node', [cli, 'train', 'app:model', '--local', '-o', modelPath], { cwd: digitsApp, encoding: 'utf8' });
    if (trained.status !== 0) throw new Error(`training failed (${trained.status}):\n${trained.stderr}`);
  }
  const bare = await start('bare', [bareFile], work);
  servers.push(bare);
  const ours = await start('ours', [cli, 'serve', 'app:model', '--model-path', modelPath, '--port', '0', '--workers', String(workers)], digitsApp);
  servers.push(ours);
  for (const server of servers) await checkAnswer(server, body);

  // Warm-up (JIT, caches), not counted.
  for (const server of servers) wrk(`${server.url}/predict`, script, 2);

  const results: { round: number; bare: Load; ours: Load; ratio: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    console.error(`round ${round}/${rounds}: bare ${seconds}s...`);
    const b = load(bare, script, seconds);
    console.error(`round ${round}/${rounds}: ours ${seconds}s...`);
    const o = load(ours, script, seconds);
    results.push({ round, bare: b, ours: o, ratio: o.rps / b.rps });
  }
  for (const server of servers) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`the ${server.name} server died during the load:\n${server.log()}`);
  }

  const med = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  const summary = {
    bare: {
      rps: med((r) => r.bare.rps),
      p50Ms: med((r) => r.bare.p50Ms),
      p99Ms: med((r) => r.bare.p99Ms),
      cpuUsPerRequest: med((r) => r.bare.cpuUsPerRequest),
    },
    ours: {
      rps: med((r) => r.ours.rps),
      p50Ms: med((r) => r.ours.p50Ms),
      p99Ms: med((r) => r.ours.p99Ms),
      cpuUsPerRequest: med((r) => r.ours.cpuUsPerRequest),
    },
    ratio: med((r) => r.ratio),
    /** What a request costs us more than bare, from the throughputs (wall time per request) and from the CPU time. */
    extraUsPerRequest: med((r) => 1e6 / r.ours.rps - 1e6 / r.bare.rps),
    extraCpuUsPerRequest: med((r) => r.ours.cpuUsPerRequest - r.bare.cpuUsPerRequest),
  };
  const errors = results.reduce((s, r) => s + r.bare.non2xx + r.bare.socketErrors + r.ours.non2xx + r.ours.socketErrors, 0);
  const met = { ratio: summary.ratio >= target.ratio, p99: summary.ours.p99Ms <= target.p99Ms };

  const rows: string[][] = [['round', 'server', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'socket err', 'CPU µs/req', 'ours/bare']];
  const row = (round: string, name: string, l: Pick<Load, 'rps' | 'p50Ms' | 'p99Ms' | 'cpuUsPerRequest'> & Partial<Load>, ratio = '') => [
    round,
    name,
    fmt(l.rps),
    fmt(l.p50Ms, 2),
    fmt(l.p99Ms, 2),
    l.requests === undefined ? '' : String(l.requests),
    l.non2xx === undefined ? '' : String(l.non2xx),
    l.socketErrors === undefined ? '' : String(l.socketErrors),
    fmt(l.cpuUsPerRequest, 1),
    ratio,
  ];
  for (const r of results) {
    rows.push(row(String(r.round), 'bare', r.bare));
    rows.push(row(String(r.round), 'ours', r.ours, fmt(r.ratio, 3)));
  }
  rows.push(row('median', 'bare', summary.bare));
  rows.push(row('median', 'ours', summary.ours, fmt(summary.ratio, 3)));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(
    `\nPOST /predict, 5 records: bare node:http vs unionml serve${served === root ? '' : ` of ${served}`} (${new Date().toISOString()}, node ${process.version}, ` +
      `wrk -t${threads} -c${connections} -d${seconds}s, ${rounds} rounds${workers > 1 ? `, ours with --workers ${workers}` : ''})`,
  );
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `\nours costs ${fmt(summary.extraUsPerRequest, 1)} µs more per request than bare (wall time, from req/s), ` +
      `${fmt(summary.extraCpuUsPerRequest, 1)} µs more CPU time per request`,
  );
  console.log(`target: ours/bare ≥ ${target.ratio} at ${connections} connections: ${fmt(summary.ratio, 3)}, ${met.ratio ? 'met' : 'NOT met'}`);
  console.log(`target: our p99 ≤ ${target.p99Ms} ms at ${connections} connections: ${fmt(summary.ours.p99Ms, 2)} ms, ${met.p99 ? 'met' : 'NOT met'}`);
  console.log(`errors (non-2xx + socket errors, every round): ${errors}${errors ? ' — FAILED' : ''}`);

  const outDir = join(root, 'test-output', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'serve.json');
  writeFileSync(
    outFile,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, served, workers, threads, connections, seconds, rounds, target, met, errors, summary, results }, null, 2)}\n`,
  );
  console.log(`written to ${outFile}`);
  if (errors) exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  for (const server of servers) await stop(server);
  if (process.env['BENCH_VERBOSE']) for (const server of servers) console.error(`--- ${server.name} log\n${server.log()}`);
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
