import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyStorage, storageFor } from './storage.js';
import { startTestS3, type TestS3 } from './test-support/s3.js';
import { storageContract } from './test-support/storage-contract.js';

// S3 storage against real HTTP servers on loopback (s3rver, and a stand-in for paging): the integration tier.

let root: string;
let s3: TestS3;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-storage-s3-'));
  s3 = await startTestS3(join(root, 's3rver'), ['flyte', 'other']);
});

afterAll(async () => {
  await s3?.close();
});

storageContract('s3 storage (s3rver)', () => ({ storage: storageFor('s3://flyte', s3.env), base: 's3://flyte/run-1', root }));

describe('s3 storage', () => {
  it('lists many keys and decodes XML-escaped keys', async () => {
    const storage = storageFor('s3://other', s3.env);
    const keys = Array.from({ length: 40 }, (_, i) => `s3://other/many/${String(i).padStart(4, '0')}`);
    await Promise.all(keys.map((key) => storage.write(key, 'x')));
    expect(await storage.list('s3://other/many/')).toEqual(keys);
    await storage.write('s3://other/odd/a&b <c>.txt', 'odd');
    expect(await storage.list('s3://other/odd/')).toEqual(['s3://other/odd/a&b <c>.txt']);
    expect(new TextDecoder().decode(await storage.read('s3://other/odd/a&b <c>.txt'))).toBe('odd');
  });

  it('pages through ListObjectsV2 continuation tokens', async () => {
    // s3rver cannot page on Node 20 (its continuation tokens use DES, which OpenSSL 3 disabled), so a tiny server
    // speaks the same XML here.
    const all = Array.from({ length: 5 }, (_, i) => `data/k${i}&`);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url.searchParams.get('continuation-token') ?? '');
      const start = Number(url.searchParams.get('continuation-token') ?? '0');
      const page = all.slice(start, start + 2);
      const more = start + 2 < all.length;
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>data/</Prefix><KeyCount>${page.length}</KeyCount>` +
          page.map((key) => `<Contents><Key>${key.replace('&', '&amp;')}</Key><Size>1</Size></Contents>`).join('') +
          `<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${start + 2}</NextContinuationToken>` : ''}</ListBucketResult>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const storage = storageFor('s3://b', { ...s3.env, FLYTE_AWS_ENDPOINT: `http://127.0.0.1:${port}` });
      expect(await storage.list('s3://b/data/')).toEqual(all.map((key) => `s3://b/${key}`));
      expect(seen).toEqual(['', '2', '4']);
    } finally {
      server.close();
    }
  });

  it('fails clearly: a missing bucket, bad credentials, no credentials, an unreachable endpoint', async () => {
    await expect(storageFor('s3://nope', s3.env).read('s3://nope/k')).rejects.toMatchObject({
      code: 'STORAGE_NOT_FOUND',
      message: 's3://nope/k does not exist (NoSuchBucket)',
    });
    // (s3rver checks the access key id, not V4 signatures)
    await expect(storageFor('s3://flyte', { ...s3.env, FLYTE_AWS_ACCESS_KEY_ID: 'WRONG' }).read('s3://flyte/run-1/a/inputs.pb')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(/^cannot read s3:\/\/flyte\/run-1\/a\/inputs.pb: HTTP 403 InvalidAccessKeyId/) as string,
      hint: expect.stringContaining('FLYTE_AWS_ACCESS_KEY_ID') as string,
    });
    await expect(storageFor('s3://flyte', { FLYTE_AWS_ENDPOINT: s3.endpoint }).read('s3://flyte/x')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: 'cannot access s3://flyte/x: no S3 credentials',
    });
    await expect(storageFor('s3://flyte', { ...s3.env, FLYTE_AWS_ENDPOINT: 'http://127.0.0.1:9' }).read('s3://flyte/x')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('cannot reach the S3 endpoint http://127.0.0.1:9') as string,
    });
  });

  it('anyStorage routes each URI to its backend', async () => {
    const storage = anyStorage(s3.env);
    const local = join(root, 'route.txt');
    await storage.write(local, 'local');
    await storage.copyFrom(local, 's3://flyte/routed/route.txt');
    await storage.copyTo('s3://flyte/routed/route.txt', join(root, 'route-back.txt'));
    expect(await readFile(join(root, 'route-back.txt'), 'utf8')).toBe('local');
  });
});
