// An S3 emulator for the packages' tests: s3rver, in process, on loopback.
import { createRequire } from 'node:module';

/** A running s3rver (an S3 emulator) on 127.0.0.1. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** s3rver's fixed credentials (it checks the signatures made with them). */
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * The standard AWS variables pointing at it: `AWS_ENDPOINT_URL_S3`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
   * `AWS_REGION` (`us-east-1`).
   */
  env: Record<string, string>;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}

/** s3rver accepts requests signed with these (and refuses others with 403). */
const S3RVER_KEY = 'S3RVER';

/**
 * Starts s3rver on 127.0.0.1 and a free port, storing its objects under `directory`, with the given buckets. Requests
 * must be signed (Signature V4) with {@link TestS3.accessKeyId} and {@link TestS3.secretAccessKey}; s3rver supports
 * path-style addresses (`<endpoint>/<bucket>/<key>`).
 */
export async function startTestS3(directory: string, buckets: readonly string[] = []): Promise<TestS3> {
  // s3rver ships no types; it is loaded only by the tests that start it.
  const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
    env: { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY, AWS_REGION: 'us-east-1' },
    close: () => server.close(),
  };
}
