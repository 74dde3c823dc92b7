// GET /health (liveness, with what identifies the model served) and GET /ready (readiness).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@unionml/core';
import { describe, expect, it } from 'vitest';
import { createServer } from './server.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { rawConnection, request } from './test-support/http.js';
import { makeTinyApp, trainedTinyApp } from './test-support/tiny-app.js';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

describe('GET /health', () => {
  it('names the model, and when and from where its artifact was saved and loaded, when known', async () => {
    const { model: trained } = await trainedTinyApp();
    const file = await trained.save(join(mkdtempSync(join(tmpdir(), 'unionml-status-')), 'model.json'));
    const { model } = makeTinyApp();
    await model.load(file);
    const server = createServer(model, { logger: silent, port: 0 });
    const { url } = await server.listen();
    try {
      const loaded = await request(url, '/health');
      expect(loaded.status).toBe(200);
      expect(loaded.json).toMatchObject({ message: 'OK', status: 200, model: 'tiny_model', savedAt: model.artifact!.savedAt });
      expect(loaded.text).toMatch(/^\{"message":"OK","status":200,"model":"tiny_model",/);

      // The fields core's artifact carries (the envelope's hash, where and when it was loaded) are shown; the body is
      // computed again when the artifact changes.
      model.artifact = {
        ...model.artifact!,
        contentHash: 'sha256:0123abcd',
        loadedFrom: { path: file, at: '2026-01-02T03:04:05.000Z' },
      };
      const health = await request(url, '/health');
      expect(health.json).toEqual({
        message: 'OK',
        status: 200,
        model: 'tiny_model',
        savedAt: model.artifact.savedAt,
        contentHash: 'sha256:0123abcd',
        loadedAt: '2026-01-02T03:04:05.000Z',
        path: file,
      });
      const ready = await request(url, '/ready');
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({
        ready: true,
        model: 'tiny_model',
        savedAt: model.artifact.savedAt,
        contentHash: 'sha256:0123abcd',
        loadedAt: '2026-01-02T03:04:05.000Z',
        path: file,
      });
    } finally {
      await server.close();
    }
  });
});

describe('GET /ready', () => {
  it('is 200 with a model, 503 MODEL_NOT_TRAINED without one, and answers HEAD; other methods get 405', async () => {
    const { model } = makeTinyApp();
    const server = createServer(model, { logger: silent, port: 0 });
    const { url } = await server.listen();
    try {
      const missing = await request(url, '/ready');
      expect(missing.status).toBe(503);
      expect(missing.headers['content-type']).toBe('application/json');
      expect(missing.json).toEqual({
        detail: "model 'tiny_model' has no trained model object, so it cannot serve predictions",
        code: 'MODEL_NOT_TRAINED',
        hint: expect.any(String) as string,
      });
      await model.train();
      const ready = await request(url, '/ready?probe=1');
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({ ready: true, model: 'tiny_model' });
      const head = await fetch(`${url}/ready`, { method: 'HEAD' });
      expect([head.status, await head.text()]).toEqual([200, '']);
      const post = await request(url, '/ready', { method: 'POST', body: {} });
      expect(post.status).toBe(405);
      expect(post.headers['allow']).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it('is 503 SERVER_SHUTTING_DOWN once close() begins, while /health stays 200', async () => {
    const { model } = await trainedTinyApp({ slowMs: 400 });
    const server = createServer(model, { logger: silent, port: 0 });
    const { url } = await server.listen();
    // A keep-alive connection busy with a slow request stays open during the drain; the client asks again on it.
    const conn = await rawConnection(url);
    const slow = JSON.stringify({ features: [{ x: -1, x2: -2 }] });
    conn.socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${slow.length}\r\n\r\n${slow}`);
    await sleep(100);
    const closing = server.close();
    conn.socket.write('GET /ready HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    const text = conn.received();
    const ready = /HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*?\r\n\r\n(\{[^\n]*?\})HTTP/.exec(text);
    expect(ready, text).not.toBeNull();
    expect(JSON.parse(ready![1]!)).toEqual({
      detail: 'the server is shutting down: it answers the requests it has received and takes no new ones',
      code: 'SERVER_SHUTTING_DOWN',
      hint: 'send requests to another instance; load balancers that poll GET /ready stop sending here',
    });
    expect(text).toMatch(/HTTP\/1\.1 200 OK\r\n[^{]*connection: close\r\n[^{]*\{"message":"OK","status":200,"model":"tiny_model"\}$/i);
    await closing;
  });
});
