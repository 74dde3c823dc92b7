// The graceful shutdown on real sockets: requests in flight, pipelined behind one, or arriving on an open keep-alive
// connection during the drain are answered (the last response on each connection says Connection: close); idle
// connections close cleanly; 32 connections hammering the server see no reset; the grace period is honoured.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@unionml/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from './server.js';
import { rawConnection, request } from './test-support/http.js';
import { SLOW_X, trainedTinyApp } from './test-support/tiny-app.js';
import type { ServerOptions } from './options.js';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
let tiny: Awaited<ReturnType<typeof trainedTinyApp>>;

beforeAll(async () => {
  tiny = await trainedTinyApp({ slowMs: 300 });
});

async function started(options: ServerOptions = {}): Promise<{ server: PredictionServer; url: string }> {
  const server = createServer(tiny.model, { logger: silent, port: 0, ...options });
  const { url } = await server.listen();
  return { server, url };
}

const body = (xs: number[]) => JSON.stringify({ features: xs.map((x) => ({ x, x2: 2 * x })) });
const post = (xs: number[]) => {
  const text = body(xs);
  return `POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
};

interface Response {
  status: number;
  connection: string | undefined;
  body: string;
}

/** Splits a stream of HTTP/1.1 responses (each with a Content-Length) into responses; returns the complete ones. */
function responses(text: string): Response[] {
  const out: Response[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return out;
    const head = rest.slice(0, end);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (rest.length < end + 4 + length) return out;
    out.push({
      status: Number(head.slice(9, 12)),
      connection: /\r\nconnection: ([^\r]+)/i.exec(head)?.[1]?.toLowerCase(),
      body: rest.slice(end + 4, end + 4 + length),
    });
    rest = rest.slice(end + 4 + length);
  }
}

describe('close()', () => {
  it('answers requests pipelined behind one in flight; the last response decided after close() says Connection: close', async () => {
    const { server, url } = await started();
    // Two slow requests pipelined: both are answered after close() begins; only the second says close.
    const slow = await rawConnection(url);
    slow.socket.write(post([SLOW_X]) + post([SLOW_X, 99]));
    // A slow request with two quick ones behind it, answered (and queued, with keep-alive) before close() begins.
    const mixed = await rawConnection(url);
    mixed.socket.write(post([SLOW_X]) + post([99]) + 'GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    await sleep(100); // the slow ones are in the predictor; the others wait behind them
    const closing = server.close();
    expect(await slow.closed).toEqual({}); // ended, not reset
    expect(responses(slow.received()).map((r) => [r.status, r.body, r.connection])).toEqual([
      [200, '[0]', 'keep-alive'],
      [200, '[0,1]', 'close'],
    ]);
    expect(await mixed.closed).toEqual({});
    expect(responses(mixed.received()).map((r) => [r.status, r.body.slice(0, 40), r.connection])).toEqual([
      [200, '[0]', 'keep-alive'],
      [200, '[1]', 'keep-alive'],
      [200, '{"message":"OK","status":200,"model":"ti', 'keep-alive'], // then the server closed the idle connection
    ]);
    await closing;
  });

  it('answers a request that arrives on an open keep-alive connection during the drain, with Connection: close', async () => {
    const { server, url } = await started();
    const busy = await rawConnection(url);
    busy.socket.write(post([SLOW_X]));
    const idle = await rawConnection(url);
    idle.socket.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    await idle.waitFor(/\}$/);
    await sleep(50);
    const t0 = Date.now();
    const closing = server.close();
    // The idle connection is closed at once, cleanly...
    expect(await idle.closed).toEqual({});
    expect(Date.now() - t0).toBeLessThan(200);
    // ...the busy one takes another request during the drain, and /ready says the server is going.
    busy.socket.write('GET /ready HTTP/1.1\r\nHost: test\r\n\r\n' + post([99]));
    expect(await busy.closed).toEqual({});
    const answers = responses(busy.received());
    expect(answers.map((r) => [r.status, r.connection])).toEqual([
      [200, 'keep-alive'],
      [503, 'keep-alive'],
      [200, 'close'],
    ]);
    expect(JSON.parse(answers[1]!.body)).toMatchObject({ code: 'SERVER_SHUTTING_DOWN' });
    expect(answers[2]!.body).toBe('[1]');
    await closing;
    // New connections are refused.
    await expect(request(url, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes by force after shutdownGraceMs', async () => {
    const slow = await trainedTinyApp({ slowMs: 5000 });
    const server = createServer(slow.model, { logger: silent, port: 0, shutdownGraceMs: 300 });
    const { url } = await server.listen();
    const conn = await rawConnection(url);
    conn.socket.write(post([SLOW_X]));
    await sleep(100);
    const t0 = Date.now();
    await server.close();
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2000);
    await conn.closed;
    expect(conn.received()).toBe('');
  });

  it('closeNow() closes every connection at once', async () => {
    const { server, url } = await started();
    const conn = await rawConnection(url);
    conn.socket.write(post([SLOW_X]));
    await sleep(50);
    void server.close();
    const t0 = Date.now();
    await server.closeNow();
    expect(Date.now() - t0).toBeLessThan(200);
    await conn.closed;
  });

  it('answers every request sent before close() began while 32 keep-alive connections hammer the server: no reset, no error', async () => {
    const quick = await trainedTinyApp({ slowMs: 50 });
    const server = createServer(quick.model, { logger: silent, port: 0 });
    const { url } = await server.listen();
    const { hostname, port } = new URL(url);
    let closeBegan = false;
    const stats = { sent: 0, answered: 0, answeredAfterClose: 0, closeResponses: 0, keepAliveAfterClose: 0, failedBeforeClose: 0, errors: [] as string[] };

    const hammer = (i: number) =>
      new Promise<void>((resolve) => {
        const socket: Socket = connect({ host: hostname, port: Number(port), noDelay: true });
        let buffer = '';
        let pending: { sentBeforeClose: boolean } | undefined;
        let n = 0;
        let done = false;
        const send = () => {
          // Every 16th request is slow (50 ms), so that some are in flight when close() begins.
          const bytes = post(n++ % 16 === i % 16 ? [SLOW_X, 1] : [1, 99]);
          const before = !closeBegan;
          socket.write(bytes);
          // Fully sent: written to the kernel at once (nothing left in Node's buffer) before close() began.
          pending = { sentBeforeClose: before && socket.writableLength === 0 };
          stats.sent++;
        };
        socket.setEncoding('utf8');
        socket.on('connect', send);
        socket.on('data', (chunk: string) => {
          buffer += chunk;
          const got = responses(buffer);
          if (got.length === 0) return;
          expect(got).toHaveLength(1); // one request at a time
          const [response] = got as [Response];
          buffer = '';
          expect(response.status).toBe(200);
          stats.answered++;
          pending = undefined;
          if (closeBegan) {
            stats.answeredAfterClose++;
            if (response.connection !== 'close') stats.keepAliveAfterClose++;
          }
          if (response.connection === 'close') {
            stats.closeResponses++;
            done = true;
            socket.end();
          } else {
            send();
          }
        });
        socket.on('error', (error: NodeJS.ErrnoException) => {
          if (pending?.sentBeforeClose) stats.errors.push(`connection ${i}: ${error.code ?? error.message}`);
        });
        socket.on('close', () => {
          if (pending?.sentBeforeClose && !done) stats.failedBeforeClose++;
          resolve();
        });
      });

    const all = Promise.all(Array.from({ length: 32 }, (_, i) => hammer(i)));
    await sleep(700);
    closeBegan = true;
    const t0 = Date.now();
    await server.close();
    const drained = Date.now() - t0;
    await all;
    console.log(
      `hammer: ${stats.sent} requests sent, ${stats.answered} answered (${stats.answeredAfterClose} after close() began, ` +
        `${stats.closeResponses} with Connection: close), drained in ${drained} ms`,
    );
    expect(stats.errors).toEqual([]);
    expect(stats.failedBeforeClose).toBe(0);
    expect(stats.closeResponses).toBeGreaterThan(0);
    expect(stats.answered).toBeGreaterThan(100);
    expect(drained).toBeLessThan(2000);
  });
});
