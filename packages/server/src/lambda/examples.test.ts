// The Lambda example apps (examples/aws-lambda, the basic-aws-lambda template): their handler.ts, with the digits
// model trained here, answers their sample events (events/*.json, for `sam local invoke`) as the HTTP server answers
// the same requests. The Lambda runtime itself (the base image, SAM) cannot run here: no Docker daemon nor network.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel, type AnyModel } from '@unionml/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PredictionServer } from '../server.js';
import { EXAMPLES as examples, recordingLogger, trainDigits } from '../test-support/lambda.js';
import type { LambdaHttpHandler } from './index.js';

const samples = JSON.parse(readFileSync(join(examples, 'digits', 'data', 'sample_features.json'), 'utf8')) as Record<string, number>[];
const modelFile = join(mkdtempSync(join(tmpdir(), 'unionml-lambda-examples-')), 'model.json');
const event = (name: string): unknown => JSON.parse(readFileSync(join(examples, 'aws-lambda', 'events', `${name}.json`), 'utf8'));

let digits: AnyModel;
let handler: LambdaHttpHandler;
let server: PredictionServer;
let base: string;

beforeAll(async () => {
  // Trained in a process of its own, so that the handler's model, which is the digits app's, starts without an artifact.
  trainDigits(modelFile);
  // As the image does (Dockerfile.awslambda): the model file named by UNIONML_MODEL_PATH.
  process.env['UNIONML_MODEL_PATH'] = modelFile;
  ({ handler } = (await import(pathToFileURL(join(examples, 'aws-lambda', 'handler.ts')).href)) as { handler: LambdaHttpHandler });
  // The HTTP server of the comparisons serves the same file, loaded into the digits app's model.
  digits = await loadModel('app:model', { cwd: join(examples, 'digits') });
  server = createServer(digits, { port: 0, logger: recordingLogger() });
  base = (await server.listen()).url;
}, 120_000);

afterAll(async () => {
  delete process.env['UNIONML_MODEL_PATH'];
  await server?.close();
});

describe('examples/aws-lambda (the basic-aws-lambda template)', () => {
  it('loads the model from UNIONML_MODEL_PATH on the first event (events/http-api-health.json)', async () => {
    expect(digits.artifact).toBeUndefined();
    const answer = await handler(event('http-api-health') as never);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'OK', status: 200, model: 'digits_classifier', path: modelFile });
    // The same app module: the model the handler loaded is the digits app's.
    expect(digits.artifact?.loadedFrom?.path).toBe(modelFile);
  });

  it.each(['http-api-predict', 'rest-api-predict'])('predicts the 5 digits of data/sample_features.json from events/%s.json', async (name) => {
    const answer = await handler(event(name) as never);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toEqual({ 'content-type': 'application/json' });
    const http = await fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify({ features: samples }) });
    expect(answer.body).toBe(await http.text());
    expect(JSON.parse(answer.body)).toEqual(await digits.predict({ features: samples }));
    expect(JSON.parse(answer.body)).toHaveLength(5);
  });
});
