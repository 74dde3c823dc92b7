// What the Flyte lab's acceptance suites share: the lab's endpoints and config (tools/flyte-lab/up.sh writes them),
// Flyte's own clients (flytectl v0.9.8 built by the lab; flytekit 1.16 in the judges' venv) run as a user runs them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot, runAsync, type RunResult } from '../support.js';

export const lab = join(repoRoot, 'tools', 'flyte-lab');
export const labState = process.env['FLYTE_LAB_STATE'] ?? join(lab, '.state');
/** The client config up.sh writes, as `flytectl demo start` writes ~/.flyte/config-sandbox.yaml. */
export const flyteConfig = process.env['FLYTE_LAB_CONFIG'] ?? join(labState, 'config.yaml');
export const adminHttp = `http://127.0.0.1:${process.env['FLYTE_LAB_ADMIN_PORT'] ?? '30080'}`;
export const domain = 'development';
const python = join(repoRoot, 'tools', 'flytekit-check', '.venv', 'bin', 'python');
const remoteScript = join(repoRoot, 'e2e', 'fixtures', 'lab', 'remote.py');

/** Fails with what to do when the lab is not up. */
export async function expectLabUp(): Promise<void> {
  const health = await fetch(`${adminHttp}/healthcheck`).then(
    (r) => (r.ok ? 'ok' : `HTTP ${r.status}`),
    (error: unknown) => String(error),
  );
  expect(health, `the Flyte lab is not up at ${adminHttp}: run npx nx run flyte-lab:up`).toBe('ok');
  expect(existsSync(flyteConfig), `${flyteConfig} is missing: run npx nx run flyte-lab:up`).toBe(true);
}

/** flytectl with the lab's config, as FLYTECTL_CONFIG points a user's flytectl at the demo cluster. */
export function flytectl(args: string[], options: { cwd: string; timeoutMs?: number } = { cwd: repoRoot }): Promise<RunResult> {
  return runAsync(join(lab, 'bin', 'flytectl'), args, { cwd: options.cwd, env: { FLYTECTL_CONFIG: flyteConfig }, timeoutMs: options.timeoutMs ?? 120_000 });
}

/** flytectl, expecting exit 0; returns stdout. */
export async function flytectlOk(args: string[], options?: { cwd: string; timeoutMs?: number }): Promise<string> {
  const result = await flytectl(args, options);
  expect(result.status, `flytectl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** flytectl ... -o json, parsed. */
export async function flytectlJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await flytectlOk([...args, '-o', 'json'])) as T;
}

/** e2e/fixtures/lab/remote.py (FlyteRemote, flytekit 1.16), which prints one JSON object. */
export async function flytekitRemote<T>(args: string[], timeoutMs = 600_000): Promise<{ status: number | null; json: T; stderr: string }> {
  const result = await runAsync(python, [remoteScript, '--config', flyteConfig, ...args], { cwd: repoRoot, timeoutMs });
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`remote.py ${args.join(' ')} exited ${result.status} without JSON\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return { status: result.status, json, stderr: result.stderr };
}

/** An execution as `flytectl get execution -o json` prints it (the parts the tests read). */
export interface ExecutionJson {
  id: { project: string; domain: string; name: string };
  spec?: { launchPlan?: { name: string; version: string }; metadata?: { mode?: string | number; scheduledAt?: string } };
  closure: { phase: string | number; error?: { code?: string; message?: string }; outputs?: unknown; createdAt?: string };
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT', 4, 6, 7, 9]);

/** Polls `flytectl get execution` until the execution is terminal (or the timeout passes). */
export async function waitForExecution(project: string, name: string, timeoutMs = 600_000): Promise<ExecutionJson> {
  const deadline = Date.now() + timeoutMs;
  let last: ExecutionJson | undefined;
  while (Date.now() < deadline) {
    last = await flytectlJson<ExecutionJson>(['get', 'execution', '-p', project, '-d', domain, name]);
    if (TERMINAL.has(last.closure.phase)) return last;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`execution ${name} not finished after ${timeoutMs} ms: ${JSON.stringify(last?.closure)}\n${podRunnerTail()}`);
}

/** The end of the lab's propeller and pod runner logs, for failure messages. */
export function podRunnerTail(): string {
  return ['flytepropeller', 'flyte-lab-kubelet', 'flyte-lab-admin']
    .map((name) => {
      const file = join(labState, 'logs', `${name}.log`);
      return existsSync(file) ? `--- ${name}.log\n${readFileSync(file, 'utf8').split('\n').slice(-40).join('\n')}` : '';
    })
    .join('\n');
}
