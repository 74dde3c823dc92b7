import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, listContextFiles, parseDockerignore } from './context.js';
import { DockerContextError } from './errors.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A temporary context folder with these files (a Dockerfile unless given). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'unionml-context-test-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries({ Dockerfile: 'FROM scratch\n', ...files })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** The files (not folders) a context would send, with `.dockerignore` text and extra patterns. */
async function sent(files: string[], dockerignore: string, exclude?: string[]): Promise<string[]> {
  const context = await folder({ ...Object.fromEntries(files.map((f) => [f, f])), '.dockerignore': dockerignore });
  const list = await listContextFiles({ context, exclude });
  return list.filter((f) => f !== 'Dockerfile' && f !== '.dockerignore');
}

interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname: string | null;
  data: Buffer;
  content: string;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        entries.push({
          name: header.name,
          type: header.type,
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          linkname: header.linkname,
          data: Buffer.concat(chunks),
          content: Buffer.concat(chunks).toString('utf8'),
        });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  const raw: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) raw.push(chunk);
  ex.end(Buffer.concat(raw));
  await done;
  return entries;
}

describe('.dockerignore (Docker documented rules)', () => {
  it('ignores comments and blank lines', () => {
    expect(parseDockerignore('# comment\n\n  a.txt  \r\n!b\n')).toEqual(['a.txt', '!b']);
  });

  it('*/temp* matches in immediate subfolders only', async () => {
    expect(await sent(['somedir/temporary.txt', 'somedir/temp/x', 'temp.txt', 'a/b/temp.txt'], '*/temp*')).toEqual(['a/b/temp.txt', 'temp.txt']);
  });

  it('*/*/temp* matches two levels below the root', async () => {
    expect(await sent(['somedir/subdir/temporary.txt', 'somedir/temporary.txt'], '*/*/temp*')).toEqual(['somedir/temporary.txt']);
  });

  it('temp? matches one more character in the root', async () => {
    expect(await sent(['tempa', 'tempb', 'tempab', 'temp', 'x/tempa'], 'temp?')).toEqual(['temp', 'tempab', 'x/tempa']);
  });

  it('**/*.go matches at any depth, the root included', async () => {
    expect(await sent(['a.go', 'x/b.go', 'x/y/c.go', 'x/y/c.js'], '**/*.go')).toEqual(['x/y/c.js']);
  });

  it('! makes exceptions, and the last matching line wins', async () => {
    expect(await sent(['a.md', 'README.md', 'README-secret.md', 'x.txt'], '*.md\n!README.md')).toEqual(['README.md', 'x.txt']);
    expect(await sent(['a.md', 'README.md', 'README-secret.md'], '*.md\n!README*.md\nREADME-secret.md')).toEqual(['README.md']);
    expect(await sent(['a.md', 'README.md', 'README-secret.md'], '*.md\nREADME-secret.md\n!README*.md')).toEqual(['README-secret.md', 'README.md']);
  });

  it('cleans patterns like filepath.Clean: leading and trailing slashes, ./ and ..', async () => {
    expect(await sent(['foo/bar/x', 'foo/baz', 'qux/y', 'z'], '/foo/bar/\n./qux/../z')).toEqual(['foo/baz', 'qux/y']);
  });

  it('a folder pattern excludes everything in it; an exception naming a path inside brings that path back', async () => {
    expect(await sent(['logs/a.log', 'logs/keep/b.log', 'src/x.ts'], 'logs')).toEqual(['src/x.ts']);
    expect(await sent(['logs/a.log', 'logs/keep/b.log', 'src/x.ts'], 'logs\n!logs/keep')).toEqual(['logs/keep/b.log', 'src/x.ts']);
  });

  it('is case-sensitive, as on Linux', async () => {
    expect(await sent(['Secret.txt', 'secret.txt'], 'secret.txt')).toEqual(['Secret.txt']);
  });

  it('never sends .git unless `!.git` asks for it', async () => {
    expect(await sent(['.git/config', '.git/objects/a', 'a.txt', 'sub/.git/x'], '')).toEqual(['a.txt', 'sub/.git/x']);
    expect(await sent(['.git/config', 'a.txt'], '!.git')).toEqual(['.git/config', 'a.txt']);
  });

  it('applies `exclude` after the folder’s own patterns', async () => {
    expect(await sent(['node_modules/x/index.js', 'package-lock.json', 'src/a.ts'], '', ['node_modules', 'package-lock.json'])).toEqual(['src/a.ts']);
    // `exclude` wins over the folder's exceptions: it comes last
    expect(await sent(['a.log', 'b.log'], '*.log\n!a.log', ['a.log'])).toEqual([]);
  });

  it('always sends the Dockerfile and .dockerignore (the daemon drops them itself)', async () => {
    const context = await folder({ '.dockerignore': 'Dockerfile\n.dockerignore\n*\n', 'a.txt': 'a' });
    expect(await listContextFiles({ context })).toEqual(['.dockerignore', 'Dockerfile']);
  });
});

describe('createContext / listContextFiles', () => {
  it('packs files with root ownership, their modes, folders and symlinks, in byte order', async () => {
    const context = await folder({ 'bin/run.sh': '#!/bin/sh\necho hi\n', 'data/a.txt': 'A', 'z.txt': 'Z' });
    await chmod(path.join(context, 'bin/run.sh'), 0o755);
    await symlink('data/a.txt', path.join(context, 'link'));
    const entries = await readTar(await createContext({ context }));
    expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual([
      'file Dockerfile',
      'directory bin',
      'file bin/run.sh',
      'directory data',
      'file data/a.txt',
      'symlink link',
      'file z.txt',
    ]);
    const script = entries.find((e) => e.name === 'bin/run.sh');
    expect(script).toMatchObject({ mode: 0o755, uid: 0, gid: 0, content: '#!/bin/sh\necho hi\n' });
    expect(entries.find((e) => e.name === 'link')?.linkname).toBe('data/a.txt');
    expect(await listContextFiles({ context })).toEqual(['Dockerfile', 'bin/run.sh', 'data/a.txt', 'link', 'z.txt']);
  });

  it('adds and replaces extraFiles (strings and bytes), even under excluded paths', async () => {
    const context = await folder({ 'package.json': '{"name":"old"}', 'src/a.ts': 'a', '.dockerignore': 'vendor\n' });
    const tarball = new Uint8Array([0x1f, 0x8b, 0, 1, 2, 255]);
    const options = {
      context,
      extraFiles: { 'package.json': '{"name":"new"}', 'vendor/pkg.tgz': tarball, './extra/b.txt': 'b' },
    };
    expect(await listContextFiles(options)).toEqual(['.dockerignore', 'Dockerfile', 'extra/b.txt', 'package.json', 'src/a.ts', 'vendor/pkg.tgz']);
    const entries = await readTar(await createContext(options));
    expect(entries.filter((e) => e.name === 'package.json').map((e) => e.content)).toEqual(['{"name":"new"}']);
    expect([...(entries.find((e) => e.name === 'vendor/pkg.tgz')?.data ?? [])]).toEqual([...tarball]);
  });

  it('accepts a Dockerfile given only in extraFiles, or at another path', async () => {
    const context = await mkdtemp(path.join(tmpdir(), 'unionml-context-test-'));
    dirs.push(context);
    await writeFile(path.join(context, 'a.txt'), 'a');
    expect(await listContextFiles({ context, extraFiles: { Dockerfile: 'FROM scratch\n' } })).toEqual(['Dockerfile', 'a.txt']);
    await mkdir(path.join(context, 'docker'));
    await writeFile(path.join(context, 'docker', 'app.Dockerfile'), 'FROM scratch\n');
    expect(await listContextFiles({ context, dockerfile: 'docker/app.Dockerfile' })).toEqual(['a.txt', 'docker/app.Dockerfile']);
  });

  it('rejects a missing folder, a missing Dockerfile and extra files outside the context', async () => {
    await expect(listContextFiles({ context: '/nonexistent/unionml' })).rejects.toThrow(DockerContextError);
    const context = await mkdtemp(path.join(tmpdir(), 'unionml-context-test-'));
    dirs.push(context);
    const missing = await listContextFiles({ context }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DockerContextError);
    expect((missing as DockerContextError).code).toBe('DOCKER_CONTEXT_INVALID');
    expect((missing as DockerContextError).message).toContain(path.join(context, 'Dockerfile'));
    await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\n');
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', '.']) {
      await expect(createContext({ context, extraFiles: { [bad]: 'x' } })).rejects.toThrow(/not a path inside the build context/);
    }
  });
});
