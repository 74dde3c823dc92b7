import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import { basenameOf, fileUri, isRemoteUri, joinUri, localPathOf, parseS3Uri, storageFor } from './storage.js';
import { storageContract } from './test-support/storage-contract.js';

// URIs and local files; S3 (s3rver, a stand-in S3 server) is in storage.integration.test.ts.

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-storage-'));
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

storageContract('file storage (plain paths)', () => ({ storage: storageFor('/tmp'), base: join(root, 'plain'), root }));
storageContract('file storage (file:// URIs)', () => ({ storage: storageFor('file:///tmp'), base: fileUri(join(root, 'urls')), root }));
