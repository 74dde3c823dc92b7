import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import { anyStorage, basenameOf, fileUri, isRemoteUri, joinUri, localPathOf, parseS3Uri, storageFor, type Storage } from './storage.js';
import { startTestS3, type TestS3 } from './test-support/s3.js';

let root: string;
let s3: TestS3;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-storage-'));
  s3 = await startTestS3(join(root, 's3rver'), ['flyte', 'other']);
});

afterAll(async () => {
  await s3?.close();
});

describe('URIs', () => {
  it('joins with single slashes and keeps the scheme', () => {
    expect(joinUri('s3://b/x/', 'a', '/o.pb')).toBe('s3://b/x/a/o.pb');
    expect(joinUri('/tmp/w', 'n0', '', 'data')).toBe('/tmp/w/n0/data');
    expect(joinUri('file:///tmp/w', 'x')).toBe('file:///tmp/w/x');
    expect(joinUri('s3://bucket', 'k')).toBe('s3://bucket/k');
  });

  it('tells local from remote', () => {
    expect(isRemoteUri('s3://b/k')).toBe(true);
    expect(isRemoteUri('/tmp/x')).toBe(false);
    expect(isRemoteUri('file:///tmp/x')).toBe(false);
    expect(localPathOf('file:///tmp/a%20b')).toBe('/tmp/a b');
    expect(localPathOf('gs://b/k')).toBeUndefined();
    expect(fileUri('/tmp/a b')).toBe('file:///tmp/a%20b');
    expect(basenameOf('s3://b/x/model.json')).toBe('model.json');
    expect(basenameOf('s3://b/x/dir/')).toBe('dir');
    expect(parseS3Uri('s3://my-s3-bucket/metadata/propeller/x/inputs.pb')).toEqual({ bucket: 'my-s3-bucket', key: 'metadata/propeller/x/inputs.pb' });
    expect(() => parseS3Uri('s3:/nope')).toThrow(StorageError);
  });

  it('refuses unsupported schemes, naming the uri', () => {
    expect(() => storageFor('gs://bucket/x')).toThrow("unsupported storage scheme 'gs://' in gs://bucket/x");
  });
});

/** The same behaviour, whichever backend. */
function contract(name: string, make: () => { storage: Storage; base: string }) {
  describe(name, () => {
    it('writes, reads, checks and lists (recursively, sorted)', async () => {
      const { storage, base } = make();
      await storage.write(joinUri(base, 'a/inputs.pb'), new Uint8Array([1, 2, 3]));
      await storage.write(joinUri(base, 'a/b/c.txt'), 'hello');
      await storage.write(joinUri(base, 'ab.txt'), 'sibling');
      expect([...(await storage.read(joinUri(base, 'a/inputs.pb')))]).toEqual([1, 2, 3]);
      expect(new TextDecoder().decode(await storage.read(joinUri(base, 'a/b/c.txt')))).toBe('hello');
      expect(await storage.exists(joinUri(base, 'a/inputs.pb'))).toBe(true);
      expect(await storage.exists(joinUri(base, 'a/missing.pb'))).toBe(false);
      expect(await storage.exists(joinUri(base, 'a'))).toBe(false);
      expect(await storage.list(joinUri(base, 'a/'))).toEqual([joinUri(base, 'a/b/c.txt'), joinUri(base, 'a/inputs.pb')]);
      expect(await storage.list(joinUri(base, 'a'))).toEqual([joinUri(base, 'a/b/c.txt'), joinUri(base, 'a/inputs.pb'), joinUri(base, 'ab.txt')]);
      expect(await storage.list(joinUri(base, 'nothing/'))).toEqual([]);
      await storage.write(joinUri(base, 'a/inputs.pb'), 'replaced');
      expect(new TextDecoder().decode(await storage.read(joinUri(base, 'a/inputs.pb')))).toBe('replaced');
    });

    it('copies local files in and out', async () => {
      const { storage, base } = make();
      const safe = name.replace(/[^a-z0-9]+/gi, '-');
      const local = join(root, `${safe}-source.bin`);
      await writeFile(local, Buffer.from('payload ✓'));
      const uri = joinUri(base, 'copies/with space/x.bin');
      await storage.copyFrom(local, uri);
      const back = join(root, `${safe}-copies`, 'deep', 'x.bin');
      await storage.copyTo(uri, back);
      expect(await readFile(back, 'utf8')).toBe('payload ✓');
    });

    it('reports a missing object as STORAGE_NOT_FOUND naming the uri', async () => {
      const { storage, base } = make();
      const uri = joinUri(base, 'missing/outputs.pb');
      await expect(storage.read(uri)).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND', uri, message: expect.stringContaining(uri) });
      await expect(storage.copyTo(uri, join(root, 'never'))).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
      await expect(storage.copyFrom(join(root, 'no-such-file'), joinUri(base, 'x'))).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    });
  });
}

contract('file storage (plain paths)', () => ({ storage: storageFor('/tmp'), base: join(root, 'plain') }));
contract('file storage (file:// URIs)', () => ({ storage: storageFor('file:///tmp'), base: fileUri(join(root, 'urls')) }));
contract('s3 storage (s3rver)', () => ({ storage: storageFor('s3://flyte', s3.env), base: 's3://flyte/run-1' }));

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
    await expect(storageFor('s3://nope', s3.env).read('s3://nope/k')).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND', message: 's3://nope/k does not exist (NoSuchBucket)' });
    // (s3rver checks the access key id, not V4 signatures)
    await expect(storageFor('s3://flyte', { ...s3.env, FLYTE_AWS_ACCESS_KEY_ID: 'WRONG' }).read('s3://flyte/run-1/a/inputs.pb')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(/^cannot read s3:\/\/flyte\/run-1\/a\/inputs.pb: HTTP 403 InvalidAccessKeyId/),
      hint: expect.stringContaining('FLYTE_AWS_ACCESS_KEY_ID'),
    });
    await expect(storageFor('s3://flyte', { FLYTE_AWS_ENDPOINT: s3.endpoint }).read('s3://flyte/x')).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: 'cannot access s3://flyte/x: no S3 credentials' });
    await expect(storageFor('s3://flyte', { ...s3.env, FLYTE_AWS_ENDPOINT: 'http://127.0.0.1:9' }).read('s3://flyte/x')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('cannot reach the S3 endpoint http://127.0.0.1:9'),
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
