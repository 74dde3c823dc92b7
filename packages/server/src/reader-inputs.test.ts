// {"inputs": {reader arguments}} over HTTP: refused unless allowReaderInputs, checked against readerArgs, and cached by
// the arguments when allowed.
import { Dataset, Model, type Logger } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ServerOptions } from './options.js';
import { canonicalJson } from './reader-inputs.js';
import { createServer, type PredictionServer } from './server.js';
import { predict } from './test-support/http.js';
import { Centroid, rows, trainedTinyApp } from './test-support/tiny-app.js';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const servers: PredictionServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The tiny app with a reader that counts its calls (and fails when told to). */
async function countingApp() {
  const calls: Record<string, unknown>[] = [];
  let failNext = false;
  const dataset = new Dataset({
    name: 'counted',
    features: ['x', 'x2'],
    targets: ['y'],
    testSize: 0.2,
    randomState: 1,
    readerArgs: z.object({ n: z.int().min(1).default(100), offset: z.int().default(0), tags: z.array(z.string()).default([]) }),
  });
  dataset.reader(async ({ n, offset, tags }) => {
    calls.push({ n, offset, tags });
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (failNext) {
      failNext = false;
      throw new Error('the source is down');
    }
    return DataFrame.fromRecords(rows(n, offset));
  });
  const model = new Model({ name: 'counted_model', dataset, init: Centroid, prediction: z.array(z.number()) });
  model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
  model.predictor((m, features) => m.predict(features.toMatrix()));
  await model.train();
  calls.length = 0;
  return { model, calls, failNext: () => (failNext = true) };
}

async function started(model: Parameters<typeof createServer>[0], options: ServerOptions = {}): Promise<string> {
  const server = createServer(model, { logger: silent, port: 0, ...options });
  servers.push(server);
  return (await server.listen()).url;
}

describe('reader inputs', () => {
  it('are refused by default with 400 READER_INPUTS_DISABLED, which says how to enable them', async () => {
    const { model } = await trainedTinyApp();
    const url = await started(model);
    const res = await predict(url, { inputs: { n: 5 } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      detail: 'this server does not predict from reader arguments ({"inputs": {...}}): they would make it read data a client chooses',
      code: 'READER_INPUTS_DISABLED',
      hint: 'send the rows instead, {"features": [{"column": value, ...}]}, or start the server with allowReaderInputs (unionml serve --allow-reader-inputs, UNIONML_ALLOW_READER_INPUTS=1)',
    });
    expect((await predict(url, { features: [{ x: 99, x2: 198 }] })).json).toEqual([1]);
  });

  it('are checked against readerArgs when allowed: unknown keys are 400 naming the known ones, and nothing is read', async () => {
    const { model, calls } = await countingApp();
    const url = await started(model, { allowReaderInputs: true });
    const res = await predict(url, { inputs: { n: 5, path: '/etc/passwd' } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'ARGUMENTS_INVALID', detail: expect.stringContaining("unknown key 'path' (known: n, offset, tags)") as string });
    expect(calls).toEqual([]);
  });

  it('are cached by their canonical arguments (after the defaults), in a bounded LRU', async () => {
    const { model, calls } = await countingApp();
    const url = await started(model, { allowReaderInputs: true, readerCacheSize: 2 });
    const first = await predict(url, { inputs: {} });
    expect(first.status).toBe(200);
    expect(first.json).toEqual(await model.predict({ features: rows(100, 0) }));
    // The same arguments, spelled differently: one reader call.
    expect((await predict(url, { inputs: { n: 100 } })).json).toEqual(first.json);
    expect((await predict(url, { inputs: { offset: 0, n: 100, tags: [] } })).json).toEqual(first.json);
    expect(calls).toHaveLength(1);
    // Two others: the least recently used ({}) goes out.
    await predict(url, { inputs: { n: 5 } });
    await predict(url, { inputs: { n: 6 } });
    expect(calls).toHaveLength(3);
    await predict(url, { inputs: { n: 6 } });
    expect(calls).toHaveLength(3);
    await predict(url, { inputs: {} });
    expect(calls).toHaveLength(4);
  });

  it('shares one reader call among concurrent requests, does not cache failures, and starts again with a new artifact', async () => {
    const { model, calls, failNext } = await countingApp();
    const url = await started(model, { allowReaderInputs: true });
    const answers = await Promise.all(Array.from({ length: 5 }, () => predict(url, { inputs: { n: 10 } })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(calls).toHaveLength(1);

    failNext();
    const failed = await predict(url, { inputs: { n: 11 } });
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ code: 'PREDICTION_FAILED', detail: 'prediction failed: the source is down' });
    expect((await predict(url, { inputs: { n: 11 } })).status).toBe(200);
    expect(calls).toHaveLength(3);

    model.artifact = { ...model.artifact! };
    await predict(url, { inputs: { n: 10 } });
    expect(calls).toHaveLength(4);
  });

  it('are not cached with readerCacheSize 0', async () => {
    const { model, calls } = await countingApp();
    const url = await started(model, { allowReaderInputs: true, readerCacheSize: 0 });
    await predict(url, { inputs: { n: 5 } });
    await predict(url, { inputs: { n: 5 } });
    expect(calls).toHaveLength(2);
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members and tags what JSON cannot tell apart', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: undefined, c: 'x' }] })).toBe('{"a":[2,{"c":"x"}],"b":1}');
    expect(canonicalJson({ when: new Date('2024-01-02T00:00:00Z'), big: 10n, nan: NaN })).toBe(
      '{"big":{"$bigint":"10"},"nan":{"$number":"NaN"},"when":{"$date":"2024-01-02T00:00:00.000Z"}}',
    );
    expect(canonicalJson({ f: () => 1 })).toBeUndefined();
    expect(canonicalJson({ m: new Map() })).toBeUndefined();
  });
});
