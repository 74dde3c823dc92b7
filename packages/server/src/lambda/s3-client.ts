// The little of S3 the S3 event handler needs, GET and PUT of one object, signed with AWS Signature V4 by aws4fetch
// (loaded on the first request: the HTTP handler never loads it). Credentials and region come from the variables
// Lambda sets from the execution role; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL point it elsewhere (an S3 emulator, a
// MinIO), with path-style addresses.
import type { AwsClient } from 'aws4fetch';
import { errorMessage } from '@unionml/errors';
import { ServerError } from '../errors.js';

/** Where and as whom the client talks to S3. */
export interface S3Settings {
  region: string;
  /** An endpoint other than AWS's (path-style requests), without a trailing slash. */
  endpoint: string | undefined;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
}

/**
 * The S3 settings of `env`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (as Lambda sets them),
 * `AWS_REGION` (or `AWS_DEFAULT_REGION`, else `us-east-1`), `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`. Throws
 * `LAMBDA_S3_CREDENTIALS_MISSING` without credentials.
 */
export function s3Settings(env: NodeJS.ProcessEnv): S3Settings {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) {
    const missing = [accessKeyId ? '' : 'AWS_ACCESS_KEY_ID', secretAccessKey ? '' : 'AWS_SECRET_ACCESS_KEY'].filter(Boolean).join(' and ');
    throw new ServerError('LAMBDA_S3_CREDENTIALS_MISSING', `cannot read or write S3 objects: ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set`);
  }
  const endpoint = (env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || '').replace(/\/+$/, '') || undefined;
  return {
    region: env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1',
    endpoint,
    accessKeyId,
    secretAccessKey,
    sessionToken: env['AWS_SESSION_TOKEN'] || undefined,
  };
}

/** A key's path in a URL: each segment percent-encoded as RFC 3986 wants (as SigV4 signs it), the slashes kept. */
function keyPath(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The URL of an object: path-style on an endpoint (and for bucket names with dots), virtual-hosted on AWS otherwise. */
export function objectUrl(settings: Pick<S3Settings, 'region' | 'endpoint'>, bucket: string, key: string): string {
  if (settings.endpoint) return `${settings.endpoint}/${encodeURIComponent(bucket)}/${keyPath(key)}`;
  if (bucket.includes('.')) return `https://s3.${settings.region}.amazonaws.com/${bucket}/${keyPath(key)}`;
  return `https://${bucket}.s3.${settings.region}.amazonaws.com/${keyPath(key)}`;
}

/** GET and PUT of S3 objects. */
export interface S3Objects {
  /** The object's bytes; `LAMBDA_S3_OBJECT_INVALID` when it is larger than `maxBytes`, `LAMBDA_S3_REQUEST_FAILED` when S3 refuses. */
  get(bucket: string, key: string, maxBytes: number): Promise<Buffer>;
  put(bucket: string, key: string, body: string, contentType: string): Promise<void>;
}

/** An S3 client for `settings`. aws4fetch is imported on the first request. */
export function s3Objects(settings: S3Settings): S3Objects {
  let client: Promise<AwsClient> | undefined;
  const aws = (): Promise<AwsClient> =>
    (client ??= import('aws4fetch').then(
      ({ AwsClient }) =>
        new AwsClient({
          accessKeyId: settings.accessKeyId,
          secretAccessKey: settings.secretAccessKey,
          ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
          service: 's3',
          region: settings.region,
          retries: 2,
        }),
    ));

  const request = async (action: 'read' | 'write', bucket: string, key: string, init: RequestInit): Promise<Response> => {
    const where = `s3://${bucket}/${key}`;
    let response: Response;
    try {
      response = await (await aws()).fetch(objectUrl(settings, bucket, key), init);
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      throw new ServerError('LAMBDA_S3_REQUEST_FAILED', `cannot ${action} ${where}: S3 cannot be reached (${errorMessage(cause)})`, {
        hint: settings.endpoint
          ? `check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (${settings.endpoint})`
          : 'check the network access of the function (a VPC needs an S3 endpoint)',
        cause: error,
      });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    throw new ServerError(
      'LAMBDA_S3_REQUEST_FAILED',
      `cannot ${action} ${where}: S3 answered ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
      {
        hint:
          response.status === 403
            ? `give the function's role s3:${action === 'read' ? 'GetObject' : 'PutObject'} on arn:aws:s3:::${bucket}/*`
            : response.status === 404
              ? `the bucket or the object does not exist (${where})`
              : undefined,
      },
    );
  };

  return {
    async get(bucket, key, maxBytes) {
      const response = await request('read', bucket, key, { method: 'GET' });
      const declared = Number(response.headers.get('content-length'));
      const tooLarge = (size: number) =>
        new ServerError('LAMBDA_S3_OBJECT_INVALID', `s3://${bucket}/${key} is ${size} bytes, more than the ${maxBytes} bytes the handler reads`, {
          hint: 'split the features into smaller files, or raise maxObjectBytes',
        });
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw tooLarge(declared);
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > maxBytes) throw tooLarge(bytes.length);
      return bytes;
    },
    async put(bucket, key, body, contentType) {
      await request('write', bucket, key, { method: 'PUT', body, headers: { 'content-type': contentType } });
    },
  };
}
