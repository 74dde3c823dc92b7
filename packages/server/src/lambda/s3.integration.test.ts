// createS3EventHandler against s3rver, an S3 emulator on loopback that checks Signature V4 (real S3 is not reachable
// from the tests): AWS's sample S3 event (events/s3-put.json) and variations of it, objects read and predictions
// written through S3's API, the predictions compared with what the HTTP server answers for the same records.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel, type AnyModel } from '@unionml/core';
import { startTestS3, type TestS3 } from '@unionml/testing';
import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from '../server.js';
import { EXAMPLES, recordingLogger, sampleEvent, trainDigits } from '../test-support/lambda.js';
import { FAIL_X, makeTinyApp, trainedTinyApp } from '../test-support/tiny-app.js';
import { createS3EventHandler, type S3Event, type S3EventHandler } from './index.js';

const BUCKET = 'lambda-artifacts-deafc19498e3f2df'; // the sample event's bucket
const EXAMPLE_BUCKET = 'my-unionml-bucket'; // the bucket of examples/aws-lambda-s3/events/s3-put.json
const ROWS = [
  { x: 1, x2: 2 },
  { x: 70, x2: 140 },
  { x: 45, x2: 90 },
];
const root = mkdtempSync(join(tmpdir(), 'unionml-lambda-s3-'));
const modelFile = join(root, 'model.json');
const log = recordingLogger();
let s3: TestS3;
let client: AwsClient;
let model: AnyModel;
let handler: S3EventHandler;
let server: PredictionServer;
let base: string;

beforeAll(async () => {
  s3 = await startTestS3(join(root, 's3rver'), [BUCKET, EXAMPLE_BUCKET]);
  client = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: 's3', region: 'us-east-1', retries: 0 });
  await (await trainedTinyApp()).model.save(modelFile);
  model = makeTinyApp().model;
  // As in Lambda: the role's temporary credentials come with a session token.
  handler = createS3EventHandler(model, { modelPath: modelFile, env: { ...s3.env, AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLE' }, logger: log });
  server = createServer(model, { port: 0, logger: recordingLogger() });
  base = (await server.listen()).url;
});

afterAll(async () => {
  await server?.close();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

const url = (key: string, bucket = BUCKET) => `${s3.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

async function putObject(key: string, body: string, bucket = BUCKET): Promise<void> {
  const response = await client.fetch(url(key, bucket), { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
  expect(response.status, await response.text()).toBe(200);
}

async function getObject(key: string, bucket = BUCKET): Promise<{ status: number; type: string | null; text: string }> {
  const response = await client.fetch(url(key, bucket), { method: 'GET' });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The sample S3 event for these (URL-encoded, as S3 writes them) keys. */
function eventFor(...keys: string[]): S3Event {
  const sample = sampleEvent('s3-put') as unknown as { Records: [Record<string, unknown> & { s3: { object: Record<string, unknown> } }] };
  const [template] = sample.Records;
  return { Records: keys.map((key) => ({ ...template, s3: { ...template.s3, object: { ...template.s3.object, key } } })) } as unknown as S3Event;
}

/** What the HTTP server answers to POST /predict with these records. */
async function httpPredictions(features: unknown[]): Promise<string> {
  const response = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });
  expect(response.status).toBe(200);
  return response.text();
}

describe('createS3EventHandler with s3rver', () => {
  it('predicts the features of the sample event (its key URL-decoded) and writes them under predictions/', async () => {
    await putObject('features/sample records(1).json', JSON.stringify(ROWS));
    const summary = await handler(sampleEvent('s3-put') as unknown as S3Event);
    expect(summary).toEqual({
      predicted: [{ bucket: BUCKET, key: 'features/sample records(1).json', predictionsKey: 'predictions/sample records(1).json', records: 3 }],
      skipped: [],
    });
    const written = await getObject('predictions/sample records(1).json');
    expect(written).toEqual({ status: 200, type: 'application/json', text: await httpPredictions(ROWS) });
    expect(JSON.parse(written.text)).toEqual([0, 1, 0]);
    expect(log.lines).toContain(
      `info: predicted 3 records of s3://${BUCKET}/features/sample records(1).json into s3://${BUCKET}/predictions/sample records(1).json`,
    );
  });

  it('takes {"features": [...]} too, keeps sub-folders, and skips what it wrote', async () => {
    await putObject('features/2024/01/day.json', JSON.stringify({ features: ROWS.slice(1) }));
    const summary = await handler(eventFor('features/2024/01/day.json', 'predictions/2024/01/day.json'));
    expect(summary.predicted).toEqual([{ bucket: BUCKET, key: 'features/2024/01/day.json', predictionsKey: 'predictions/2024/01/day.json', records: 2 }]);
    expect(summary.skipped).toHaveLength(1);
    expect((await getObject('predictions/2024/01/day.json')).text).toBe(await httpPredictions(ROWS.slice(1)));
  });

  it('attempts every record, then fails the invocation with the first bad object, naming it and the others', async () => {
    await putObject('features/good.json', JSON.stringify(ROWS));
    await putObject('features/broken.json', '[{"x": 1, "x2": 2},]');
    await putObject('features/columns.json', '[{"x": 1}]');
    const failing = handler(eventFor('features/broken.json', 'features/good.json', 'features/columns.json'));
    await expect(failing).rejects.toMatchObject({
      code: 'LAMBDA_S3_OBJECT_INVALID',
      kind: 'input',
      message: expect.stringMatching(
        new RegExp(
          `^s3://${BUCKET}/features/broken\\.json: the object is not valid JSON: trailing comma before \\] at line 1, column 20.*; 1 more object failed: s3://${BUCKET}/features/columns\\.json \\(LAMBDA_S3_OBJECT_INVALID\\)$`,
          's',
        ),
      ) as string,
    });
    // The good object was predicted all the same; the bad ones have no predictions.
    expect((await getObject('predictions/good.json')).text).toBe(await httpPredictions(ROWS));
    expect((await getObject('predictions/broken.json')).status).toBe(404);
    expect((await getObject('predictions/columns.json')).status).toBe(404);
    // Each failure is logged, with its hint.
    expect(log.lines.filter((l) => l.startsWith(`error: s3://${BUCKET}/features/`))).toEqual([
      expect.stringMatching(/^error: .*\/features\/broken\.json: the object is not valid JSON: trailing comma[^]*\n {2}hint: upload a JSON array of records/),
      expect.stringMatching(/^error: .*\/features\/columns\.json: DATA_COLUMNS_MISSING: missing column x2 in the features; present: x\n {2}hint: /),
    ]);
  });

  it.each([
    ['an object that is not records', '{"rows": []}', 'expected a JSON array of records or {"features": [records]}, got an object with keys rows'],
    [
      '"features" that is not an array',
      '{"features": {"x": 1}}',
      'expected a JSON array of records or {"features": [records]}, got an object with keys features whose "features" is an object',
    ],
    ['a JSON string', '"x"', 'expected a JSON array of records or {"features": [records]}, got a string'],
    ['records of the wrong type', '[{"x": "one", "x2": 2}]', `DATA_NOT_NUMERIC: column 'x' row 0 is not a finite number: "one"`],
    ['no records', '[]', 'DATA_INVALID: the features have no records'],
    ['JSON nested too deep', `${'['.repeat(80)}${']'.repeat(80)}`, 'its JSON nests arrays and objects more than 64 levels deep'],
  ])('refuses %s with LAMBDA_S3_OBJECT_INVALID naming the key', async (_what, body, message) => {
    await putObject('features/bad.json', body);
    await expect(handler(eventFor('features/bad.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_OBJECT_INVALID',
      message: `s3://${BUCKET}/features/bad.json: ${message}`,
    });
  });

  it('reports a predictor that throws as LAMBDA_S3_PREDICTION_FAILED', async () => {
    await putObject('features/fail.json', JSON.stringify([{ x: FAIL_X, x2: 26 }]));
    await expect(handler(eventFor('features/fail.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_PREDICTION_FAILED',
      kind: 'app',
      message: `the prediction for s3://${BUCKET}/features/fail.json failed: cannot predict x = ${FAIL_X}`,
    });
  });

  it('refuses objects over maxObjectBytes', async () => {
    await putObject('features/big.json', JSON.stringify(ROWS));
    const small = createS3EventHandler(model, { env: s3.env, maxObjectBytes: 16, logger: recordingLogger() });
    await expect(small(eventFor('features/big.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_OBJECT_INVALID',
      message: `s3://${BUCKET}/features/big.json is ${JSON.stringify(ROWS).length} bytes, more than the 16 bytes the handler reads`,
    });
  });

  it('reports what S3 refuses as LAMBDA_S3_REQUEST_FAILED: a missing object, a wrong key, an unreachable endpoint', async () => {
    await expect(handler(eventFor('features/absent.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_REQUEST_FAILED',
      status: 502,
      message: `cannot read s3://${BUCKET}/features/absent.json: S3 answered 404 NoSuchKey: The specified key does not exist.`,
    });
    await putObject('features/ok.json', JSON.stringify(ROWS));
    // s3rver checks the access key id of a Signature V4 request, not the signature itself (its authentication.js:
    // "Signature version 4 calculation is unimplemented"): an unknown key id is what it refuses.
    const forged = createS3EventHandler(model, { env: { ...s3.env, AWS_ACCESS_KEY_ID: 'WRONG' }, logger: recordingLogger() });
    await expect(forged(eventFor('features/ok.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_REQUEST_FAILED',
      message: `cannot read s3://${BUCKET}/features/ok.json: S3 answered 403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.`,
      hint: `give the function's role s3:GetObject on arn:aws:s3:::${BUCKET}/*`,
    });
    const nowhere = createS3EventHandler(model, { env: { ...s3.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' }, logger: recordingLogger() });
    await expect(nowhere(eventFor('features/ok.json'))).rejects.toMatchObject({
      code: 'LAMBDA_S3_REQUEST_FAILED',
      message: expect.stringContaining(`cannot read s3://${BUCKET}/features/ok.json: S3 cannot be reached`) as string,
    });
  });
});

describe('examples/aws-lambda-s3 (the basic-aws-lambda-s3 template)', () => {
  it('predicts data/sample_features.json uploaded to features/, from events/s3-put.json, into predictions/', async () => {
    const digitsModel = join(root, 'digits.json');
    trainDigits(digitsModel);
    const sample = readFileSync(join(EXAMPLES, 'digits', 'data', 'sample_features.json'), 'utf8');
    await putObject('features/sample_features.json', sample, EXAMPLE_BUCKET);
    // The variables Lambda sets (here pointing at s3rver), and the model file the image names.
    const saved = { ...process.env };
    Object.assign(process.env, s3.env, { AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLE', UNIONML_MODEL_PATH: digitsModel });
    try {
      const { handler: example } = (await import(pathToFileURL(join(EXAMPLES, 'aws-lambda-s3', 'handler.ts')).href)) as { handler: S3EventHandler };
      const event = JSON.parse(readFileSync(join(EXAMPLES, 'aws-lambda-s3', 'events', 's3-put.json'), 'utf8')) as S3Event;
      expect(await example(event)).toEqual({
        predicted: [{ bucket: EXAMPLE_BUCKET, key: 'features/sample_features.json', predictionsKey: 'predictions/sample_features.json', records: 5 }],
        skipped: [],
      });
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
    const digits = await loadModel('app:model', { cwd: join(EXAMPLES, 'digits') });
    expect(digits.artifact?.loadedFrom?.path).toBe(digitsModel); // the handler loaded it into the digits app's model
    const written = await getObject('predictions/sample_features.json', EXAMPLE_BUCKET);
    expect(written.status).toBe(200);
    expect(JSON.parse(written.text)).toEqual(await digits.predict({ features: JSON.parse(sample) as unknown[] }));
  }, 120_000);
});
