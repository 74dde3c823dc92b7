// Output files (issue 13): regular files only, atomically, through symlinks; stale temporary files cleaned.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFileAtomic, inspectOutputFile, removeStaleTemps, writeFileAtomic } from './files.js';
import { makeApp } from './test-support/fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-files-'));

describe('writeFileAtomic', () => {
  it('writes a new file and replaces a regular file, keeping its permissions', async () => {
    const dir = tmp();
    const file = join(dir, 'out.json');
    expect(await writeFileAtomic(file, 'one')).toBe(file);
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('writes through a symlink: the file it points to is replaced, the link stays (also a dangling one)', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'versions'));
    writeFileSync(join(dir, 'versions', 'v1.json'), 'v1');
    symlinkSync('versions/v1.json', join(dir, 'current.json'));
    expect(await writeFileAtomic(join(dir, 'current.json'), 'new')).toBe(join(dir, 'versions', 'v1.json'));
    expect(lstatSync(join(dir, 'current.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'current.json'))).toBe('versions/v1.json');
    expect(readFileSync(join(dir, 'versions', 'v1.json'), 'utf8')).toBe('new');
    // A chain of links, and a link to a file that does not exist yet.
    symlinkSync('current.json', join(dir, 'latest.json'));
    await writeFileAtomic(join(dir, 'latest.json'), 'newer');
    expect(readFileSync(join(dir, 'versions', 'v1.json'), 'utf8')).toBe('newer');
    symlinkSync('versions/v2.json', join(dir, 'next.json'));
    await writeFileAtomic(join(dir, 'next.json'), 'v2');
    expect(readFileSync(join(dir, 'versions', 'v2.json'), 'utf8')).toBe('v2');
    expect(readdirSync(join(dir, 'versions')).sort()).toEqual(['v1.json', 'v2.json']);
  });

  it.each([
    ['a character device', '/dev/null', /is a character device, not a regular file/],
    ['a folder', undefined, /it is a folder/],
  ])('refuses %s and leaves it as it was', async (_, path, message) => {
    const target = path ?? tmp();
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({
      code: 'OUTPUT_PATH_INVALID',
      kind: 'input',
      message: expect.stringMatching(message) as string,
    });
    expect(lstatSync(target).isFile()).toBe(false);
  });

  it('refuses a FIFO and a socket, and a symlink to a device names where it leads', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await expect(writeFileAtomic(join(dir, 'fifo'), 'x')).rejects.toMatchObject({ message: expect.stringContaining('is a FIFO (named pipe)') as string });
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
    try {
      await expect(writeFileAtomic(join(dir, 'sock'), 'x')).rejects.toMatchObject({ message: expect.stringContaining('is a socket') as string });
    } finally {
      server.close();
    }
    symlinkSync('/dev/full', join(dir, 'full'));
    await expect(writeFileAtomic(join(dir, 'full'), 'x')).rejects.toMatchObject({
      message: expect.stringContaining('it is a symlink to /dev/full, which is a character device') as string,
    });
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('refuses a missing folder, a folder that takes no file and a symlink loop', async () => {
    const dir = tmp();
    expect((await inspectOutputFile(join(dir, 'no', 'model.json'))).problem).toMatchObject({ reason: 'no-parent' });
    // /proc takes no new file, even as root.
    expect((await inspectOutputFile('/proc/unionml-model.json')).problem).toMatchObject({ reason: 'not-writable' });
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    await expect(writeFileAtomic(join(dir, 'a'), 'x')).rejects.toMatchObject({ message: expect.stringContaining('its symlinks form a loop') as string });
  });

  it('copyFileAtomic copies over the target the same way', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'src'), 'data');
    symlinkSync('real', join(dir, 'link'));
    await copyFileAtomic(join(dir, 'src'), join(dir, 'link'));
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('data');
  });
});

describe('stale temporary files', () => {
  it('are removed by the next write of the same file when their process is gone or they are an hour old', async () => {
    const dir = tmp();
    const file = join(dir, 'model.json');
    const dead = join(dir, '.model.json.999999999.0123abcd.tmp');
    const alive = join(dir, `.model.json.${process.ppid}.0123abcd.tmp`);
    const aliveOld = join(dir, `.model.json.${process.ppid}.89abcdef.tmp`);
    const other = join(dir, '.other.json.999999999.0123abcd.tmp');
    for (const f of [dead, alive, aliveOld, other]) writeFileSync(f, 'partial');
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(aliveOld, hoursAgo, hoursAgo);
    expect((await removeStaleTemps(file)).sort()).toEqual([dead, aliveOld].sort());
    expect(existsSync(alive)).toBe(true);
    expect(existsSync(other)).toBe(true);
    await writeFileAtomic(file, 'x');
    expect(readdirSync(dir).sort()).toEqual(['.model.json.' + process.ppid + '.0123abcd.tmp', '.other.json.999999999.0123abcd.tmp', 'model.json'].sort());
  });
});

describe('Model.save to odd paths', () => {
  it('refuses a device before encoding the model, with MODEL_FILE_WRITE naming it, and writes through a symlink', async () => {
    const { model } = makeApp();
    await model.train();
    await expect(model.save('/dev/full')).rejects.toMatchObject({
      code: 'MODEL_FILE_WRITE',
      message: 'cannot write the model file /dev/full: it is a character device, not a regular file',
    });
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    const dir = tmp();
    writeFileSync(join(dir, 'v1.json'), '');
    symlinkSync('v1.json', join(dir, 'current.json'));
    await model.save(join(dir, 'current.json'));
    expect(lstatSync(join(dir, 'current.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'v1.json'), 'utf8')).toContain('"format":"unionml.model"');
    const fresh = makeApp().model;
    await fresh.load(join(dir, 'current.json'));
    expect(fresh.artifact?.contentHash).toBe(model.artifact?.contentHash);
  });
});
