import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@unionml/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from './server.js';
import { predict, rawConnection, request } from './test-support/http.js';
import { SLOW_X, trainedTinyApp } from './test-support/tiny-app.js';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
let tiny: Awaited<ReturnType<typeof trainedTinyApp>>;

beforeAll(async () => {
  tiny = await trainedTinyApp({ slowMs: 300 });
});
const features = (xs: number[]) => xs.map((x) => ({ x, x2: 2 * x }));

async function started(options: { maxBodyBytes?: number } = {}): Promise<{ server: PredictionServer; url: string }> {
  const server = createServer(tiny.model, { logger: silent, port: 0, ...options });
  const { url } = await server.listen();
  return { server, url };
}

describe('body size limit', () => {
  it('answers 413 from Content-Length before reading the body, and closes the connection', async () => {
    const { server, url } = await started({ maxBodyBytes: 1000 });
    try {
      const conn = await rawConnection(url);
      conn.socket.write('POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n');
      const text = await conn.waitFor(/\r\n\r\n[\s\S]*\}$/);
      expect(text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
      expect(text).toMatch(/\r\nConnection: close\r\n/i);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
      expect(body).toEqual({
        detail: 'the request body is too large: 5000000 bytes, the limit is 1000 bytes',
        code: 'REQUEST_TOO_LARGE',
        hint: 'send fewer rows per request, or raise the server limit (maxBodyBytes)',
      });
      await conn.closed;
      // The server goes on serving.
      expect((await predict(url, { features: features([1]) })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 413 when a chunked body grows past the limit, stops reading and closes', async () => {
    const { server, url } = await started({ maxBodyBytes: 20_000 });
    try {
      const conn = await rawConnection(url);
      conn.socket.write('POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `{"features": [${'{"x": 1, "x2": 2},'.repeat(500)}`; // ~9 KB
      let sent = 0;
      for (let i = 0; i < 200 && !/^HTTP\/1\.1 413/.test(conn.received()) && !conn.socket.destroyed; i++) {
        conn.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        sent += chunk.length;
        await sleep(5);
      }
      const text = await conn.waitFor(/^HTTP\/1\.1 413[\s\S]*\}$/);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
        code: 'REQUEST_TOO_LARGE',
        detail: 'the request body is too large: more than 20000 bytes, the limit is 20000 bytes',
      });
      expect(text).toMatch(/\r\nConnection: close\r\n/i);
      expect(sent).toBeLessThan(200 * chunk.length); // it answered before the client was done
      await conn.closed;
      expect((await predict(url, { features: features([99]) })).json).toEqual([1]);
    } finally {
      await server.close();
    }
  });

  it('lets a client that sends a whole body over the limit read the 413 (a lingering close, not a reset)', async () => {
    const { server, url } = await started({ maxBodyBytes: 1000 });
    try {
      const body = JSON.stringify({ features: features(Array.from({ length: 1_000_000 }, (_, i) => i)) }); // ~28 MB: more than the socket buffers hold
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(response.status).toBe(413);
        expect(((await response.json()) as { code: string }).code).toBe('REQUEST_TOO_LARGE');
      }
      expect((await predict(url, { features: features([99]) })).json).toEqual([1]);
    } finally {
      await server.close();
    }
  });

  it('closes a connection that lingers after a 413 when the client goes quiet, and close() waits for it', async () => {
    const { server, url } = await started({ maxBodyBytes: 1000 });
    const conn = await rawConnection(url);
    // A declared 10 MB body of which 2 KB arrive, then nothing: the 413 is sent at once, the connection lingers.
    conn.socket.write(`POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n${'x'.repeat(2048)}`);
    await conn.waitFor(/HTTP\/1\.1 413/);
    const t0 = Date.now();
    await server.close(); // resolves once the lingering connection is closed: after LINGER_IDLE_MS of silence
    const waited = Date.now() - t0;
    expect(await conn.closed).toEqual({});
    expect(waited).toBeLessThan(5000);
  });

  it('answers 413 to Expect: 100-continue without asking for the body, and 100 Continue otherwise', async () => {
    const { server, url } = await started({ maxBodyBytes: 1000 });
    try {
      const big = await rawConnection(url);
      big.socket.write('POST /predict HTTP/1.1\r\nHost: test\r\nContent-Length: 4000\r\nExpect: 100-continue\r\n\r\n');
      const text = await big.waitFor(/\}$/);
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text).not.toContain('100 Continue');
      big.socket.destroy();

      const small = await rawConnection(url);
      const body = JSON.stringify({ features: features([99]) });
      small.socket.write(`POST /predict HTTP/1.1\r\nHost: test\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
      await small.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      small.socket.write(body);
      const answer = await small.waitFor(/\r\n\r\n\[1\]$/);
      expect(answer).toMatch(/HTTP\/1\.1 200 OK\r\n/);
      small.socket.destroy();
    } finally {
      await server.close();
    }
  });
});

describe('connections', () => {
  it('keeps connections alive across requests', async () => {
    const { server, url } = await started();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const res = await predict(url, { features: features([i]) }, { agent });
        expect(res.status).toBe(200);
        expect(res.headers['connection']).toBe('keep-alive');
      }
      agent.on('free', (socket: Socket) => ports.add(socket.localPort ?? 0));
      await request(url, '/health', { agent });
      await request(url, '/health', { agent });
      expect(ports.size).toBe(1);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('closes gracefully: refuses new connections, finishes the request in flight, then resolves', async () => {
    const { server, url } = await started();
    const inFlight = predict(url, { features: features([SLOW_X, 99]) });
    await sleep(100); // the request is in the predictor now
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    expect(server.server.listening).toBe(false);
    await expect(request(url, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json).toEqual([0, 1]);
    expect(res.headers['connection']).toBe('close');
    await closing;
    expect(closed).toBe(true);
  });

  it('closes idle keep-alive connections at once, cleanly', async () => {
    const { server, url } = await started();
    const agent = new Agent({ keepAlive: true });
    const res = await request(url, '/health', { agent });
    expect(res.headers['connection']).toBe('keep-alive');
    const sockets = Object.values(agent.freeSockets).flat() as Socket[];
    expect(sockets).toHaveLength(1);
    const socketClosed = new Promise<{ hadError: boolean }>((resolve) => sockets[0]!.on('close', (hadError) => resolve({ hadError })));
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(1000); // not the 5 s keep-alive timeout
    expect(await socketClosed).toEqual({ hadError: false });
    agent.destroy();
  });

  it('lets a keep-alive client see a clean close after its in-flight request', async () => {
    const { server, url } = await started();
    const conn = await rawConnection(url);
    const body = JSON.stringify({ features: features([SLOW_X]) });
    conn.socket.write(
      `POST /predict HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await sleep(100);
    const closing = server.close();
    const text = await conn.waitFor(/\r\n\r\n\[0\]$/);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(await conn.closed).toEqual({}); // ended, not reset
    await closing;
  });
});

describe('listen and close', () => {
  it('reports the chosen port, and returns the same result when called again', async () => {
    const server = createServer(tiny.model, { logger: silent, port: 0, host: '127.0.0.1' });
    const first = await server.listen();
    expect(first).toEqual({ url: `http://127.0.0.1:${first.port}`, host: '127.0.0.1', port: first.port });
    expect(first.port).toBeGreaterThan(0);
    expect(await server.listen()).toEqual(first);
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    await expect(server.listen()).rejects.toMatchObject({ code: 'SERVER_LISTEN_FAILED' });
  });

  it('rejects a port in use with SERVER_PORT_IN_USE', async () => {
    const { server, url } = await started();
    const port = Number(new URL(url).port);
    const other = createServer(tiny.model, { logger: silent, port });
    try {
      await expect(other.listen()).rejects.toMatchObject({
        code: 'SERVER_PORT_IN_USE',
        message: `cannot listen on 127.0.0.1:${port}: the port is in use`,
        hint: 'pass another port (--port), or stop the process that uses it',
      });
    } finally {
      await other.close();
      await server.close();
    }
  });

  it('can be closed before it listens; then it cannot listen', async () => {
    const server = createServer(tiny.model, { logger: silent, port: 0 });
    await server.close();
    await expect(server.listen()).rejects.toMatchObject({ code: 'SERVER_LISTEN_FAILED', message: 'cannot listen: the server is closed' });
  });

  it.each([
    [{ port: 70000 }, 'the port must be an integer from 0 to 65535, got 70000'],
    [{ port: 1.5 }, 'the port must be an integer from 0 to 65535, got 1.5'],
    [{ host: '' }, 'the host must be a host name or address, got ""'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes must be a positive integer, got -1'],
  ])('rejects bad options %j', (options, message) => {
    expect(() => createServer(tiny.model, options)).toThrow(expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID', message }));
  });
});
