// wrk's report and request script, shared by the benchmarks that load a server with wrk (bench.ts, serve-bench.ts).
import { writeFileSync } from 'node:fs';

/** What a wrk run with --latency reports. */
export interface WrkReport {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  /** connect + read + write + timeout */
  socketErrors: number;
}

/** A wrk duration (`812.00us`, `1.20ms`, `2.01s`) in milliseconds; NaN when it is not one. */
export function parseDuration(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** Parses wrk's standard output (run with --latency for the percentiles). */
export function parseWrkReport(out: string): WrkReport {
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50Ms: parseDuration(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99Ms: parseDuration(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((s, x) => s + Number(x), 0) : 0,
  };
}

/** Writes a wrk script (`-s`) that POSTs the JSON in `bodyFile`. */
export function writePostScript(scriptFile: string, bodyFile: string): void {
  writeFileSync(
    scriptFile,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open(${JSON.stringify(bodyFile)}, "r")\nwrk.body = f:read("*a")\nf:close()\n`,
  );
}
