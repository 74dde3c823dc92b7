// The real example app: examples/digits (softmax regression on tfjs-wasm), trained here (about 1 s) and served.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel, type AnyModel } from '@unionml/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from './server.js';
import { predict, request } from './test-support/http.js';

const digitsDir = fileURLToPath(new URL('../../../examples/digits/', import.meta.url));
const samples = JSON.parse(readFileSync(`${digitsDir}data/sample_features.json`, 'utf8')) as Record<string, number>[];
const PIXELS = Array.from({ length: 64 }, (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`);

let model: AnyModel;
let server: PredictionServer;
let url: string;

beforeAll(async () => {
  model = await loadModel('app:model', { cwd: digitsDir });
  await model.train();
  server = createServer(model, { port: 0 });
  url = (await server.listen()).url;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('the digits example', () => {
  it('predicts the 5 sample records over HTTP', async () => {
    expect(samples).toHaveLength(5);
    const res = await predict(url, { features: samples });
    expect(res.status).toBe(200);
    const predictions = res.json as number[];
    expect(predictions).toHaveLength(5);
    for (const p of predictions) {
      expect(Number.isInteger(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(9);
    }
    expect(predictions).toEqual(await model.predict({ features: samples }));
  });

  it('names a missing pixel column', async () => {
    const { pixel_7_7: _dropped, ...partial } = samples[0]!;
    const res = await predict(url, { features: [partial] });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'DATA_COLUMNS_MISSING', detail: expect.stringContaining('missing column pixel_7_7') as string });
  });

  it('documents the 64 pixel columns as numbers in /openapi.json', async () => {
    const doc = (await request(url, '/openapi.json')).json as {
      components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    };
    const record = doc.components.schemas['FeatureRecord']!;
    expect(record.required).toEqual(PIXELS);
    for (const pixel of PIXELS) expect(record.properties[pixel]).toEqual({ type: 'number' });
    expect(doc.components.schemas['Prediction']).toEqual({ type: 'array', items: { type: 'number' } });
  });

  it('shows the model and a pixel row on the home page', async () => {
    const page = (await request(url, '/')).text;
    expect(page).toContain('<strong>digits_classifier</strong>');
    expect(page).toContain('&quot;pixel_7_7&quot;:0');
    // and its report: the accuracy on each split, the confusion matrix of the ten digits
    expect(page).toMatch(/<th scope="row">accuracy<\/th>/);
    expect(page).toContain('Confusion matrix');
  });
});
