import { mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import {
  anyStorage,
  basenameOf,
  DEFAULT_STORAGE_TIMEOUT_SECONDS,
  fileUri,
  isRemoteUri,
  joinUri,
  localPathOf,
  makeDirs,
  parseS3Uri,
  storageFor,
  storageTimeoutMs,
  withStorageTimeout,
  type Storage,
} from './storage.js';
import { startSilentServer, type SilentServer } from './test-support/silent-server.js';
import { storageContract } from './test-support/storage-contract.js';

// URIs, local files and timeouts (against a loopback server that never answers); S3 itself (s3rver, a stand-in S3
// server) is in storage.integration.test.ts.

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

/** How long the promise `start` makes takes to settle, in ms (from before `start` runs), and how it settled. */
async function timed<T>(start: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await start().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - started, error };
}

describe('folders that cannot be created (Node 20 recursive mkdir never returns for a new path under /proc)', () => {
  it('makeDirs creates missing parents, accepts an existing folder, and fails at once under /proc, a file or a dangling link', async () => {
    const deep = join(root, 'make', 'a', 'b', 'c');
    await makeDirs(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirs(deep);
    const file = join(root, 'make', 'file');
    await writeFile(file, 'x');
    const link = join(root, 'make', 'dangling');
    await symlink(join(root, 'make', 'nowhere'), link);
    const proc = await timed(() => makeDirs('/proc/unionml-test/a/b'));
    expect(proc.error).toMatchObject({ code: 'ENOENT' });
    expect(proc.ms).toBeLessThan(1000);
    await expect(makeDirs('/proc/unionml-test')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(makeDirs(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirs(file)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDirs(join(link, 'sub'))).rejects.toMatchObject({ code: expect.stringMatching(/^E/) as string });
  }, 10_000);

  it('a write, a copy or a download under /proc or under a file is STORAGE_FAILED naming the folder, not a hang', async () => {
    const storage = storageFor('/tmp', {});
    const file = join(root, 'in-the-way');
    await writeFile(file, 'x');
    const proc = await timed(() => storage.write('/proc/unionml-test/outputs.pb', 'x'));
    expect(proc.error).toMatchObject({
      code: 'STORAGE_FAILED',
      message:
        "cannot write /proc/unionml-test/outputs.pb: cannot create the folder /proc/unionml-test (ENOENT: no such file or directory, mkdir '/proc/unionml-test')",
    });
    expect(proc.ms).toBeLessThan(1000);
    await expect(storage.write(fileUri(join(file, '0', 'error.pb')), 'x')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining(`cannot create the folder ${join(file, '0')} (ENOTDIR`) as string,
    });
    await expect(storage.copyFrom(file, '/proc/unionml-test/raw/x.bin')).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('cannot create the folder /proc/unionml-test/raw (ENOENT') as string,
    });
    await expect(storage.copyTo(fileUri(file), '/proc/unionml-test/work/x.bin')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    // writeFileAtomic (used by write) leaves no temporary file behind when the rename fails
    await mkdir(join(root, 'folder-in-the-way', 'outputs.pb'), { recursive: true });
    await writeFile(join(root, 'folder-in-the-way', 'outputs.pb', 'x'), 'x');
    await expect(storage.write(join(root, 'folder-in-the-way', 'outputs.pb'), 'x')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect((await storage.list(join(root, 'folder-in-the-way/'))).map((f) => f.slice(root.length))).toEqual(['/folder-in-the-way/outputs.pb/x']);
  }, 10_000);
});

describe('storage timeouts', () => {
  let silent: SilentServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('UNIONML_STORAGE_TIMEOUT_SECONDS: 60 s by default, decimals allowed, anything else refused', () => {
    expect(DEFAULT_STORAGE_TIMEOUT_SECONDS).toBe(60);
    expect(storageTimeoutMs({})).toBe(60_000);
    expect(storageTimeoutMs({ UNIONML_STORAGE_TIMEOUT_SECONDS: ' ' })).toBe(60_000);
    expect(storageTimeoutMs({ UNIONML_STORAGE_TIMEOUT_SECONDS: '0.25' })).toBe(250);
    expect(storageTimeoutMs({ UNIONML_STORAGE_TIMEOUT_SECONDS: '1e9' })).toBe(2 ** 31 - 1);
    for (const bad of ['0', '-1', 'abc', '10s', 'Infinity']) {
      expect(() => storageTimeoutMs({ UNIONML_STORAGE_TIMEOUT_SECONDS: bad })).toThrow(
        expect.objectContaining({
          code: 'STORAGE_FAILED',
          message: `UNIONML_STORAGE_TIMEOUT_SECONDS must be a positive number of seconds, got "${bad}"`,
        }) as Error,
      );
      expect(() => anyStorage({ UNIONML_STORAGE_TIMEOUT_SECONDS: bad })).toThrow(StorageError);
    }
  });

  it('an operation that never settles rejects with STORAGE_TIMEOUT naming it, and its signal is aborted; transfers give it more time', async () => {
    let signal: AbortSignal | undefined;
    const hung = await timed(() =>
      withStorageTimeout('read s3://b/k', 's3://b/k', 100, (op) => {
        signal = op.signal;
        return new Promise<never>(() => undefined);
      }),
    );
    expect(hung.error).toMatchObject({
      code: 'STORAGE_TIMEOUT',
      uri: 's3://b/k',
      message: 'cannot read s3://b/k: no result within 0.1 s (the storage timeout, UNIONML_STORAGE_TIMEOUT_SECONDS)',
    });
    expect(hung.ms).toBeGreaterThanOrEqual(90);
    expect(hung.ms).toBeLessThan(2000);
    expect(signal?.aborted).toBe(true);
    // 1 s more per MiB: 0.1 s + 0.5 MiB is 0.6 s
    const slow = await timed(() =>
      withStorageTimeout('write /x', '/x', 100, async (op) => {
        op.transfers(512 * 1024);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }),
    );
    expect(slow.error).toBeUndefined();
    expect(await withStorageTimeout('read /x', '/x', 100, () => Promise.resolve(7))).toBe(7);
    await expect(withStorageTimeout('read /x', '/x', 100, () => Promise.reject(new Error('own')))).rejects.toThrow('own');
  });

  it('S3: every operation against an endpoint that accepts connections and never answers ends in STORAGE_TIMEOUT', async () => {
    const env = {
      FLYTE_AWS_ENDPOINT: silent.endpoint,
      FLYTE_AWS_ACCESS_KEY_ID: 'k',
      FLYTE_AWS_SECRET_ACCESS_KEY: 's',
      UNIONML_STORAGE_TIMEOUT_SECONDS: '0.3',
    };
    const storage: Storage = anyStorage(env);
    const local = join(root, 'to-upload.bin');
    await writeFile(local, 'payload');
    const before = silent.connections();
    const cases: [string, () => Promise<unknown>][] = [
      ['cannot read s3://flyte/a/inputs.pb', () => storage.read('s3://flyte/a/inputs.pb')],
      ['cannot write s3://flyte/a/outputs.pb', () => storage.write('s3://flyte/a/outputs.pb', 'x')],
      ['cannot check s3://flyte/a/x', () => storage.exists('s3://flyte/a/x')],
      ['cannot list s3://flyte/a/', () => storage.list('s3://flyte/a/')],
      [`cannot upload ${local} to s3://flyte/raw/x.bin`, () => storage.copyFrom(local, 's3://flyte/raw/x.bin')],
      [`cannot download s3://flyte/raw/x.bin to ${join(root, 'x.bin')}`, () => storage.copyTo('s3://flyte/raw/x.bin', join(root, 'x.bin'))],
    ];
    for (const [message, run] of cases) {
      const { ms, error } = await timed(run);
      expect(error, message).toMatchObject({
        code: 'STORAGE_TIMEOUT',
        message: `${message}: no result within 0.3 s (the storage timeout, UNIONML_STORAGE_TIMEOUT_SECONDS)`,
      });
      expect(ms, message).toBeGreaterThanOrEqual(250);
      expect(ms, message).toBeLessThan(3000);
    }
    expect(silent.connections() - before).toBeGreaterThanOrEqual(cases.length);
    expect(await readFile(local, 'utf8')).toBe('payload');
  }, 30_000);

  it('http(s): a download from a server that never answers ends in STORAGE_TIMEOUT', async () => {
    const storage = storageFor(`${silent.endpoint}/model.json`, { UNIONML_STORAGE_TIMEOUT_SECONDS: '0.3' });
    const { ms, error } = await timed(() => storage.read(`${silent.endpoint}/model.json`));
    expect(error).toMatchObject({
      code: 'STORAGE_TIMEOUT',
      message: expect.stringContaining(`cannot download ${silent.endpoint}/model.json: no result within 0.3 s`) as string,
    });
    expect(ms).toBeLessThan(3000);
  }, 30_000);
});
