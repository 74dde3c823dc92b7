// serveModel with several workers (node:cluster), in a child process: the workers share the port, drain on SIGTERM
// and exit with the primary, a worker that crashes is restarted, and one that cannot start fails the start-up.
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { alive, childProcesses, startChild } from './test-support/child.js';
import { predict, request } from './test-support/http.js';
import { SLOW_X } from './test-support/tiny-app.js';

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

describe('serveModel with workers', () => {
  it('serves from 2 workers; on SIGTERM they answer the requests in flight, then they and the primary exit 0', async () => {
    const child = await startChild({ WORKERS: '2', SLOW_MS: '800' });
    const agent = new Agent({ keepAlive: true });
    try {
      expect(child.stderr()).toMatch(/serving model 'tiny_model' at http:\/\/127\.0\.0\.1:\d+ with 2 workers\n/);
      const workers = childProcesses(child.pid);
      expect(workers).toHaveLength(2);

      // Five keep-alive connections (spread over both workers by the primary); then slow requests in flight on four.
      const warm = await Promise.all(Array.from({ length: 5 }, () => request(child.url, '/health', { agent })));
      expect(warm.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const sockets = Object.values(agent.freeSockets).flat() as Socket[];
      expect(sockets).toHaveLength(5);
      const closes = sockets.map((socket) => new Promise<boolean>((resolve) => socket.on('close', (hadError) => resolve(hadError))));
      const inFlight = Array.from({ length: 4 }, () =>
        predict(
          child.url,
          {
            features: [
              { x: SLOW_X, x2: -2 },
              { x: 99, x2: 198 },
            ],
          },
          { agent },
        ),
      );
      await sleep(300);
      child.kill('SIGTERM');

      for (const res of await Promise.all(inFlight)) {
        expect(res.status).toBe(200);
        expect(res.json).toEqual([0, 1]);
        expect(res.headers['connection']).toBe('close');
      }
      expect(await Promise.all(closes)).toEqual([false, false, false, false, false]); // all closed cleanly, none reset
      expect(await child.exit).toEqual({ code: 0, signal: null });
      expect(child.stderr()).toContain('[unionml] received SIGTERM: stopping 2 workers after their requests in flight');
      expect(child.stderr().match(/\[child\] closed \(worker \d\)/g)).toHaveLength(2);
      expect(child.stderr()).toMatch(/\[child\] closed\n$/);
      // No orphans.
      await until(() => workers.every((pid) => !alive(pid)), 5000);
    } finally {
      agent.destroy();
      child.kill('SIGKILL');
    }
  });

  it('restarts a worker that crashes, and keeps serving', async () => {
    const child = await startChild({ WORKERS: '2' });
    try {
      const [first] = childProcesses(child.pid);
      process.kill(first!, 'SIGKILL');
      await until(() => /worker \d \(pid \d+\) serving again/.test(child.stderr()));
      expect(child.stderr()).toMatch(
        new RegExp(`worker \\d \\(pid ${first}\\) exited with signal SIGKILL; restarting it in 100 ms \\(restart 1 of at most 5 a minute\\)`),
      );
      expect(childProcesses(child.pid)).toHaveLength(2);
      for (let i = 0; i < 4; i++) expect((await request(child.url, '/health')).status).toBe(200);
      child.kill('SIGTERM');
      expect(await child.exit).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails the start-up when a worker cannot start: the others are stopped, the primary exits 1', async () => {
    const child = await startChild({ WORKERS: '2', BAD_MODEL: '1' }, { allowExit: true });
    const { code } = await child.exit;
    expect(code).toBe(1);
    expect(child.stderr()).toMatch(/SERVER_WORKER_FAILED|worker \d of 2 failed to start: model file not found: \S+\.missing/);
    expect(child.stderr()).not.toContain('serving model');
    expect(childProcesses(child.pid)).toEqual([]);
  });
});
