// What the server answers below its routes, on real sockets: requests Node's parser refuses, CONNECT, upgrades,
// unmet Expect headers, timeouts, the connection cap, and bodies nested too deep.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@unionml/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as bodyModule from './body.js';
import { createServer, type PredictionServer } from './server.js';
import { predict, rawConnection, request } from './test-support/http.js';
import { trainedTinyApp } from './test-support/tiny-app.js';
import type { ServerOptions } from './options.js';

const logged: string[] = [];
const capture: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(`warning: ${m}`), error: (m) => logged.push(`error: ${m}`) };
let tiny: Awaited<ReturnType<typeof trainedTinyApp>>;
const servers: PredictionServer[] = [];

beforeAll(async () => {
  tiny = await trainedTinyApp();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  logged.length = 0;
});

async function started(options: ServerOptions = {}): Promise<string> {
  const server = createServer(tiny.model, { logger: capture, port: 0, ...options });
  servers.push(server);
  return (await server.listen()).url;
}

/** Sends raw bytes on a fresh connection; resolves with everything received once the server has closed it. */
async function raw(url: string, bytes: string | Buffer, { end = false } = {}): Promise<{ text: string; error?: Error }> {
  const conn = await rawConnection(url);
  conn.socket.write(bytes);
  if (end) conn.socket.end();
  const { error } = await conn.closed;
  return error ? { text: conn.received(), error } : { text: conn.received() };
}

/** The status, headers and parsed JSON body of one raw HTTP/1.1 response. */
function parse(text: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const end = text.indexOf('\r\n\r\n');
  expect(end, text).toBeGreaterThan(0);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  const body = text.slice(end + 4);
  expect(Buffer.byteLength(body)).toBe(Number(headers['content-length']));
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

function expectJsonError(text: string, status: number, code: string, detail: string | RegExp): Record<string, string> {
  const response = parse(text);
  expect(response.status, text).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['connection']).toBe('close');
  expect(response.body).toMatchObject({ code, hint: expect.any(String) as string });
  if (typeof detail === 'string') expect(response.body['detail']).toBe(detail);
  else expect(response.body['detail']).toMatch(detail);
  return response.headers;
}

describe('requests the parser refuses', () => {
  it.each([
    [
      'a bad header line',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      /^the request is not valid HTTP\/1\.1: invalid header token \(HPE_INVALID_HEADER_TOKEN\)$/,
    ],
    ['an unknown method', 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n', /\(HPE_INVALID_METHOD\)$/],
    ['a bad request line', 'GET /health HTTP/9.1\r\nHost: x\r\n\r\n', /invalid http version \(HPE_INVALID_VERSION\)$/],
    ['a control character in the path', 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n', /\(HPE_INVALID_URL\)$/],
    ['a bad Content-Length', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', /\(HPE_INVALID_CONTENT_LENGTH\)$/],
    [
      'Content-Length with chunked encoding',
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      /\(HPE_INVALID_TRANSFER_ENCODING\)$/,
    ],
    [
      'malformed chunked encoding',
      'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"features": []}\r\n',
      /\(HPE_INVALID_CHUNK_SIZE\)$/,
    ],
  ])('answers %s with 400 REQUEST_MALFORMED, a JSON body and Connection: close', async (_what, bytes, detail) => {
    const url = await started();
    const { text, error } = await raw(url, bytes);
    expect(error).toBeUndefined(); // a clean close, not a reset
    expectJsonError(text, 400, 'REQUEST_MALFORMED', detail);
    // The server goes on serving.
    expect((await request(url, '/health')).status).toBe(200);
    expect(logged).toEqual([]);
  });

  it('answers a chunked body that turns malformed halfway with 400, not a reset', async () => {
    const url = await started();
    const conn = await rawConnection(url);
    conn.socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"fea\r\n');
    await sleep(50); // the request is in the listener, reading its body
    conn.socket.write('not hex\r\n');
    await conn.waitFor(/\}$/);
    expectJsonError(conn.received(), 400, 'REQUEST_MALFORMED', /\(HPE_INVALID_CHUNK_SIZE\)$/);
    expect(await conn.closed).toEqual({});
  });

  it('answers a malformed request pipelined behind a slow one after the slow one, then closes', async () => {
    const slow = await trainedTinyApp({ slowMs: 300 });
    const server = createServer(slow.model, { logger: capture, port: 0 });
    servers.push(server);
    const { url } = await server.listen();
    const body = JSON.stringify({ features: [{ x: -1, x2: -2 }] });
    const { text, error } = await raw(
      url,
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}GET /health HTTP/9.1\r\n\r\n`,
    );
    expect(error).toBeUndefined();
    const split = text.indexOf('HTTP/1.1 400');
    expect(text.slice(0, split)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\[0\]$/);
    expectJsonError(text.slice(split), 400, 'REQUEST_MALFORMED', /\(HPE_INVALID_VERSION\)$/);
  });

  it('answers headers over 16 KiB with 431 REQUEST_HEADERS_TOO_LARGE', async () => {
    const url = await started();
    const { text, error } = await raw(url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(error).toBeUndefined();
    expectJsonError(text, 431, 'REQUEST_HEADERS_TOO_LARGE', "the request's headers are larger than 16384 bytes");
  });

  it('answers HTTP/2 with prior knowledge with 400', async () => {
    const url = await started();
    const { text } = await raw(url, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expectJsonError(text, 400, 'REQUEST_MALFORMED', 'the request is HTTP/2 (prior knowledge); this server speaks HTTP/1.1 only');
  });

  it('destroys a connection the client resets, silently', async () => {
    const url = await started();
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"features"');
    socket.resetAndDestroy();
    await sleep(100);
    expect((await request(url, '/health')).status).toBe(200);
    expect(logged).toEqual([]);
  });
});

describe('CONNECT, upgrades and Expect', () => {
  it('answers CONNECT with 405 and Allow', async () => {
    const url = await started();
    const { text, error } = await raw(url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(error).toBeUndefined();
    const headers = expectJsonError(text, 405, 'METHOD_NOT_ALLOWED', 'method CONNECT is not allowed: this server is not a proxy');
    expect(headers['allow']).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers a WebSocket upgrade with 400 UPGRADE_NOT_SUPPORTED', async () => {
    const url = await started();
    const { text, error } = await raw(
      url,
      'GET /predict HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(error).toBeUndefined();
    expectJsonError(text, 400, 'UPGRADE_NOT_SUPPORTED', "the request asks to upgrade the connection to 'websocket'; this server speaks HTTP/1.1 only");
  });

  it('answers Expect: bogus with 417 EXPECTATION_FAILED, and keeps 100-continue working', async () => {
    const url = await started();
    const body = JSON.stringify({ features: [{ x: 1, x2: 2 }] });
    const { text, error } = await raw(
      url,
      `POST /predict HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(error).toBeUndefined();
    expectJsonError(text, 417, 'EXPECTATION_FAILED', "the request expects 'bogus', which this server does not meet; it supports only 'Expect: 100-continue'");
    expect((await predict(url, body, { headers: { expect: '100-continue' } })).json).toEqual([0]);
  });
});

describe('timeouts', () => {
  it('answers 408 REQUEST_TIMEOUT when the headers do not arrive within headersTimeoutMs', async () => {
    const url = await started({ headersTimeoutMs: 300, requestTimeoutMs: 1000 });
    const conn = await rawConnection(url);
    const t0 = Date.now();
    conn.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    await conn.waitFor(/\}$/, 3000);
    const waited = Date.now() - t0;
    expectJsonError(
      conn.received(),
      408,
      'REQUEST_TIMEOUT',
      'the request did not arrive in time: the server waits for its headers within 300 ms and the whole request within 1 s',
    );
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1000);
    expect(await conn.closed).toEqual({});
  });

  it('answers 408 when the body does not arrive within requestTimeoutMs, and a connection that sends nothing too', async () => {
    const url = await started({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const slow = await rawConnection(url);
    slow.socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"features": ');
    const silent = await rawConnection(url);
    await slow.waitFor(/\}$/, 3000);
    expectJsonError(slow.received(), 408, 'REQUEST_TIMEOUT', /^the request did not arrive in time/);
    await silent.waitFor(/\}$/, 3000);
    expectJsonError(silent.received(), 408, 'REQUEST_TIMEOUT', /^the request did not arrive in time/);
    expect(logged).toEqual([]);
  });

  it('closes idle keep-alive connections after keepAliveTimeoutMs', async () => {
    const url = await started({ keepAliveTimeoutMs: 200 });
    const conn = await rawConnection(url);
    conn.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await conn.waitFor(/\}$/);
    expect(text).toMatch(/\r\nConnection: keep-alive\r\n/i);
    const t0 = Date.now();
    await conn.closed;
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('sets the documented defaults on the node:http server', () => {
    const server = createServer(tiny.model, { logger: capture, port: 0 });
    expect([server.server.headersTimeout, server.server.requestTimeout, server.server.keepAliveTimeout, server.server.maxConnections]).toEqual([
      10_000, 30_000, 5_000, 1024,
    ]);
  });

  it.each([
    [
      { headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
      'headersTimeoutMs (5000) must not be more than requestTimeoutMs (1000): the headers are part of the request',
    ],
    [{ keepAliveTimeoutMs: -1 }, 'keepAliveTimeoutMs must be a non-negative integer, got -1'],
    [{ maxConnections: 0 }, 'maxConnections must be a positive integer, got 0'],
    [{ maxBodyDepth: 0 }, 'maxBodyDepth must be a positive integer, got 0'],
    [{ shutdownGraceMs: 1.5 }, 'shutdownGraceMs must be a non-negative integer, got 1.5'],
  ])('refuses %j', (options, message) => {
    expect(() => createServer(tiny.model, options)).toThrow(expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID', message }));
  });
});

describe('maxConnections', () => {
  it('closes connections over the cap as soon as they are accepted, and logs it', async () => {
    const url = await started({ maxConnections: 2 });
    const first = await rawConnection(url);
    const second = await rawConnection(url);
    first.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await first.waitFor(/\}$/);
    // The third is accepted by the kernel, then closed by Node without a response.
    const third = await rawConnection(url);
    third.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');
    expect(logged).toEqual(['warning: refused 1 connection: the server holds its maximum of 2 (maxConnections)']);
    // Once one closes, a new one is served.
    second.socket.destroy();
    await second.closed;
    await sleep(20);
    expect((await request(url, '/health')).status).toBe(200);
    first.socket.destroy();
  });
});

describe('deep JSON bodies', () => {
  const nested = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

  it.each([
    ['10^4 levels', nested(10_000)],
    ['10^5 levels', nested(100_000)],
    ['10^5 levels in a cell', `{"features": [{"x": ${nested(100_000)}, "x2": 2}]}`],
    ['10^4 levels of objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['65 levels', `{"features": [{"x": ${nested(62)}, "x2": 2}]}`],
  ])('answers %s with 400 REQUEST_BODY_TOO_DEEP, before parsing, and logs nothing', async (_what, body) => {
    const url = await started();
    const res = await predict(url, body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      detail: 'the request body nests arrays and objects more than 64 levels deep',
      code: 'REQUEST_BODY_TOO_DEEP',
      hint: 'flatten the data ({"features": [{"column": value}]} is 3 levels deep), or raise the server\'s limit (maxBodyDepth, now 64)',
    });
    expect(logged).toEqual([]);
  });

  it('accepts 64 levels (then the data is checked as usual), and honours maxBodyDepth', async () => {
    const url = await started();
    const body = `{"features": [{"x": ${nested(61)}, "x2": 2}]}`;
    const res = await predict(url, body);
    expect(res.status).toBe(400);
    expect((res.json as { code: string }).code).toBe('DATA_NOT_NUMERIC');
    const strict = await started({ maxBodyDepth: 3 });
    expect((await predict(strict, { features: [{ x: 1, x2: 2 }] })).json).toEqual([0]);
    expect(((await predict(strict, { features: [{ x: [1], x2: 2 }] })).json as { code: string }).code).toBe('REQUEST_BODY_TOO_DEEP');
  });

  it('counts brackets outside strings only, and follows escapes', () => {
    const { exceedsDepth } = bodyModule;
    expect(exceedsDepth('[[["[[[[[[[[[["]]]', 3)).toBe(false);
    expect(exceedsDepth('[[["\\"[[[[[[[[[["]]]', 3)).toBe(false);
    expect(exceedsDepth('[[["\\\\"[[[[]]]]]]]', 3)).toBe(true); // the string ends at \\"
    expect(exceedsDepth('{"a": {"b": [[1]]}}', 4)).toBe(false);
    expect(exceedsDepth('{"a": {"b": [[1]]}}', 3)).toBe(true);
    expect(exceedsDepth('[' + '[],'.repeat(1000) + '[]]', 2)).toBe(false); // many brackets, shallow
    expect(exceedsDepth('"unterminated [[[[', 1)).toBe(false);
  });

  it('costs little on a 5-row digits body', () => {
    const { exceedsDepth } = bodyModule;
    const samples = readFileSync(fileURLToPath(new URL('../../../examples/digits/data/sample_features.json', import.meta.url)), 'utf8');
    const body = JSON.stringify({ features: JSON.parse(samples) as unknown }); // what the load test and the benchmark send
    expect(body.length).toBeGreaterThan(1400);
    const time = (fn: () => unknown, n: number) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      return Number(process.hrtime.bigint() - t0) / n;
    };
    const n = 20_000;
    time(() => exceedsDepth(body, 64), n); // warm-up
    time(() => JSON.parse(body), n);
    const check = time(() => exceedsDepth(body, 64), n);
    const parse = time(() => JSON.parse(body), n);
    console.log(`depth check of a ${body.length}-byte body: ${check.toFixed(0)} ns; JSON.parse: ${parse.toFixed(0)} ns`);
    expect(check).toBeLessThan(parse / 2);
  });
});
