// Predictions from S3 events (Python UnionML's basic-aws-lambda-s3 template): for each object created under
// features/ with a .json name, read its records, predict, and write the predictions under predictions/ in the same
// bucket.
import { stderrLogger, type AnyModel, type Logger } from '@unionml/core';
import { kind, parseJson } from '@unionml/data';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { DEFAULT_MAX_BODY_DEPTH, exceedsDepth } from '../body.js';
import { ServerError } from '../errors.js';
import { assertModel } from '../options.js';
import { serializePrediction } from '../routes.js';
import type { LambdaContext } from './http.js';
import { modelLoader, type ModelFileOptions } from './model-loader.js';
import { s3Objects, s3Settings, type S3Objects } from './s3-client.js';

/** The fields of an S3 event notification record that the handler reads. */
export interface S3EventRecord {
  eventSource?: string;
  /** E.g. `ObjectCreated:Put`. */
  eventName?: string;
  s3: {
    bucket: { name: string };
    /** The key, URL-encoded as S3 encodes it in events (`+` for a space). */
    object: { key: string; size?: number };
  };
}

/** An S3 event notification, as S3 sends it to Lambda. */
export interface S3Event {
  Records: readonly S3EventRecord[];
}

/** Options of {@link createS3EventHandler}. */
export interface S3EventHandlerOptions extends ModelFileOptions {
  /** The prefix of the keys of feature objects. Default `'features/'`. */
  featuresPrefix?: string;
  /** The end of the keys of feature objects. Default `'.json'`. */
  featuresSuffix?: string;
  /**
   * Where predictions are written: the key of `features/a/b.json` becomes `predictions/a/b.json`. Default
   * `'predictions/'`. It must not overlap `featuresPrefix` (the handler would trigger itself).
   */
  predictionsPrefix?: string;
  /** The largest feature object read, in bytes. Default 16 MiB. */
  maxObjectBytes?: number;
  /** The deepest nesting of arrays and objects accepted in a feature object. Default 64. */
  maxDepth?: number;
  /** Where the handler logs (each object predicted, and each failure). Default `stderrLogger` (CloudWatch in Lambda). */
  logger?: Logger;
}

/** What one invocation did: the objects predicted and the records skipped. */
export interface S3EventSummary {
  predicted: { bucket: string; key: string; predictionsKey: string; records: number }[];
  skipped: { bucket?: string; key?: string; reason: string }[];
}

/** A Lambda handler for S3 events. */
export type S3EventHandler = (event: S3Event, context?: LambdaContext) => Promise<S3EventSummary>;

/** The default largest feature object: 16 MiB. */
export const DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * A Lambda handler for S3 notifications: for each record of an `ObjectCreated:*` event whose key is under
 * `featuresPrefix` and ends with `featuresSuffix` (`features/*.json`), it reads the object (a JSON array of records,
 * or `{"features": [records]}`), predicts, and writes the predictions (the JSON the HTTP server answers to
 * `POST /predict`) to the same key under `predictionsPrefix` (`predictions/*.json`) in the same bucket. Keys are
 * URL-decoded as S3 encodes them in events (`+` is a space). Other records are skipped (and listed in the summary),
 * among them the keys under `predictionsPrefix`, so that a trigger without a prefix filter cannot loop.
 *
 * The model is loaded on the first event, as by `createLambdaHandler`. S3 is reached with the credentials Lambda
 * provides (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`); `AWS_ENDPOINT_URL_S3`
 * or `AWS_ENDPOINT_URL` selects another endpoint (path-style).
 *
 * Failures, as Python UnionML's template: the invocation fails, so that Lambda retries it (S3 invokes asynchronously:
 * twice more by default, then the event goes to the function's on-failure destination or dead-letter queue, if any).
 * Every record is attempted first; then the invocation throws the first record's error, which names its key, with
 * the other failed keys in its message (each failure is also logged): `LAMBDA_S3_OBJECT_INVALID` for an object that
 * is not usable features, `LAMBDA_S3_PREDICTION_FAILED` when the predictor throws, `LAMBDA_S3_REQUEST_FAILED` when S3
 * refuses, `LAMBDA_MODEL_NOT_LOADED` when the model cannot be loaded. Predictions already written stay (a retry
 * writes them again, with the same content).
 *
 * @example
 * ```ts
 * // handler.ts
 * import { createS3EventHandler } from '@unionml/server/lambda';
 * import { model } from './app.js';
 * export const handler = createS3EventHandler(model, { defaultModelPath: new URL('./model.json', import.meta.url) });
 * ```
 */
export function createS3EventHandler(model: AnyModel, options: S3EventHandlerOptions = {}): S3EventHandler {
  assertModel(model, 'createS3EventHandler');
  const {
    featuresPrefix = 'features/',
    featuresSuffix = '.json',
    predictionsPrefix = 'predictions/',
    maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES,
    maxDepth = DEFAULT_MAX_BODY_DEPTH,
    logger = stderrLogger,
  } = options;
  checkOptions({ featuresPrefix, featuresSuffix, predictionsPrefix, maxObjectBytes, maxDepth });
  const ensureModel = modelLoader(model, options, logger);
  let objects: S3Objects | undefined;

  const predictObject = async (s3: S3Objects, bucket: string, key: string, predictionsKey: string): Promise<number> => {
    const where = `s3://${bucket}/${key}`;
    const bytes = await s3.get(bucket, key, maxObjectBytes);
    const text = bytes.toString('utf8', bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
    const invalid = (message: string, cause?: unknown, hint?: string) =>
      new ServerError('LAMBDA_S3_OBJECT_INVALID', `${where}: ${message}`, { ...(hint ? { hint } : {}), cause });
    if (exceedsDepth(text, maxDepth)) throw invalid(`its JSON nests arrays and objects more than ${maxDepth} levels deep`);
    let json: unknown;
    try {
      json = parseJson(text, 'the object');
    } catch (error) {
      throw invalid(errorMessage(error), error, 'upload a JSON array of records, [{"column": value, ...}]');
    }
    const features: unknown = Array.isArray(json) ? json : json !== null && typeof json === 'object' && 'features' in json ? json.features : undefined;
    if (!Array.isArray(features)) {
      const got =
        json !== null && typeof json === 'object' && !Array.isArray(json)
          ? `an object with ${Object.keys(json).length ? `keys ${Object.keys(json).slice(0, 5).join(', ')}` : 'no keys'}`
          : kind(json);
      throw invalid(
        `expected a JSON array of records or {"features": [records]}, got ${got}${features !== undefined ? ` whose "features" is ${kind(features)}` : ''}`,
      );
    }
    let prediction: string;
    try {
      prediction = serializePrediction(await model.predict({ features }, { logger }));
    } catch (error) {
      if (isUnionMLError(error) && error.kind === 'input') throw invalid(`${error.code}: ${error.message}`, error, error.hint);
      throw new ServerError(
        'LAMBDA_S3_PREDICTION_FAILED',
        `the prediction for ${where} failed: ${isUnionMLError(error) ? `${error.code}: ` : ''}${errorMessage(error)}`,
        {
          ...(isUnionMLError(error) && error.hint ? { hint: error.hint } : {}),
          cause: error,
        },
      );
    }
    await s3.put(bucket, predictionsKey, prediction, 'application/json');
    return features.length;
  };

  return async (event) => {
    const records = recordsOf(event);
    const summary: S3EventSummary = { predicted: [], skipped: [] };
    const work: { bucket: string; key: string; predictionsKey: string }[] = [];
    for (const record of records) {
      const bucket = record?.s3?.bucket?.name;
      const rawKey = record?.s3?.object?.key;
      if (typeof bucket !== 'string' || typeof rawKey !== 'string') {
        summary.skipped.push({ reason: 'the record has no s3.bucket.name or s3.object.key' });
        continue;
      }
      const key = decodeKey(rawKey);
      const skip = (reason: string) => summary.skipped.push({ bucket, key, reason });
      if (record.eventSource !== undefined && record.eventSource !== 'aws:s3') skip(`its eventSource is ${String(record.eventSource)}, not aws:s3`);
      else if (typeof record.eventName === 'string' && !record.eventName.startsWith('ObjectCreated:'))
        skip(`${record.eventName} is not an ObjectCreated event`);
      else if (key.startsWith(predictionsPrefix)) skip(`the key is under ${predictionsPrefix}, where predictions are written`);
      else if (!key.startsWith(featuresPrefix) || !key.endsWith(featuresSuffix) || key.length <= featuresPrefix.length + featuresSuffix.length) {
        skip(`the key is not ${featuresPrefix}*${featuresSuffix}`);
      } else work.push({ bucket, key, predictionsKey: predictionsPrefix + key.slice(featuresPrefix.length) });
    }
    for (const s of summary.skipped) logger.info(`skipped ${s.bucket && s.key ? `s3://${s.bucket}/${s.key}` : 'a record'}: ${s.reason}`);
    if (work.length === 0) return summary;

    const loading = ensureModel();
    if (loading) await loading;
    objects ??= s3Objects(s3Settings(options.env ?? process.env));
    const failures: { where: string; error: unknown }[] = [];
    for (const { bucket, key, predictionsKey } of work) {
      try {
        const records = await predictObject(objects, bucket, key, predictionsKey);
        summary.predicted.push({ bucket, key, predictionsKey, records });
        logger.info(`predicted ${records} record${records === 1 ? '' : 's'} of s3://${bucket}/${key} into s3://${bucket}/${predictionsKey}`);
      } catch (error) {
        failures.push({ where: `s3://${bucket}/${key}`, error });
        logger.error(isUnionMLError(error) ? error.describe() : error instanceof Error && error.stack ? error.stack : errorMessage(error));
      }
    }
    if (failures.length === 0) return summary;
    const [first, ...others] = failures;
    const error = first!.error;
    if (!others.length) throw error;
    const more = `; ${others.length} more object${others.length === 1 ? '' : 's'} failed: ${others.map((f) => `${f.where} (${isUnionMLError(f.error) ? f.error.code : 'error'})`).join(', ')}`;
    if (error instanceof ServerError)
      throw new ServerError(error.code, `${error.message}${more}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error.cause });
    throw error;
  };
}

/** An S3 key as S3 writes it in event notifications, decoded: `+` is a space, `%XX` an escaped byte. */
export function decodeKey(key: string): string {
  const spaced = key.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // not valid percent-encoding: taken as it is
  }
}

function recordsOf(event: unknown): readonly S3EventRecord[] {
  const records = event !== null && typeof event === 'object' ? (event as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(records)) {
    const http = event !== null && typeof event === 'object' && ('httpMethod' in event || 'requestContext' in event);
    throw new ServerError(
      'LAMBDA_EVENT_UNSUPPORTED',
      `the event is not an S3 notification: ${event !== null && typeof event === 'object' ? 'it has no "Records" array' : `it is ${kind(event)}`}`,
      {
        hint: http
          ? 'this looks like an HTTP event of API Gateway or a function URL: handle it with createLambdaHandler'
          : 'trigger the function with S3 ObjectCreated notifications, or invoke it with the sample event (sam local invoke -e events/s3-put.json)',
      },
    );
  }
  return records as readonly S3EventRecord[];
}

function checkOptions(o: { featuresPrefix: string; featuresSuffix: string; predictionsPrefix: string; maxObjectBytes: number; maxDepth: number }): void {
  for (const name of ['featuresPrefix', 'featuresSuffix', 'predictionsPrefix'] as const) {
    if (typeof o[name] !== 'string') throw new ServerError('SERVER_OPTIONS_INVALID', `${name} must be a string, got ${kind(o[name])}`);
  }
  if (!o.predictionsPrefix) {
    throw new ServerError('SERVER_OPTIONS_INVALID', 'predictionsPrefix must not be empty: predictions would be written next to the features', {
      hint: "use a prefix of its own, e.g. 'predictions/'",
    });
  }
  if (o.predictionsPrefix.startsWith(o.featuresPrefix) || o.featuresPrefix.startsWith(o.predictionsPrefix)) {
    throw new ServerError(
      'SERVER_OPTIONS_INVALID',
      `predictionsPrefix '${o.predictionsPrefix}' overlaps featuresPrefix '${o.featuresPrefix}': the predictions written would trigger the function again`,
      { hint: "keep them apart, e.g. featuresPrefix 'features/' and predictionsPrefix 'predictions/'" },
    );
  }
  for (const name of ['maxObjectBytes', 'maxDepth'] as const) {
    if (!Number.isInteger(o[name]) || o[name] <= 0)
      throw new ServerError('SERVER_OPTIONS_INVALID', `${name} must be a positive integer, got ${String(o[name])}`);
  }
}
