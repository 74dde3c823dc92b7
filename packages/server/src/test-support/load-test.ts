// A rough, in-repo load test of the prediction server with the digits example (not a timed test).
//
//   node --import tsx --conditions=@unionml/source packages/server/src/test-support/load-test.ts [--seconds 5] [--connections 32] [--client raw|http]
//
// It starts the server in a child process (train digits, then serveModel on port 0), then runs `connections`
// keep-alive request loops for `seconds` in this process, POSTing the 5 sample records to /predict, and prints
// requests/s and latency percentiles. `--client raw` (default) writes the request bytes to plain sockets and
// reads responses by Content-Length, as autocannon does; `--client http` uses node:http with a keep-alive Agent.
// `--url http://...` measures a server that is already running (start one with `load-test.ts --serve`).
// `--dist` serves the built packages (run `npx tsc --build tsconfig.build.json` first), as an installed CLI would.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const digitsDir = fileURLToPath(new URL('../../../../examples/digits/', import.meta.url));

if (process.argv.includes('--serve')) {
  // The server process.
  const { loadModel } = await import('@unionml/core');
  // By package name: the TypeScript sources under --conditions=@unionml/source, else the build (dist).
  // eslint-disable-next-line @nx/enforce-module-boundaries -- on purpose: --dist measures the built package
  const { serveModel } = await import('@unionml/server');
  const model = await loadModel('app:model', { cwd: digitsDir });
  await model.train();
  const { url } = await serveModel(model, { port: 0 });
  process.stdout.write(`${url}\n`);
} else {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '32' },
      client: { type: 'string', default: 'raw' },
      url: { type: 'string' },
      dist: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const body = JSON.stringify({ features: JSON.parse(readFileSync(`${digitsDir}data/sample_features.json`, 'utf8')) as unknown });

  // --url: measure a server that is already running (e.g. one started with --serve under --cpu-prof).
  const server = values.url
    ? undefined
    : spawn(process.execPath, ['--import', 'tsx', ...(values.dist ? [] : ['--conditions=@unionml/source']), fileURLToPath(import.meta.url), '--serve'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
  const url =
    values.url ??
    (await new Promise<string>((resolve, reject) => {
      if (!server) return;
      let out = '';
      server.stdout.setEncoding('utf8');
      server.stdout.on('data', (c: string) => {
        out += c;
        const line = /^(http:\S+)\n/m.exec(out);
        if (line) resolve(line[1]!);
      });
      server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    }));
  const { hostname, port } = new URL(url);

  const run = values.client === 'http' ? httpLoop : rawLoop;
  await measure(1, connections, run); // warm-up (JIT, wasm)
  const cpuBefore = cpuSnapshot(server?.pid);
  const result = await measure(seconds, connections, run);
  const cpu = cpuUse(cpuBefore, cpuSnapshot(server?.pid));
  const sorted = Float64Array.from(result.latencies).sort();
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
  console.log(
    `${values.client} client, ${connections} connections, ${seconds} s, ${body.length}-byte body: ` +
      `${Math.round(result.count / result.elapsed)} req/s, latency ms p50 ${pct(50)} p90 ${pct(90)} p99 ${pct(99)} max ${sorted[sorted.length - 1]!.toFixed(2)}, ` +
      `non-200 ${result.failures}`,
  );
  if (cpu) {
    console.log(
      `cpu: server ${cpu.server === undefined ? '?' : `${Math.round((cpu.server * 1e6) / result.count)} µs/request (${Math.round((cpu.server / result.elapsed) * 100)}% of a core)`}, ` +
        `client ${Math.round((cpu.client / result.elapsed) * 100)}%, other processes ${Math.round((cpu.other / result.elapsed) * 100)}% of a core` +
        (cpu.other / result.elapsed > 0.1 ? ' (the machine was busy: the numbers are pessimistic)' : ''),
    );
  }
  server?.kill('SIGTERM');

  /** CPU seconds so far (Linux /proc, USER_HZ = 100): the whole machine's busy time, the server's and this process's. */
  function cpuSnapshot(pid: number | undefined): { machine: number; server: number | undefined; client: number } | undefined {
    if (!existsSync('/proc/stat')) return undefined;
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const machine = (fields.reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0)) / 100;
    let server: number | undefined;
    if (pid !== undefined && existsSync(`/proc/${pid}/stat`)) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      server = (Number(after[11]) + Number(after[12])) / 100; // utime, stime
    }
    const { user, system } = process.cpuUsage();
    return { machine, server, client: (user + system) / 1e6 };
  }

  function cpuUse(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>) {
    if (!a || !b) return undefined;
    const server = a.server === undefined || b.server === undefined ? undefined : b.server - a.server;
    const client = b.client - a.client;
    return { server, client, other: Math.max(0, b.machine - a.machine - (server ?? 0) - client) };
  }

  type Loop = (deadline: number, record: (ms: number, ok: boolean) => void) => Promise<void>;

  async function measure(duration: number, n: number, loop: Loop) {
    const latencies: number[] = [];
    let failures = 0;
    const start = performance.now();
    const deadline = start + duration * 1000;
    await Promise.all(
      Array.from({ length: n }, () =>
        loop(deadline, (ms, ok) => {
          latencies.push(ms);
          if (!ok) failures++;
        }),
      ),
    );
    return { count: latencies.length, latencies, failures, elapsed: (performance.now() - start) / 1000 };
  }

  function rawLoop(deadline: number, record: (ms: number, ok: boolean) => void): Promise<void> {
    const requestBytes = Buffer.from(
      `POST /predict HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        sentAt = performance.now();
        socket.write(requestBytes);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.toString('latin1', 0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.subarray(end + 4 + length);
        record(performance.now() - sentAt, head.startsWith('HTTP/1.1 200'));
        if (performance.now() < deadline) send();
        else {
          socket.end();
          resolve();
        }
      });
    });
  }

  function httpLoop(deadline: number, record: (ms: number, ok: boolean) => void): Promise<void> {
    const agent = (httpLoop as { agent?: Agent }).agent ?? ((httpLoop as { agent?: Agent }).agent = new Agent({ keepAlive: true, maxSockets: connections }));
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    return new Promise((resolve, reject) => {
      const next = () => {
        const sentAt = performance.now();
        const req = request({ host: hostname, port, method: 'POST', path: '/predict', agent, headers }, (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            record(performance.now() - sentAt, res.statusCode === 200);
            if (performance.now() < deadline) next();
            else resolve();
          });
        });
        req.on('error', reject);
        req.end(body);
      };
      next();
    });
  }
}
