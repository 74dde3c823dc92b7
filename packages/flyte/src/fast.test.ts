// Fast registration's code archives: reproducible packing, the fast entrypoint's arguments, extraction (replacing the
// image's files, refusing paths that leave the folder), and a task run after extraction or failing to fetch one.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { tarArchive } from './bundle.js';
import { codeArchive, fastExecuteArgs, fetchDistribution, parseFastExecuteArgs } from './fast.js';
import { flyteidl } from './idl.js';
import { executeTask } from './runtime.js';
import { fileUri } from './storage.js';
import { t } from './types.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-fast-'));
});

const text = (s: string) => new TextEncoder().encode(s);

describe('codeArchive', () => {
  it('gives the same bytes and digest for the same files in any order, another digest for other content', () => {
    const a = codeArchive([
      { name: 'app.ts', data: text('export {}') },
      { name: 'lib/util.ts', data: text('1') },
    ]);
    const b = codeArchive([
      { name: 'lib/util.ts', data: text('1') },
      { name: 'app.ts', data: text('export {}') },
    ]);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toMatchObject({ digest: b.digest, files: 2 });
    expect(codeArchive([{ name: 'app.ts', data: text('export {} ') }]).digest).not.toBe(a.digest);
  });

  it('refuses entries that are not relative paths inside the folder', () => {
    for (const name of ['../x', '/etc/passwd', 'a//b', 'a/../../b', 'a\\b']) {
      expect(() => codeArchive([{ name, data: text('') }])).toThrow(expect.objectContaining({ code: 'FLYTE_CODE_ARCHIVE_INVALID' }) as Error);
    }
  });
});

describe('parseFastExecuteArgs', () => {
  it('reads what fastExecuteArgs makes, with or without a destination', () => {
    const command = ['unionml', 'execute', '--inputs', 's3://b/i.pb', '--', 'app-module', 'app'];
    expect(parseFastExecuteArgs([...fastExecuteArgs('s3://b/fast.tar.gz', '/root'), ...command])).toEqual({
      distribution: 's3://b/fast.tar.gz',
      destDir: '/root',
      command,
    });
    expect(parseFastExecuteArgs(['--additional-distribution=s3://b/f.tar.gz', '--', 'x'])).toEqual({
      distribution: 's3://b/f.tar.gz',
      destDir: undefined,
      command: ['x'],
    });
  });

  it('rejects a missing archive, a missing command and unknown flags as FLYTE_ARGS_INVALID', () => {
    const cases: [string[], string][] = [
      [['--', 'unionml', 'execute'], 'missing --additional-distribution'],
      [['--additional-distribution', 's3://b/f.tar.gz'], 'missing the command to run after --'],
      [['--additional-distribution', 's3://b/f.tar.gz', '--'], 'missing the command to run after --'],
      [['--additional-distribution', '--', 'x'], '--additional-distribution needs a value'],
      [['--dest', '/x', '--', 'x'], 'unexpected argument "--dest"'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseFastExecuteArgs(argv)).toThrow(expect.objectContaining({ code: 'FLYTE_ARGS_INVALID', message }) as Error);
    }
  });
});

describe('fetchDistribution', () => {
  it("extracts the archive over the folder, replacing the image's files and keeping the others", async () => {
    const dest = await mkdtemp(join(root, 'dest-'));
    await writeFile(join(dest, 'app.ts'), 'old');
    await mkdir(join(dest, 'node_modules'));
    await writeFile(join(dest, 'node_modules', 'dep.js'), 'dep');
    const archive = join(root, 'code.tar.gz');
    await writeFile(
      archive,
      codeArchive([
        { name: 'app.ts', data: text('new') },
        { name: 'src/deep/util.ts', data: text('util') },
      ]).bytes,
    );
    expect(await fetchDistribution(fileUri(archive), dest)).toEqual({ files: 2, bytes: 7 });
    expect(await readFile(join(dest, 'app.ts'), 'utf8')).toBe('new');
    expect(await readFile(join(dest, 'src', 'deep', 'util.ts'), 'utf8')).toBe('util');
    expect(await readFile(join(dest, 'node_modules', 'dep.js'), 'utf8')).toBe('dep');
  });

  it('refuses an archive that is not a gzip tar, or whose entry leaves the folder, writing nothing outside it', async () => {
    const dest = await mkdtemp(join(root, 'dest-'));
    const notGzip = join(root, 'not-gzip.tar.gz');
    await writeFile(notGzip, 'hello');
    await expect(fetchDistribution(fileUri(notGzip), dest)).rejects.toMatchObject({
      code: 'FLYTE_CODE_ARCHIVE_INVALID',
      message: expect.stringMatching(/^the code archive file:\/\/.*not-gzip\.tar\.gz is not a gzip tar: /) as string,
    });
    const evil = join(root, 'evil.tar.gz');
    await writeFile(evil, gzipSync(tarArchive([{ name: '../escaped.txt', data: text('x') }])));
    await expect(fetchDistribution(fileUri(evil), dest)).rejects.toMatchObject({
      code: 'FLYTE_CODE_ARCHIVE_INVALID',
      message: expect.stringContaining('has an entry "../escaped.txt" that is not a relative path inside its folder') as string,
    });
    await expect(readFile(join(dest, '..', 'escaped.txt'))).rejects.toThrow();
  });
});

describe('executeTask with a code archive', () => {
  const echo = {
    name: 'echo',
    interface: { inputs: {}, outputs: { o0: t.string() } },
    run: async () => ({ o0: await readFile(join(root, 'run', 'message.txt'), 'utf8') }),
  };

  async function attempt(name: string) {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'inputs.pb'), flyteidl.core.LiteralMap.encode({ literals: {} }).finish());
    return { inputs: fileUri(join(dir, 'inputs.pb')), outputPrefix: fileUri(join(dir, '0')), rawOutputDataPrefix: fileUri(join(dir, 'raw')), address: [], dir };
  }

  it('extracts the archive before resolving the task, so the task sees the new files', async () => {
    const archive = join(root, 'message.tar.gz');
    await writeFile(archive, codeArchive([{ name: 'message.txt', data: text('patched') }]).bytes);
    const args = await attempt('ok');
    const result = await executeTask(() => Promise.resolve(echo), args, { distribution: { uri: fileUri(archive), destDir: join(root, 'run') } });
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    const outputs = flyteidl.core.LiteralMap.decode(await readFile(join(args.dir, '0', 'outputs.pb')));
    expect(outputs.literals['o0']!.scalar!.primitive!.stringValue).toBe('patched');
  });

  it('a missing archive is a recoverable SYSTEM error, an unusable one is not; both go to error.pb', async () => {
    const missing = await attempt('missing');
    const gone = await executeTask(() => Promise.resolve(echo), missing, {
      distribution: { uri: fileUri(join(root, 'gone.tar.gz')), destDir: join(root, 'run') },
    });
    expect(gone.error).toMatchObject({ kind: 'SYSTEM', recoverable: true, code: 'SYSTEM:NotFound' });
    expect(gone.error!.message).toMatch(/^cannot fetch the code archive file:\/\/.*gone\.tar\.gz: /);
    const bad = join(root, 'bad.tar.gz');
    await writeFile(bad, 'not gzip');
    const corrupt = await attempt('corrupt');
    const result = await executeTask(() => Promise.resolve(echo), corrupt, { distribution: { uri: fileUri(bad), destDir: join(root, 'run') } });
    expect(result.error).toMatchObject({ kind: 'SYSTEM', recoverable: false, code: 'SYSTEM:CodeArchiveInvalid' });
    const doc = flyteidl.core.ErrorDocument.decode(await readFile(join(corrupt.dir, '0', 'error.pb')));
    expect(doc.error!.message).toMatch(/is not a gzip tar/);
  });
});
