import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@unionml/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveModel } from './serve.js';
import { predict, request } from './test-support/http.js';
import { startChild } from './test-support/child.js';
import { SLOW_X, makeTinyApp, trainedTinyApp } from './test-support/tiny-app.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-serve-'));
const logged: string[] = [];
const capture: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(`warning: ${m}`), error: (m) => logged.push(`error: ${m}`) };
let modelFile: string;
const savedEnv = process.env['UNIONML_MODEL_PATH'];

beforeAll(async () => {
  const { model } = await trainedTinyApp();
  modelFile = await model.save(join(tmp(), 'model.json'));
});

afterEach(() => {
  logged.length = 0;
  if (savedEnv === undefined) delete process.env['UNIONML_MODEL_PATH'];
  else process.env['UNIONML_MODEL_PATH'] = savedEnv;
});

describe('serveModel', () => {
  it('loads the model file, listens, logs where, and closes', async () => {
    const { model } = makeTinyApp();
    const serving = await serveModel(model, { logger: capture, port: 0, modelPath: modelFile, handleSignals: false });
    try {
      expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(logged).toEqual([`serving model 'tiny_model' at ${serving.url}`]);
      expect((await request(serving.url, '/health')).status).toBe(200);
      expect((await predict(serving.url, { features: [{ x: 99, x2: 198 }] })).json).toEqual([1]);
    } finally {
      await serving.close();
    }
    await serving.closed;
    await expect(request(serving.url, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with MODEL_PATH_NOT_SET when there is neither an artifact nor a path', async () => {
    delete process.env['UNIONML_MODEL_PATH'];
    const { model } = makeTinyApp();
    await expect(serveModel(model, { logger: capture, port: 0, handleSignals: false })).rejects.toMatchObject({
      name: 'ModelFileError',
      code: 'MODEL_PATH_NOT_SET',
      message: 'model artifact path not specified: pass --model-path or set the UNIONML_MODEL_PATH environment variable',
    });
    await expect(serveModel(model, { logger: capture, port: 0, modelPath: '', handleSignals: false })).rejects.toMatchObject({ code: 'MODEL_PATH_NOT_SET' });
    expect(logged).toEqual([]);
  });

  it('reads UNIONML_MODEL_PATH when no path is given', async () => {
    process.env['UNIONML_MODEL_PATH'] = modelFile;
    const { model } = makeTinyApp();
    const serving = await serveModel(model, { logger: capture, port: 0, handleSignals: false });
    await serving.close();
    expect(model.artifact?.featureSchema?.map((c) => c.name)).toEqual(['x', 'x2']);
  });

  it('passes the errors of loading on unchanged', async () => {
    const { model } = makeTinyApp();
    const missing = join(tmp(), 'nope.json');
    await expect(serveModel(model, { logger: capture, port: 0, modelPath: missing, handleSignals: false })).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_FOUND',
      message: `model file not found: ${missing}`,
    });
    const corrupt = join(tmp(), 'corrupt.json');
    writeFileSync(corrupt, '{"format": "unionml.model", "formatVer');
    await expect(serveModel(model, { logger: capture, port: 0, modelPath: corrupt, handleSignals: false })).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
    });
    const other = join(tmp(), 'other.json');
    const { model: otherModel } = await trainedTinyApp({ name: 'other_model' });
    await otherModel.save(other);
    await expect(serveModel(model, { logger: capture, port: 0, modelPath: other, handleSignals: false })).rejects.toMatchObject({
      code: 'MODEL_FILE_MISMATCH',
    });
  });

  it('serves the artifact it has and ignores the path then', async () => {
    const { model } = await trainedTinyApp();
    const artifact = model.artifact;
    const serving = await serveModel(model, { logger: capture, port: 0, modelPath: join(tmp(), 'absent.json'), handleSignals: false });
    await serving.close();
    expect(model.artifact).toBe(artifact);
  });

  it('checks its options before loading', async () => {
    const { model } = makeTinyApp();
    await expect(serveModel(model, { logger: capture, port: -1, modelPath: join(tmp(), 'absent.json') })).rejects.toMatchObject({
      code: 'SERVER_OPTIONS_INVALID',
    });
    await expect(serveModel({} as never)).rejects.toMatchObject({
      code: 'SERVER_OPTIONS_INVALID',
      message: 'serveModel(model) expects a UnionML Model, got an object',
    });
  });

  it('closes on SIGTERM and removes its signal handlers', async () => {
    const { model } = await trainedTinyApp();
    const before = process.listenerCount('SIGTERM');
    const serving = await serveModel(model, { logger: capture, port: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
    process.emit('SIGTERM', 'SIGTERM');
    await serving.closed;
    expect(logged).toContain('received SIGTERM: closing the server after the requests in flight');
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await expect(request(serving.url, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('installs no signal handlers with handleSignals: false', async () => {
    const { model } = await trainedTinyApp();
    const before = process.listenerCount('SIGTERM');
    const serving = await serveModel(model, { logger: capture, port: 0, handleSignals: false });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await serving.close();
  });
});

describe('serveModel in a process', () => {
  it('on SIGTERM finishes the request in flight, closes keep-alive connections cleanly and exits 0', async () => {
    const child = await startChild({ SLOW_MS: '500' });
    const agent = new Agent({ keepAlive: true });
    try {
      // An idle keep-alive connection...
      expect((await request(child.url, '/health', { agent })).status).toBe(200);
      const idle = Object.values(agent.freeSockets).flat() as Socket[];
      expect(idle).toHaveLength(1);
      const idleClosed = new Promise<boolean>((resolve) => idle[0]!.on('close', (hadError) => resolve(hadError)));
      // ...and a slow request in flight on another connection.
      const inFlight = predict(child.url, {
        features: [
          { x: SLOW_X, x2: -2 },
          { x: 99, x2: 198 },
        ],
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.kill('SIGTERM');

      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.json).toEqual([0, 1]);
      expect(res.headers['connection']).toBe('close');
      expect(await idleClosed).toBe(false); // closed without an error (no reset)
      expect(await child.exit).toEqual({ code: 0, signal: null });
      expect(child.stderr()).toContain('[unionml] received SIGTERM: closing the server after the requests in flight');
      expect(child.stderr()).toContain('[child] closed');
    } finally {
      agent.destroy();
      child.kill('SIGKILL');
    }
  });

  it('on SIGTERM closes a request that outlasts shutdownGraceMs by force, and exits 0', async () => {
    const child = await startChild({ SLOW_MS: '10000', GRACE_MS: '500' });
    try {
      const inFlight = predict(child.url, { features: [{ x: SLOW_X, x2: -2 }] }).then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code,
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await child.exit).toEqual({ code: 0, signal: null });
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(5000);
      expect(await inFlight).toBe('ECONNRESET');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 0 on SIGINT (Ctrl-C)', async () => {
    const child = await startChild();
    try {
      child.kill('SIGINT');
      expect(await child.exit).toEqual({ code: 0, signal: null });
      expect(child.stderr()).toContain('[unionml] received SIGINT');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
