import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { model } from './test-support/apps/tiny.js';

const bin = fileURLToPath(new URL('../bin/unionml-server.js', import.meta.url));
const apps = fileURLToPath(new URL('./test-support/apps/', import.meta.url));

/** Starts the bin as a container would (env only); resolves once it serves, or when it exits. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin], { cwd: apps, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const serving = new Promise<string | undefined>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /serving model '[^']+' at (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    void exited.then(() => resolve(undefined));
  });
  return { child, exited, serving, stderr: () => stderr };
}

describe('unionml-server', () => {
  it('serves UNIONML_APP with UNIONML_MODEL_PATH on HOST:PORT and exits 0 on SIGTERM', async () => {
    await model.train();
    const modelPath = await model.save(join(mkdtempSync(join(tmpdir(), 'unionml-server-app-')), 'model.json'));
    const server = start({ UNIONML_APP: 'tiny:model', UNIONML_MODEL_PATH: modelPath, HOST: '127.0.0.1', PORT: '0' });
    const url = await server.serving;
    expect(url, server.stderr()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        features: [
          { x: 3, x2: 6 },
          { x: 90, x2: 180 },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([0, 1]);
    const bad = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ features: [{ x: 'three', x2: 6 }] }),
    });
    expect(bad.status).toBe(400);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('serves from UNIONML_WORKERS=2 processes with UNIONML_ALLOW_READER_INPUTS=1, and exits 0 with them on SIGTERM', async () => {
    await model.train();
    const modelPath = await model.save(join(mkdtempSync(join(tmpdir(), 'unionml-server-app-')), 'model.json'));
    const server = start({
      UNIONML_APP: 'tiny:model',
      UNIONML_MODEL_PATH: modelPath,
      HOST: '127.0.0.1',
      PORT: '0',
      UNIONML_WORKERS: '2',
      UNIONML_ALLOW_READER_INPUTS: '1',
      UNIONML_SHUTDOWN_GRACE: '5',
    });
    const url = await server.serving;
    expect(url, server.stderr()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stderr()).toMatch(/with 2 workers/);
    const workers = childPids(server.child.pid!);
    expect(workers).toHaveLength(2);
    const response = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: {} }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as number[]).length).toBe(100);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(workers.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  }, 60_000);

  it('says what is wrong with its configuration, without a stack, and exits 1', async () => {
    const noModel = start({ UNIONML_APP: 'tiny:model', PORT: '0' });
    expect(await noModel.exited).toBe(1);
    expect(noModel.stderr()).toContain('model artifact path not specified');
    expect(noModel.stderr()).not.toMatch(/\n\s+at /);

    const badPort = start({ UNIONML_APP: 'tiny:model', PORT: 'eighty' });
    expect(await badPort.exited).toBe(1);
    expect(badPort.stderr()).toContain("PORT must be an integer from 0 to 65535, got 'eighty'");

    const badWorkers = start({ UNIONML_APP: 'tiny:model', PORT: '0', UNIONML_WORKERS: 'many' });
    expect(await badWorkers.exited).toBe(1);
    expect(badWorkers.stderr()).toContain("UNIONML_WORKERS must be a positive integer or auto, got 'many'");

    const badGrace = start({ UNIONML_APP: 'tiny:model', PORT: '0', UNIONML_SHUTDOWN_GRACE: '10s' });
    expect(await badGrace.exited).toBe(1);
    expect(badGrace.stderr()).toContain("UNIONML_SHUTDOWN_GRACE must be a number of seconds from 0 to 86400, got '10s'");

    const noApp = start({ UNIONML_APP: 'nope:model', PORT: '0' });
    expect(await noApp.exited).toBe(1);
    expect(noApp.stderr()).toContain("cannot find the app module 'nope'");
  }, 60_000);
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
        return Number(fields[1]) === pid && fields[0] !== 'Z' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('unionml-server.js');
      } catch {
        return false;
      }
    })
    .map(Number);
}
