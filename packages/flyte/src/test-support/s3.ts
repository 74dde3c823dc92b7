import { createRequire } from 'node:module';

/** A running in-process s3rver (an S3 emulator) for tests. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** FLYTE_AWS_* variables pointing at it (s3rver's fixed credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 and a free port, storing objects under `directory`, with the given buckets. */
export async function startTestS3(directory: string, buckets: string[] = ['flyte']): Promise<TestS3> {
  // s3rver ships no types; it is a devDependency used by tests only.
  const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { FLYTE_AWS_ENDPOINT: endpoint, FLYTE_AWS_ACCESS_KEY_ID: 'S3RVER', FLYTE_AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    close: () => server.close(),
  };
}
