// Every registered code, thrown by an app's predictor, walked through the prediction server and the CLI's error
// report: the HTTP status and the exit status come from the code's kind. Every input error answers 4xx.
import { Dataset, Model, silentLogger } from '@unionml/core';
import { KIND_EXIT_CODE, UnionMLError } from '@unionml/errors';
import { createServer, type PredictionServer } from '@unionml/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeError } from './main.js';
import { allCodes } from './test-support/error-reference.js';

const codes = allCodes();
const byCode = new Map(codes.map((entry) => [entry.code, entry]));

const dataset = new Dataset({ name: 'walk_dataset', features: ['code'] });
const model = new Model({ name: 'walk', dataset, init: () => ({}), prediction: z.array(z.string()) });
model.predictor((_m, features) => {
  const code = String(features.toRecords()[0]?.['code']);
  throw new UnionMLError(byCode.get(code)!, `walked ${code}`);
});
model.artifact = { modelObject: {} };

let server: PredictionServer;
let url: string;
beforeAll(async () => {
  server = createServer(model, { port: 0, logger: silentLogger });
  url = (await server.listen()).url;
});
afterAll(() => server.close());

describe('errors by kind', () => {
  it.each(codes.filter((c) => c.kind === 'input').map((c) => [c.code, c] as const))('input error %s answers 4xx through the server', async (code, entry) => {
    const response = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ features: [{ code }] }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.status).toBe(entry.status);
    expect(await response.json()).toEqual({ detail: `walked ${code}`, code });
  });

  it('every other code answers the status of its kind through the server', async () => {
    for (const entry of codes.filter((c) => c.kind !== 'input')) {
      const response = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: [{ code: entry.code }] }),
      });
      expect(response.status, entry.code).toBe(entry.status);
      expect(((await response.json()) as { code: string }).code).toBe(entry.code);
    }
  });

  it("every code gets its kind's exit status from the CLI", () => {
    for (const entry of codes) {
      expect(describeError(new UnionMLError(entry, 'x')).status, entry.code).toBe(KIND_EXIT_CODE[entry.kind]);
    }
  });
});
