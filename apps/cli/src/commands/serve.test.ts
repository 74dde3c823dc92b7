import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeUnionml, startFake } from '../test-support/fake-cli.js';
import { start, tempDir, unionml } from '../test-support/run.js';

let modelPath: string;

beforeAll(async () => {
  modelPath = join(tempDir(), 'model.json');
  const trained = await unionml(['train', 'tiny:model', '--local', '-o', modelPath]);
  expect(trained.code, trained.stderr).toBe(0);
});

/** Starts `unionml serve` on a free port and resolves once it logs its URL. */
async function serve(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; output: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const child = start(['serve', 'tiny:model', '--port', '0', ...args], { env });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving model 'tiny_classifier' at (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exit.then(({ code }) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  return { child, url, exit, output: () => `${stdout}${stderr}` };
}

describe('unionml serve', () => {
  it.each([['SIGTERM'], ['SIGINT']] as const)('serves /health and /predict, and exits 0 on %s', async (signal) => {
    const server = await serve(['--model-path', modelPath, '--host', '127.0.0.1']);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      const predicted = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          features: [
            { x: 1, x2: 2 },
            { x: 99, x2: 198 },
          ],
        }),
      });
      expect(predicted.status).toBe(200);
      expect(await predicted.json()).toEqual([0, 1]);
      const bad = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: [{ x: 1 }] }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'DATA_COLUMNS_MISSING' });
    } finally {
      server.child.kill(signal);
    }
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/\n\s+at /);
  });

  it('takes the model file from UNIONML_MODEL_PATH without --model-path', async () => {
    const server = await serve([], { UNIONML_MODEL_PATH: modelPath });
    server.child.kill('SIGTERM');
    expect(await server.exit).toEqual({ code: 0, signal: null });
  });

  it('explains a missing model path, a missing model file and a busy port (exit 1, no stack)', async () => {
    const env = { UNIONML_MODEL_PATH: '' };
    const unset = await unionml(['serve', 'tiny:model', '--port', '0'], { env });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('error: model artifact path not specified');
    expect(unset.stderr).toContain('  hint: ');

    const missing = join(tempDir(), 'none.json');
    const notFound = await unionml(['serve', 'tiny:model', '--port', '0', '--model-path', missing], { env });
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain(`error: model file not found: ${missing}`);

    const server = await serve(['--model-path', modelPath]);
    try {
      const port = new URL(server.url).port;
      const busy = await unionml(['serve', 'tiny:model', '--port', port, '--model-path', modelPath]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/^error: .*\b(in use|EADDRINUSE)\b/m);
      for (const result of [unset, notFound, busy]) expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      server.child.kill('SIGTERM');
      await server.exit;
    }
  });
});

describe('unionml serve: hardening options', () => {
  it('takes {"inputs": ...} only with --allow-reader-inputs', async () => {
    const strict = await serve(['--model-path', modelPath]);
    const open = await serve(['--model-path', modelPath, '--allow-reader-inputs']);
    try {
      const post = (url: string) =>
        fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { n: 10 } }) });
      const refused = await post(strict.url);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'READER_INPUTS_DISABLED' });
      const allowed = await post(open.url);
      expect(allowed.status).toBe(200);
      expect(((await allowed.json()) as number[]).length).toBe(10);
      const ready = await fetch(`${open.url}/ready`);
      expect(await ready.json()).toMatchObject({ ready: true, model: 'tiny_classifier' });
    } finally {
      strict.child.kill('SIGTERM');
      open.child.kill('SIGTERM');
    }
    expect(await strict.exit).toEqual({ code: 0, signal: null });
    expect(await open.exit).toEqual({ code: 0, signal: null });
  });

  it('serves from --workers 2 processes, and exits 0 with them on SIGTERM', async () => {
    const server = await serve(['--model-path', modelPath, '--workers', '2', '--shutdown-grace', '5']);
    const workers = () => childPids(server.child.pid!);
    try {
      expect(server.output()).toMatch(/serving model 'tiny_classifier' at http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
      const pids = workers();
      expect(pids).toHaveLength(2);
      for (let i = 0; i < 4; i++) {
        const predicted = await fetch(`${server.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ features: [{ x: 99, x2: 198 }] }),
        });
        expect(await predicted.json()).toEqual([1]);
      }
      server.child.kill('SIGTERM');
      expect(await server.exit).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('received SIGTERM: stopping 2 workers after their requests in flight');
      expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it.each([
    [['--workers', '0'], "--workers must be a positive integer or auto, got '0'"],
    [['--shutdown-grace', '1e3'], "--shutdown-grace must be a number of seconds from 0 to 86400, got '1e3'"],
    [['--request-timeout', 'soon'], "--request-timeout must be a number of seconds from 0 to 86400, got 'soon'"],
    [['--max-connections', '0'], "--max-connections must be a positive integer, got '0'"],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const result = await unionml(['serve', 'tiny:model', '--port', '0', '--model-path', modelPath, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${message}`);
  });
});

/** The live worker processes whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // Workers run the same bin (not tsx's helper processes, such as esbuild's service).
        return Number(fields[1]) === pid && fields[0] !== 'Z' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('unionml.js');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('unionml serve --remote', () => {
  it('fetches the model file of the model version into a temporary folder, serves it, and removes the folder when it stops', async () => {
    const { child, calls } = startFake(['serve', 'tiny:model', '--remote', '-m', 'm7', '-v', 'v2', '--port', '0'], { modelFile: modelPath });
    let stderr = '';
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 30_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /serving model 'tiny_classifier' at (http:\/\/\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exit.then(({ code }) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
    });
    try {
      expect(stderr).toContain("[unionml] fetched model version m7 of model 'tiny_classifier' from flytesnacks/development");
      const predicted = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: [{ x: 99, x2: 198 }] }),
      });
      expect(await predicted.json()).toEqual([1]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toEqual({ code: 0, signal: null });
    const fetchCall = calls().find((c) => c.method === 'fetchModel')!;
    const [version, options] = fetchCall.args as [string, { appVersion: string; output: string }];
    expect([version, options.appVersion]).toEqual(['m7', 'v2']);
    expect(options.output).toMatch(/unionml-serve-remote-[^/]+\/model\.json$/);
    expect(existsSync(dirname(options.output))).toBe(false);
  });

  it('a failed fetch is its coded error, and leaves no temporary folder', async () => {
    const result = await fakeUnionml(['serve', 'tiny:model', '--remote'], {
      fail: { method: 'fetchModel', code: 'REMOTE_NO_MODEL_VERSION', message: "model 'tiny_classifier' has no successful training", hint: 'train one first' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: model 'tiny_classifier' has no successful training\n  hint: train one first");
    const [, options] = result.calls.find((c) => c.method === 'fetchModel')!.args as [string, { output: string }];
    expect(existsSync(dirname(options.output))).toBe(false);
  });
});
