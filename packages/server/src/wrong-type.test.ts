// A value of the wrong type for a string column is the caller's fault: 400 DATA_WRONG_TYPE, not a 500 logged as a
// server failure (it was 500 while the server mapped codes through a table that fell back to 500).
import { Dataset, Model, type Logger } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServer, type PredictionServer } from './server.js';

const logged: string[] = [];
const logger: Logger = { info: () => {}, warn: () => {}, error: (m) => logged.push(m) };
const dataset = new Dataset({ name: 'cities', features: ['city', 'x'], targets: ['y'] });
dataset.reader(() => DataFrame.fromRecords(Array.from({ length: 20 }, (_, i) => ({ city: i % 2 ? 'Paris' : 'Lyon', x: i, y: i % 2 }))));
const model = new Model({ name: 'city_model', dataset, init: () => ({ seen: 0 }), prediction: z.array(z.number()) });
model.trainer((m, features) => ({ seen: m.seen + features.length }));
model.predictor((_m, features) => features.column('city').map((city) => (city === 'Paris' ? 1 : 0)));

let server: PredictionServer;
let url: string;
beforeAll(async () => {
  await model.train();
  server = createServer(model, { port: 0, logger });
  url = (await server.listen()).url;
});
afterAll(() => server.close());

const predict = (features: unknown) =>
  fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });

describe('a value of the wrong type', () => {
  it('answers 400 DATA_WRONG_TYPE naming the column and row, and logs nothing', async () => {
    const ok = await predict([{ city: 'Paris', x: 1 }]);
    expect([ok.status, await ok.json()]).toEqual([200, [1]]);
    const response = await predict([
      { city: 'Paris', x: 1 },
      { city: 3, x: 2 },
    ]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'DATA_WRONG_TYPE', detail: "column 'city' row 1 should be a string, got 3" });
    expect(logged).toEqual([]);
  });
});
