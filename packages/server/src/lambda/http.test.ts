// createLambdaHandler against AWS's sample events (events/*.json): every route answers what the HTTP server answers to
// the same request, on REST API, HTTP API (default and named stage) and function URL events. Real AWS (API Gateway,
// the Lambda runtime) is not reachable from the tests; the events are AWS's documented samples.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModel } from '@unionml/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from '../server.js';
import { FIXTURE_FACTS, HTTP_FIXTURES, httpEvent, modulesLoadedBy, recordingLogger, sampleEvent, type HttpFixture } from '../test-support/lambda.js';
import { FAIL_X, makeTinyApp, trainedTinyApp } from '../test-support/tiny-app.js';
import { createLambdaHandler, httpRequestOf, type LambdaHttpEvent, type LambdaHttpHandler, type LambdaHttpResult } from './index.js';

const ROWS = JSON.stringify({
  features: [
    { x: 1, x2: 2 },
    { x: 70, x2: 140 },
  ],
});
const work = mkdtempSync(join(tmpdir(), 'unionml-lambda-'));
const modelFile = join(work, 'model.json');
const log = recordingLogger();
let model: AnyModel;
let handler: LambdaHttpHandler;
let server: PredictionServer;
let base: string;

beforeAll(async () => {
  const trained = await trainedTinyApp();
  await trained.model.save(modelFile);
  // The function's model: the app's, untrained, loaded from the file on the first event.
  model = makeTinyApp().model;
  handler = createLambdaHandler(model, { modelPath: modelFile, logger: log });
  const first = await handler(httpEvent('http-api-v2', { method: 'GET', path: '/health' }));
  expect(first.statusCode).toBe(200);
  // The HTTP server serves the same model object, so that every body (the health's loadedAt too) can be compared.
  server = createServer(model, { port: 0, logger: recordingLogger() });
  base = (await server.listen()).url;
});

afterAll(async () => {
  await server?.close();
});

/** The HTTP server's answer to the same request: status, headers and body text (HEAD answers have JSON types and no body). */
function overHttp(method: string, path: string, body?: string, url = base): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(new URL(path, url), { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The Lambda answer equals the HTTP server's: status, content type, Allow, body (the home page up to its origin). */
async function expectSame(fixture: HttpFixture, method: string, path: string, body?: string, options: { handler?: LambdaHttpHandler; url?: string } = {}) {
  const lambda = await (options.handler ?? handler)(httpEvent(fixture, body === undefined ? { method, path } : { method, path, body }));
  const http = await overHttp(method, path, body, options.url);
  expect(lambda.statusCode, `${method} ${path}`).toBe(http.status);
  expect(lambda.isBase64Encoded).toBe(false);
  expect(lambda.headers['content-type']).toBe(http.headers['content-type']);
  expect(lambda.headers['allow']).toBe(http.headers['allow']);
  expect(Object.keys(lambda.headers).sort()).toEqual(['allow', 'content-type'].filter((h) => http.headers[h] !== undefined));
  if (path === '/' && method === 'GET') {
    const origin = `http://${new URL(options.url ?? base).host}`;
    expect(lambda.body).toContain(`curl -X POST ${FIXTURE_FACTS[fixture].origin}/predict`);
    expect(lambda.body.replaceAll(FIXTURE_FACTS[fixture].origin, 'ORIGIN')).toBe(http.text.replaceAll(origin, 'ORIGIN'));
  } else {
    expect(lambda.body).toBe(http.text);
  }
  return lambda;
}

const CASES: [string, string, string, string?][] = [
  ['the home page', 'GET', '/'],
  ['HEAD of the home page', 'HEAD', '/'],
  ['liveness', 'GET', '/health'],
  ['HEAD of liveness', 'HEAD', '/health'],
  ['readiness', 'GET', '/ready'],
  ['the OpenAPI document', 'GET', '/openapi.json'],
  ['predictions', 'POST', '/predict', ROWS],
  ['predictions from a body with a byte order mark', 'POST', '/predict', `\uFEFF${ROWS}`],
  ['invalid JSON (400 INPUT_BAD_JSON)', 'POST', '/predict', '{"features": [{"x": 1, "x2": 2},]}'],
  ['an empty body (400)', 'POST', '/predict', ''],
  ['a body nested too deep (400 REQUEST_BODY_TOO_DEEP)', 'POST', '/predict', `${'['.repeat(70)}${']'.repeat(70)}`],
  ['no features (400 PREDICT_NO_INPUT)', 'POST', '/predict', '{"feature": []}'],
  ['a missing column (400 DATA_COLUMNS_MISSING)', 'POST', '/predict', '{"features": [{"x": 1}]}'],
  ['reader arguments, not allowed (400 READER_INPUTS_DISABLED)', 'POST', '/predict', '{"inputs": {"n": 5}}'],
  ['a predictor that throws (500 PREDICTION_FAILED, no stack)', 'POST', '/predict', JSON.stringify({ features: [{ x: FAIL_X, x2: 26 }] })],
  ['GET /predict (405, Allow: POST)', 'GET', '/predict'],
  ['PUT /predict (405)', 'PUT', '/predict'],
  ['DELETE / (405, Allow: GET, HEAD)', 'DELETE', '/'],
  ['OPTIONS (204, Allow)', 'OPTIONS', '/predict'],
  ['an unknown path (404 ROUTE_NOT_FOUND)', 'GET', '/nope'],
  ['a trailing slash (404)', 'POST', '/predict/'],
];

describe.each(HTTP_FIXTURES)('createLambdaHandler on the %s sample event', (fixture) => {
  it.each(CASES)('answers %s as the HTTP server does', async (_what, method, path, body) => {
    const answer = await expectSame(fixture, method, path, body);
    if (method === 'POST' && body === ROWS) expect(JSON.parse(answer.body)).toEqual([0, 1]);
    if (answer.statusCode >= 400) expect(answer.body).not.toMatch(/\n\s+at /);
  });

  it('answers the sample event itself (its own body) with the predictions', async () => {
    const event = sampleEvent(fixture) as unknown as LambdaHttpEvent;
    const answer = await handler(event, { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', functionName: 'unionml' });
    expect(answer).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '[0,1]', isBase64Encoded: false });
  });

  it('reads the request: payload format, method, path without the stage, host', () => {
    const facts = FIXTURE_FACTS[fixture];
    const request = httpRequestOf(sampleEvent(fixture));
    expect(request).toMatchObject({ format: facts.format, method: 'POST', path: '/predict', prefix: facts.origin.replace(/^https:\/\/[^/]+/, '') });
    expect(`https://${request.host}`).toBe(facts.origin === 'https://HOST' ? 'https://<url-id>.lambda-url.us-west-2.on.aws' : facts.origin);
  });

  it('answers 413 over maxBodyBytes, measured on the decoded body, as the HTTP server does', async () => {
    const small = createLambdaHandler(model, { maxBodyBytes: 40 });
    const smallServer = createServer(model, { port: 0, maxBodyBytes: 40, logger: recordingLogger() });
    const { url } = await smallServer.listen();
    try {
      const answer = await expectSame(fixture, 'POST', '/predict', ROWS, { handler: small, url });
      expect(answer.statusCode).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({
        code: 'REQUEST_TOO_LARGE',
        detail: `the request body is too large: ${ROWS.length} bytes, the limit is 40 bytes`,
      });
      await expectSame(fixture, 'POST', '/predict', '{"features": [{"x": 1, "x2": 2}]}', { handler: small, url });
    } finally {
      await smallServer.close();
    }
  });
});

describe('paths and headers', () => {
  const v2 = (rawPath: string, stage = '$default', extra: Record<string, unknown> = {}) =>
    ({ version: '2.0', rawPath, requestContext: { http: { method: 'GET' }, stage, domainName: 'abc.execute-api.eu-west-1.amazonaws.com' }, ...extra }) as const;

  it('removes the stage prefix of HTTP API paths, and only a whole segment of it', () => {
    expect(httpRequestOf(v2('/prod/predict', 'prod'))).toMatchObject({
      path: '/predict',
      prefix: '/prod',
      host: 'abc.execute-api.eu-west-1.amazonaws.com/prod',
    });
    expect(httpRequestOf(v2('/prod', 'prod'))).toMatchObject({ path: '/', prefix: '/prod' });
    expect(httpRequestOf(v2('/prod/', 'prod'))).toMatchObject({ path: '/', prefix: '/prod' });
    expect(httpRequestOf(v2('/production/predict', 'prod'))).toMatchObject({ path: '/production/predict', prefix: '' });
    expect(httpRequestOf(v2('/predict', '$default'))).toMatchObject({ path: '/predict', prefix: '' });
  });

  it('takes a path that is a route as the route, even when a stage has its name', () => {
    expect(httpRequestOf(v2('/health', 'health'))).toMatchObject({ path: '/health' });
    expect(httpRequestOf(v2('/health/health', 'health'))).toMatchObject({ path: '/health', prefix: '/health' });
  });

  it('removes a custom domain base path (basePath), then the stage', async () => {
    expect(httpRequestOf(v2('/ml/predict'), '/ml')).toMatchObject({ path: '/predict', prefix: '/ml' });
    const mapped = createLambdaHandler(model, { basePath: 'ml/' });
    expect((await mapped({ ...v2('/ml/health'), requestContext: { ...v2('/').requestContext } })).statusCode).toBe(200);
    expect(() => createLambdaHandler(model, { basePath: '/a b' })).toThrow(expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID' }));
  });

  it('takes the REST API prefix from requestContext.path when the event has it (a custom domain mapping, a stage)', () => {
    const rest = (path: string, contextPath: string | undefined, host: string) =>
      httpRequestOf({ httpMethod: 'GET', path, headers: { Host: host }, requestContext: { stage: 'Prod', ...(contextPath ? { path: contextPath } : {}) } });
    expect(rest('/', '/Prod/', '70ixmpl4fl.execute-api.us-east-2.amazonaws.com')).toMatchObject({
      path: '/',
      host: '70ixmpl4fl.execute-api.us-east-2.amazonaws.com/Prod',
    });
    expect(rest('/predict', '/ml/predict', 'api.example.com')).toMatchObject({ path: '/predict', host: 'api.example.com/ml' });
    expect(rest('/predict', undefined, 'api.example.com')).toMatchObject({ path: '/predict', host: 'api.example.com' });
    expect(rest('/predict', undefined, 'x1.execute-api.us-east-2.amazonaws.com')).toMatchObject({ host: 'x1.execute-api.us-east-2.amazonaws.com/Prod' });
  });

  it('ignores the query string, and reads headers whatever their case', async () => {
    expect(httpRequestOf({ httpMethod: 'GET', path: '/health?probe=1', headers: { HoSt: 'h.example.com' } })).toMatchObject({
      path: '/health',
      host: 'h.example.com',
    });
    expect(httpRequestOf({ httpMethod: 'GET', path: '/', headers: null, multiValueHeaders: { HOST: ['m.example.com', 'x'] } })).toMatchObject({
      host: 'm.example.com',
    });
    expect(httpRequestOf({ httpMethod: 'GET', path: '', headers: {} })).toMatchObject({ path: '/', host: undefined });
    const page = await handler({ ...v2('/'), headers: { 'X-Other': '1', HOST: 'caps.example.com' } });
    expect(page.body).toContain('curl -X POST https://caps.example.com/predict');
    const odd = await handler({ ...v2('/'), headers: { host: '<script>' } });
    expect(odd.body).toContain('curl -X POST https://HOST/predict');
    expect(odd.body).not.toContain('<script>');
  });

  it('fails the invocation for events that are not HTTP requests, saying which handler takes them', async () => {
    await expect(handler(sampleEvent('s3-put') as never)).rejects.toMatchObject({
      code: 'LAMBDA_EVENT_UNSUPPORTED',
      message: expect.stringContaining('its keys are Records') as string,
      hint: expect.stringContaining('createS3EventHandler') as string,
    });
    await expect(handler(null as never)).rejects.toMatchObject({ code: 'LAMBDA_EVENT_UNSUPPORTED', message: expect.stringContaining('null') as string });
    await expect(handler({ httpMethod: 42, path: '/' } as never)).rejects.toMatchObject({ code: 'LAMBDA_EVENT_UNSUPPORTED' });
  });
});

describe('the model file, loaded on the first event', () => {
  /** POST /predict with the rows, or GET of another path. */
  const get = (h: LambdaHttpHandler, path = '/predict'): Promise<LambdaHttpResult> =>
    h(httpEvent('function-url', path === '/predict' ? { method: 'POST', path, body: ROWS } : { method: 'GET', path }));

  it('was loaded from modelPath by the first event, verified, and logged once', () => {
    expect(model.artifact?.loadedFrom?.path).toBe(modelFile);
    expect(log.lines.filter((l) => l.startsWith('info: loaded model'))).toEqual([
      expect.stringMatching(/^info: loaded model 'tiny_model' from .*model\.json in \d+ ms$/),
    ]);
  });

  it('is loaded once for events that arrive together', async () => {
    const logger = recordingLogger();
    const fresh = makeTinyApp().model;
    const h = createLambdaHandler(fresh, { modelPath: modelFile, logger });
    const answers = await Promise.all([get(h), get(h), get(h, '/health')]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(logger.lines.filter((l) => l.includes('loaded model'))).toHaveLength(1);
  });

  it('takes modelPath, else UNIONML_MODEL_PATH, else defaultModelPath (a file URL)', async () => {
    const other = join(work, 'other.json');
    copyFileSync(modelFile, other);
    const loadedFrom = async (options: Parameters<typeof createLambdaHandler>[1]) => {
      const fresh = makeTinyApp().model;
      expect((await get(createLambdaHandler(fresh, { logger: recordingLogger(), ...options }))).statusCode).toBe(200);
      return fresh.artifact?.loadedFrom?.path;
    };
    const bundled = pathToFileURL(other);
    expect(await loadedFrom({ defaultModelPath: bundled, env: {} })).toBe(other);
    expect(await loadedFrom({ defaultModelPath: bundled, env: { UNIONML_MODEL_PATH: modelFile } })).toBe(modelFile);
    expect(await loadedFrom({ modelPath: other, env: { UNIONML_MODEL_PATH: modelFile } })).toBe(other);
    expect(await loadedFrom({ defaultModelPath: bundled.href, env: { UNIONML_MODEL_PATH: '' } })).toBe(other);
  });

  it('is not loaded when the model already has an artifact', async () => {
    const { model: trained } = await trainedTinyApp();
    const h = createLambdaHandler(trained, { modelPath: join(work, 'absent.json') });
    expect((await get(h)).body).toBe('[0,1]');
  });

  it('answers 503 LAMBDA_MODEL_NOT_LOADED while the file cannot be loaded, and loads it on a later event', async () => {
    const logger = recordingLogger();
    const later = join(work, 'later.json');
    const fresh = makeTinyApp().model;
    const h = createLambdaHandler(fresh, { modelPath: later, logger });
    for (const path of ['/predict', '/health']) {
      const answer = await get(h, path);
      expect(answer.statusCode).toBe(503);
      expect(answer.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(answer.body)).toEqual({
        code: 'LAMBDA_MODEL_NOT_LOADED',
        detail: `cannot load the model file of model 'tiny_model' (MODEL_FILE_NOT_FOUND: model file not found: ${later})`,
        hint: 'train and save one first: unionml train APP:MODEL --local -o FILE',
      });
    }
    expect(logger.lines.filter((l) => l.startsWith('error: cannot load the model file'))).toHaveLength(2); // one per attempt
    // A damaged file: the integrity check of model.load refuses it.
    writeFileSync(later, '{"format": "unionml-model"');
    expect(JSON.parse((await get(h)).body)).toMatchObject({ code: 'LAMBDA_MODEL_NOT_LOADED', detail: expect.stringContaining('MODEL_FILE_CORRUPT') as string });
    copyFileSync(modelFile, later);
    expect((await get(h)).body).toBe('[0,1]');
    expect(fresh.artifact?.loadedFrom?.path).toBe(later);
  });

  it('answers 503 naming the three ways to give a model file when none is given', async () => {
    const h = createLambdaHandler(makeTinyApp().model, { env: {}, logger: recordingLogger() });
    const answer = await get(h, '/');
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({
      code: 'LAMBDA_MODEL_NOT_LOADED',
      detail: "model 'tiny_model' has no model file to load: no modelPath option, no UNIONML_MODEL_PATH environment variable and no defaultModelPath",
    });
  });

  it('refuses what is not a model, and bad options, at once', () => {
    expect(() => createLambdaHandler({} as never)).toThrow(expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID' }));
    expect(() => createLambdaHandler(model, { maxBodyBytes: -1 })).toThrow('maxBodyBytes must be a positive integer, got -1');
  });
});

describe('loading', () => {
  it('@unionml/server does not load the Lambda handlers; the HTTP handler does not load aws4fetch', () => {
    const src = pathToFileURL(join(import.meta.dirname, '..')).href;
    const server = modulesLoadedBy(`await import(${JSON.stringify(`${src}/index.ts`)});\n`);
    expect(server.some((url) => url.endsWith('/src/index.ts'))).toBe(true);
    expect(server.filter((url) => url.includes('/lambda/') || url.includes('aws4fetch'))).toEqual([]);
    const lambda = modulesLoadedBy(
      `const { createLambdaHandler } = await import(${JSON.stringify(`${src}/lambda/index.ts`)});\n` +
        `const { makeTinyApp } = await import(${JSON.stringify(`${src}/test-support/tiny-app.ts`)});\n` +
        `const { model } = makeTinyApp(); await model.train();\n` +
        `const answer = await createLambdaHandler(model)({ version: '2.0', rawPath: '/predict', requestContext: { http: { method: 'POST' } }, body: '{"features": [{"x": 1, "x2": 2}]}' });\n` +
        `if (answer.body !== '[0]') throw new Error(JSON.stringify(answer));\n`,
    );
    expect(lambda.some((url) => url.endsWith('/lambda/http.ts'))).toBe(true);
    expect(lambda.filter((url) => url.includes('aws4fetch'))).toEqual([]);
  });
});
