// createS3EventHandler without S3: which records it takes, its options, its refusals. Reading and writing objects is in
// s3.integration.test.ts (s3rver, an S3 emulator on loopback; real S3 is not reachable from the tests).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, sampleEvent } from '../test-support/lambda.js';
import { makeTinyApp, trainedTinyApp } from '../test-support/tiny-app.js';
import { createS3EventHandler, decodeKey, type S3Event } from './index.js';
import { objectUrl, s3Settings } from './s3-client.js';

const modelFile = join(mkdtempSync(join(tmpdir(), 'unionml-lambda-s3-')), 'model.json');

beforeAll(async () => {
  await (await trainedTinyApp()).model.save(modelFile);
});

/** The sample S3 event with the given records' keys (and event names). */
function s3Event(...records: { key: string; eventName?: string; eventSource?: string }[]): S3Event {
  const sample = sampleEvent('s3-put') as unknown as { Records: [Record<string, unknown> & { s3: { object: Record<string, unknown> } }] };
  const template = sample.Records[0];
  return {
    Records: records.map(({ key, eventName, eventSource }) => ({
      ...template,
      ...(eventName ? { eventName } : {}),
      ...(eventSource ? { eventSource } : {}),
      s3: { ...template.s3, object: { ...template.s3.object, key } },
    })) as unknown as S3Event['Records'],
  };
}

describe('decodeKey', () => {
  it.each([
    ['features/sample+records%281%29.json', 'features/sample records(1).json'],
    ['features/a%2Bb.json', 'features/a+b.json'],
    ['features/%C3%A9t%C3%A9.json', 'features/été.json'],
    ['features/plain.json', 'features/plain.json'],
    ['features/bad%zz.json', 'features/bad%zz.json'],
  ])('decodes %s as S3 encodes keys in events', (raw, key) => {
    expect(decodeKey(raw)).toBe(key);
  });
});

describe('createS3EventHandler', () => {
  it('skips records that are not new features/*.json objects, without loading the model or reaching S3', async () => {
    const logger = recordingLogger();
    const model = makeTinyApp().model;
    // No model file and no credentials: neither is needed when nothing is to be predicted.
    const handler = createS3EventHandler(model, { env: {}, logger });
    const summary = await handler(
      s3Event(
        { key: 'predictions/sample.json' },
        { key: 'features/notes.txt' },
        { key: 'other/sample.json' },
        { key: 'features/.json' },
        { key: 'features/sample.json', eventName: 'ObjectRemoved:Delete' },
        { key: 'features/sample.json', eventSource: 'aws:sqs' },
      ),
    );
    expect(summary.predicted).toEqual([]);
    const bucket = 'lambda-artifacts-deafc19498e3f2df';
    expect(summary.skipped).toEqual([
      { bucket, key: 'predictions/sample.json', reason: 'the key is under predictions/, where predictions are written' },
      { bucket, key: 'features/notes.txt', reason: 'the key is not features/*.json' },
      { bucket, key: 'other/sample.json', reason: 'the key is not features/*.json' },
      { bucket, key: 'features/.json', reason: 'the key is not features/*.json' },
      { bucket, key: 'features/sample.json', reason: 'ObjectRemoved:Delete is not an ObjectCreated event' },
      { bucket, key: 'features/sample.json', reason: 'its eventSource is aws:sqs, not aws:s3' },
    ]);
    expect(model.artifact).toBeUndefined();
    expect(logger.lines).toContain(`info: skipped s3://${bucket}/features/notes.txt: the key is not features/*.json`);
    expect(await handler({ Records: [] })).toEqual({ predicted: [], skipped: [] });
    expect((await handler({ Records: [{}] } as never)).skipped).toEqual([{ reason: 'the record has no s3.bucket.name or s3.object.key' }]);
  });

  it('takes other prefixes and suffixes', async () => {
    const handler = createS3EventHandler(makeTinyApp().model, { env: {}, featuresPrefix: 'in/', featuresSuffix: '.rows.json', predictionsPrefix: 'out/' });
    const summary = await handler(s3Event({ key: 'features/a.json' }, { key: 'in/a.json' }, { key: 'out/a.rows.json' }));
    expect(summary.skipped.map((s) => s.reason)).toEqual([
      'the key is not in/*.rows.json',
      'the key is not in/*.rows.json',
      'the key is under out/, where predictions are written',
    ]);
  });

  it('fails the invocation without AWS credentials, once there is an object to read', async () => {
    const handler = createS3EventHandler(makeTinyApp().model, { modelPath: modelFile, env: {}, logger: recordingLogger() });
    await expect(handler(sampleEvent('s3-put') as unknown as S3Event)).rejects.toMatchObject({
      code: 'LAMBDA_S3_CREDENTIALS_MISSING',
      message: 'cannot read or write S3 objects: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set',
    });
  });

  it('fails the invocation with LAMBDA_MODEL_NOT_LOADED when the model file is missing, and tries again on the next event', async () => {
    const model = makeTinyApp().model;
    const handler = createS3EventHandler(model, { modelPath: join(tmpdir(), 'no-such-model.json'), env: {}, logger: recordingLogger() });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(handler(sampleEvent('s3-put') as unknown as S3Event)).rejects.toMatchObject({
        code: 'LAMBDA_MODEL_NOT_LOADED',
        message: expect.stringContaining('MODEL_FILE_NOT_FOUND') as string,
      });
    }
  });

  it('refuses events that are not S3 notifications, saying which handler takes them', async () => {
    const handler = createS3EventHandler(makeTinyApp().model, { env: {} });
    await expect(handler(sampleEvent('http-api-v2') as never)).rejects.toMatchObject({
      code: 'LAMBDA_EVENT_UNSUPPORTED',
      message: 'the event is not an S3 notification: it has no "Records" array',
      hint: expect.stringContaining('createLambdaHandler') as string,
    });
    await expect(handler('x' as never)).rejects.toMatchObject({ code: 'LAMBDA_EVENT_UNSUPPORTED', message: expect.stringContaining('a string') as string });
  });

  it('refuses prefixes that would make it trigger itself, and bad limits', () => {
    const model = makeTinyApp().model;
    const refuse = (options: Parameters<typeof createS3EventHandler>[1], message: string) =>
      expect(() => createS3EventHandler(model, options)).toThrow(
        expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID', message: expect.stringContaining(message) as string }),
      );
    refuse({ predictionsPrefix: 'features/out/' }, "predictionsPrefix 'features/out/' overlaps featuresPrefix 'features/'");
    refuse({ featuresPrefix: '' }, 'overlaps');
    refuse({ featuresPrefix: 'data/', predictionsPrefix: 'data/' }, 'overlaps');
    refuse({ predictionsPrefix: '' }, 'predictionsPrefix must not be empty');
    refuse({ maxObjectBytes: 0 }, 'maxObjectBytes must be a positive integer');
    refuse({ featuresSuffix: 3 as never }, 'featuresSuffix must be a string');
    expect(() => createS3EventHandler({} as never)).toThrow(expect.objectContaining({ code: 'SERVER_OPTIONS_INVALID' }));
  });
});

describe('the S3 client', () => {
  it('reads the settings Lambda provides, and an endpoint', () => {
    expect(s3Settings({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: 'T', AWS_REGION: 'eu-west-3' })).toEqual({
      region: 'eu-west-3',
      endpoint: undefined,
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
    });
    expect(s3Settings({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000/' })).toMatchObject({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
    });
    expect(s3Settings({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' }).endpoint).toBe(
      'http://s3',
    );
    expect(() => s3Settings({ AWS_ACCESS_KEY_ID: 'A' })).toThrow('AWS_SECRET_ACCESS_KEY is not set');
  });

  it('addresses objects virtual-hosted on AWS, path-style on an endpoint or for buckets with dots, keys encoded as SigV4 signs them', () => {
    const aws = { region: 'us-east-2', endpoint: undefined };
    expect(objectUrl(aws, 'my-bucket', "features/a b+(1)!'*.json")).toBe('https://my-bucket.s3.us-east-2.amazonaws.com/features/a%20b%2B%281%29%21%27%2A.json');
    expect(objectUrl(aws, 'my.bucket', 'k.json')).toBe('https://s3.us-east-2.amazonaws.com/my.bucket/k.json');
    expect(objectUrl({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4568' }, 'b', 'features/été.json')).toBe(
      'http://127.0.0.1:4568/b/features/%C3%A9t%C3%A9.json',
    );
  });
});
