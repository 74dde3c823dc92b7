import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dataset, Model, type AnyModel, type Logger } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRequestListener } from './handler.js';
import { openApiDocument } from './openapi.js';
import { createServer, type PredictionServer } from './server.js';
import { predict, request, type TestResponse } from './test-support/http.js';
import { BAD_PREDICTION_X, FAIL_X, makeTinyApp, rows, trainedTinyApp } from './test-support/tiny-app.js';

const features = (xs: number[]) => xs.map((x) => ({ x, x2: 2 * x }));
const logged: string[] = [];
const quiet: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
let server: PredictionServer;
let base: string;
let tiny: Awaited<ReturnType<typeof trainedTinyApp>>;

beforeAll(async () => {
  tiny = await trainedTinyApp();
  server = createServer(tiny.model, { logger: quiet, port: 0, allowReaderInputs: true });
  base = (await server.listen()).url;
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  logged.length = 0;
});

/** Serves `model` on an ephemeral port for one test. */
async function withServer<T>(model: AnyModel, fn: (url: string) => Promise<T>, maxBodyBytes?: number): Promise<T> {
  const s = createServer(model, maxBodyBytes === undefined ? { logger: quiet, port: 0 } : { logger: quiet, port: 0, maxBodyBytes });
  const { url } = await s.listen();
  try {
    return await fn(url);
  } finally {
    await s.close();
  }
}

function expectError(res: TestResponse, status: number, code: string, detail: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.json).toMatchObject({ code });
  const body = res.json as { detail: string };
  if (typeof detail === 'string') expect(body.detail).toContain(detail);
  else expect(body.detail).toMatch(detail);
  expect(res.text).not.toMatch(/\n\s+at /); // no stack trace
}

describe('GET /', () => {
  it('serves an HTML page with the model name, the links and a curl example', async () => {
    const res = await request(base, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.text).toContain('<title>unionml</title>');
    expect(res.text).toContain('<strong>tiny_model</strong>');
    expect(res.text).toContain('<a href="/health">');
    expect(res.text).toContain('<a href="/openapi.json">');
    const host = new URL(base).host;
    expect(res.text).toContain(`curl -X POST http://${host}/predict`);
    expect(res.text).toContain('{&quot;features&quot;: [{&quot;x&quot;:0, &quot;x2&quot;:0}]}');
    // the model's report: its metrics (this app has no evaluator) and its confusion matrix on the test split
    expect(res.text).toContain('<section class="unionml-report"');
    expect(res.text).toContain('No metrics were recorded.');
    expect(res.text).toContain('Confusion matrix');
  });

  it('answers HEAD without a body, and escapes a hostile Host header', async () => {
    const head = await request(base, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    const res = await request(base, '/', { headers: { host: '<script>x</script>' } });
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('http://HOST:PORT/predict');
  });
});

describe('GET /health', () => {
  it('is 200 OK when a model is loaded', async () => {
    const res = await request(base, '/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'OK', status: 200, model: 'tiny_model' });
    expect(res.text).toMatch(/^\{"message":"OK","status":200,/); // Python UnionML's fields first
    expect(res.headers['content-length']).toBe(String(res.text.length));
  });

  it('ignores the query string', async () => {
    expect((await request(base, '/health?probe=1')).status).toBe(200);
  });

  it('is 500 "Model artifact not found." without an artifact', async () => {
    const { model } = makeTinyApp();
    await withServer(model, async (url) => {
      const res = await request(url, '/health');
      expect(res.status).toBe(500);
      expect(res.json).toEqual({
        message: 'Model artifact not found.',
        status: 500,
        detail: "model 'tiny_model' has no trained model object, so it cannot serve predictions",
        model: 'tiny_model',
      });
      // It turns healthy as soon as a model is trained or loaded.
      await model.train();
      expect((await request(url, '/health')).status).toBe(200);
    });
  });
});

describe('POST /predict', () => {
  it('predicts from {"features": [rows]}', async () => {
    const res = await predict(base, { features: features([0, 10, 60, 70, 99]) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe(String(res.text.length));
    expect(res.json).toEqual([0, 0, 1, 1, 1]);
  });

  it('accepts rows that still have the target column', async () => {
    const res = await predict(base, { features: [rows(1, 1)[0], rows(1, 90)[0]] });
    expect(res.json).toEqual([0, 1]);
  });

  it('predicts from {"inputs": {reader arguments}}, as from the same rows sent as features', async () => {
    const fromInputs = await predict(base, { inputs: { n: 20, offset: 40 } });
    const fromFeatures = await predict(base, { features: features(Array.from({ length: 20 }, (_, i) => 40 + i)) });
    expect(fromInputs.status).toBe(200);
    expect(fromInputs.json).toEqual(fromFeatures.json);
    expect(fromInputs.json).toEqual(await tiny.model.predict({ features: rows(20, 40) }));
    // Schema defaults apply (offset = 0).
    expect((await predict(base, { inputs: { n: 5 } })).json).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses unknown reader arguments with a 400 that names the known ones', async () => {
    expectError(await predict(base, { inputs: { n: 5, file: 'x' } }), 400, 'ARGUMENTS_INVALID', "unknown key 'file' (known: n, offset)");
    expectError(await predict(base, { inputs: { N: 5 } }), 400, 'ARGUMENTS_INVALID', "unknown key 'N' (did you mean 'n'?)");
  });

  it('runs the feature loader once per request', async () => {
    const { dataset, model } = makeTinyApp();
    await model.train();
    let calls = 0;
    dataset.featureLoader((raw) => {
      calls++;
      return DataFrame.from(raw).select(['x', 'x2']);
    });
    await withServer(model, async (url) => {
      const res = await predict(url, { features: features([1, 99]) });
      expect(res.json).toEqual([0, 1]);
      expect(calls).toBe(1);
    });
  });

  it('says where the JSON is broken (400 INPUT_BAD_JSON)', async () => {
    const res = await predict(base, '{"features": [{"x": 1, "x2": 2},]}');
    expectError(res, 400, 'INPUT_BAD_JSON', 'the request body is not valid JSON: trailing comma before ] at line 1, column 33');
    expect((res.json as { hint: string }).hint).toBe('check quotes, commas and brackets near that position');
    const multiline = await predict(base, '{\n  "features": [\n    {"x": 1 "x2": 2}\n  ]\n}');
    expectError(multiline, 400, 'INPUT_BAD_JSON', "unexpected '\"', expected ',' or '}' at line 3, column 13");
  });

  it('rejects an empty body (400 INPUT_BAD_JSON)', async () => {
    expectError(await predict(base, ''), 400, 'INPUT_BAD_JSON', 'empty input, expected a JSON value');
  });

  it('accepts a UTF-8 byte order mark before the JSON', async () => {
    const res = await predict(base, `\uFEFF${JSON.stringify({ features: features([1]) })}`);
    expect(res.json).toEqual([0]);
  });

  it.each([
    ['an array', '[{"x": 1, "x2": 2}]'],
    ['a number', '42'],
    ['a string', '"features"'],
    ['null', 'null'],
  ])('rejects a body that is %s (400 REQUEST_BODY_INVALID)', async (what, body) => {
    expectError(
      await predict(base, body),
      400,
      'REQUEST_BODY_INVALID',
      `the request body must be a JSON object, {"features": [...]} or {"inputs": {...}}; got ${what}`,
    );
  });

  it('rejects a body with neither features nor inputs (400, not Python’s 500)', async () => {
    expectError(await predict(base, {}), 400, 'PREDICT_NO_INPUT', /^inputs or features must be supplied\.$/);
    expectError(await predict(base, { features: null }), 400, 'PREDICT_NO_INPUT', 'inputs or features must be supplied.');
    expectError(
      await predict(base, { feature: features([1]) }),
      400,
      'PREDICT_NO_INPUT',
      "inputs or features must be supplied. The body has unknown key 'feature' (did you mean 'features'?).",
    );
  });

  it('rejects both features and inputs, and unknown keys beside them', async () => {
    expectError(
      await predict(base, { features: features([1]), inputs: {} }),
      400,
      'REQUEST_BODY_INVALID',
      'the request body has both "features" and "inputs"; send one of them',
    );
    expectError(
      await predict(base, { features: features([1]), extra: 1 }),
      400,
      'REQUEST_BODY_INVALID',
      'the request body has unknown key \'extra\'; it takes only "features" or "inputs"',
    );
  });

  it.each([
    ['an object', { x: [1], x2: [2] }],
    ['a string', 'x=1'],
    ['a number', 3],
  ])('rejects features that are %s, not an array of rows', async (what, value) => {
    expectError(
      await predict(base, { features: value }),
      400,
      'REQUEST_BODY_INVALID',
      `"features" must be an array of rows, [{"column": value, ...}]; got ${what}`,
    );
  });

  it('rejects rows that are not objects, and no rows (400 DATA_INVALID)', async () => {
    expectError(await predict(base, { features: [{ x: 1, x2: 2 }, 5] }), 400, 'DATA_INVALID', 'record 1 is a number, expected an object of column values');
    expectError(await predict(base, { features: [] }), 400, 'DATA_INVALID', 'the features have no records');
    // x is a number column of the trained model, so a nested object there is a non-numeric value
    expectError(
      await predict(base, { features: [{ x: { nested: 1 }, x2: 2 }] }),
      400,
      'DATA_NOT_NUMERIC',
      `column 'x' row 0 is not a finite number: {"nested":1}`,
    );
  });

  it('names missing columns (400 DATA_COLUMNS_MISSING)', async () => {
    const res = await predict(base, { features: [{ x: 1 }] });
    expectError(res, 400, 'DATA_COLUMNS_MISSING', 'missing column x2 in the features; present: x');
    expect((res.json as { hint: string }).hint).toContain('send every declared feature column');
  });

  it('names unexpected columns (400 DATA_COLUMNS_UNEXPECTED)', async () => {
    expectError(
      await predict(base, { features: [{ x: 1, x2: 2, z: 3 }] }),
      400,
      'DATA_COLUMNS_UNEXPECTED',
      'unexpected column z in the features; expected: x, x2',
    );
  });

  it('names non-numeric values (400 DATA_NOT_NUMERIC)', async () => {
    expectError(
      await predict(base, {
        features: [
          { x: 1, x2: 2 },
          { x: 'three', x2: 6 },
        ],
      }),
      400,
      'DATA_NOT_NUMERIC',
      'column \'x\' row 1 is not a finite number: "three"',
    );
    expectError(await predict(base, { features: [{ x: 1, x2: null }] }), 400, 'DATA_NOT_NUMERIC', "column 'x2' row 0 is not a finite number: null");
  });

  it('rejects bad reader arguments (400 ARGUMENTS_INVALID) and inputs that are not an object', async () => {
    expectError(await predict(base, { inputs: { n: 'many' } }), 400, 'ARGUMENTS_INVALID', "'n': Invalid input: expected number, received string");
    expectError(await predict(base, { inputs: { rows: 5 } }), 400, 'ARGUMENTS_INVALID', "unknown key 'rows'");
    expectError(await predict(base, { inputs: [1, 2] }), 400, 'REQUEST_BODY_INVALID', '"inputs" must be an object of reader arguments, got an array');
    expectError(await predict(base, { inputs: 'n=5' }), 400, 'REQUEST_BODY_INVALID', '"inputs" must be an object of reader arguments, got a string');
  });

  it('rejects inputs when the dataset has no reader', async () => {
    const dataset = new Dataset({ features: ['x'], targets: ['y'] });
    const model = new Model({ dataset, init: () => ({}) });
    model.predictor((_m, f) => f.toVector('x'));
    model.artifact = { modelObject: {} };
    await withServer(model, async (url) => {
      expectError(
        await predict(url, { inputs: {} }),
        400,
        'REQUEST_BODY_INVALID',
        "model 'model' cannot predict from \"inputs\": its dataset 'dataset' has no reader",
      );
      expect((await predict(url, { features: [{ x: 4 }] })).json).toEqual([4]);
    });
  });

  it('answers 500 "prediction failed" when the predictor throws, logs it, and keeps serving', async () => {
    const res = await predict(base, { features: features([1, FAIL_X]) });
    expectError(res, 500, 'PREDICTION_FAILED', /^prediction failed: cannot predict x = 13$/);
    expect(logged.join('\n')).toMatch(/^POST \/predict failed with 500: Error: cannot predict x = 13\n\s+at /);
    const next = await predict(base, { features: features([1]) });
    expect(next.status).toBe(200);
    expect(next.json).toEqual([0]);
  });

  it('answers 500 PREDICTION_INVALID when the prediction breaks its schema', async () => {
    expectError(
      await predict(base, { features: features([BAD_PREDICTION_X]) }),
      500,
      'PREDICTION_INVALID',
      "the predictor of model 'tiny_model' returned a value that does not fit its prediction schema",
    );
    expect(logged.join('\n')).toContain('POST /predict failed with 500: the predictor of model');
  });

  it('answers 500 COMPONENT_INVALID when the app has no predictor', async () => {
    const dataset = new Dataset({ features: ['x'] });
    const model = new Model({ dataset });
    model.artifact = { modelObject: {} };
    await withServer(model, async (url) => {
      expectError(await predict(url, { features: [{ x: 1 }] }), 500, 'COMPONENT_INVALID', "model 'model' has no predictor");
    });
  });

  it('answers 503 MODEL_NOT_TRAINED without an artifact', async () => {
    const { model } = makeTinyApp();
    await withServer(model, async (url) => {
      expectError(
        await predict(url, { features: features([1]) }),
        503,
        'MODEL_NOT_TRAINED',
        "model 'tiny_model' has no trained model object, so it cannot predict",
      );
      expect(logged).toEqual([]);
    });
  });

  it('sends typed-array predictions as arrays, and reports predictions JSON cannot carry', async () => {
    const dataset = new Dataset({ features: ['x'] });
    const model = new Model({ dataset });
    model.predictor((_m, f) => (f.toVector('x')[0] === 1 ? new Float32Array([0.5, 1.5]) : { big: 1n }));
    model.artifact = { modelObject: {} };
    await withServer(model, async (url) => {
      expect((await predict(url, { features: [{ x: 1 }] })).json).toEqual([0.5, 1.5]);
      expectError(
        await predict(url, { features: [{ x: 2 }] }),
        500,
        'PREDICTION_NOT_SERIALIZABLE',
        'the prediction cannot be sent as JSON: Do not know how to serialize a BigInt',
      );
    });
  });

  it('passes any JSON features to a dataset that is not a table', async () => {
    const dataset = new Dataset<Record<never, never>, { data: number[][]; features: number[][]; rawFeatures: number[][] }>({ tabular: false });
    const model = new Model({ dataset, prediction: z.array(z.number()) });
    model.predictor((_m, f) => f.map((row) => row.reduce((a, b) => a + b, 0)));
    model.artifact = { modelObject: {} };
    await withServer(model, async (url) => {
      expect(
        (
          await predict(url, {
            features: [
              [1, 2],
              [3, 4, 5],
            ],
          })
        ).json,
      ).toEqual([3, 12]);
    });
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/predict', 'POST'],
    ['PUT', '/predict', 'POST'],
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/', 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await request(base, path, { method });
    expectError(res, 405, 'METHOD_NOT_ALLOWED', `method ${method} is not allowed on ${path}; use ${allow.replace(', HEAD', '')}`);
    expect(res.headers['allow']).toBe(allow);
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const res = await request(base, '/predict', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers['allow']).toBe('POST');
  });

  it('answers unknown paths with a JSON 404 that lists the routes', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/predict/'],
      ['GET', '/docs'],
    ] as const) {
      const res = await request(base, path, { method });
      expectError(
        res,
        404,
        'ROUTE_NOT_FOUND',
        `not found: there is no route ${method} ${path}; the routes are GET /, GET /health, GET /ready, POST /predict, GET /openapi.json`,
      );
    }
  });
});

describe('GET /openapi.json', () => {
  it('serves the OpenAPI document of the model, precomputed', async () => {
    const res = await request(base, '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toEqual(JSON.parse(JSON.stringify(openApiDocument(tiny.model, { readerInputs: true }))));
  });

  it('documents {"inputs": ...} only where the server takes it (allowReaderInputs)', async () => {
    type Doc = { components: { schemas: Record<string, unknown> } };
    expect(Object.keys(((await request(base, '/openapi.json')).json as Doc).components.schemas)).toContain('InputsRequest');
    await withServer(tiny.model, async (url) => {
      const schemas = ((await request(url, '/openapi.json')).json as Doc).components.schemas;
      expect(Object.keys(schemas)).not.toContain('InputsRequest');
      expect(Object.keys(schemas)).not.toContain('ReaderArguments');
    });
  });

  it('is generated again when the artifact changes', async () => {
    const { model } = makeTinyApp({ declareFeatures: false });
    await withServer(model, async (url) => {
      const before = (await request(url, '/openapi.json')).json as { components: { schemas: Record<string, { properties?: object }> } };
      expect(before.components.schemas['FeatureRecord']?.properties).toBeUndefined();
      await model.train();
      const after = (await request(url, '/openapi.json')).json as { components: { schemas: Record<string, { properties?: object }> } };
      expect(Object.keys(after.components.schemas['FeatureRecord']?.properties ?? {})).toEqual(['x', 'x2', 'y']);
    });
  });
});

describe('createRequestListener', () => {
  it('works in a server of your own', async () => {
    const own = createHttpServer(createRequestListener(tiny.model, { logger: quiet, maxBodyBytes: 64 }));
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    try {
      expect((await predict(url, { features: features([70]) })).json).toEqual([1]);
      expectError(
        await predict(url, { features: features(Array.from({ length: 10 }, (_, i) => i)) }),
        413,
        'REQUEST_TOO_LARGE',
        'the request body is too large',
      );
    } finally {
      own.closeAllConnections();
      await new Promise((resolve) => own.close(resolve));
    }
  });

  it('rejects things that are not models and bad options', () => {
    expect(() => createRequestListener({} as never)).toThrow(
      expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID', message: 'createRequestListener(model) expects a UnionML Model, got an object' }),
    );
    expect(() => createRequestListener(tiny.model, { maxBodyBytes: 0 })).toThrow('maxBodyBytes must be a positive integer, got 0');
  });
});
