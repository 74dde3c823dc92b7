import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { errorMessage } from '@unionml/errors';
import type { Header, Pack } from 'tar-stream';
import { DockerContextError } from './errors.js';

type HeaderArgument = Partial<Header> & Pick<Header, 'name'>;

/** What makes a build context: the folder, its Dockerfile, files to add or replace, and extra exclusions. */
export interface ContextOptions {
  /** The folder sent to the daemon (its `.dockerignore` is honoured). */
  context: string;
  /** The Dockerfile, relative to `context`. Default `Dockerfile`. */
  dockerfile?: string | undefined;
  /**
   * Files added to (or replacing files of) the context, by path relative to `context`, e.g. a rewritten
   * `package.json` or vendored tarballs. They are sent even when an exclusion pattern matches them.
   */
  extraFiles?: Record<string, string | Uint8Array> | undefined;
  /** More `.dockerignore` patterns, applied after the folder's own (so they win over its `!` exceptions). */
  exclude?: string[] | undefined;
}

/** One entry of the context tar. */
interface ContextEntry {
  /** Path relative to the context, `/`-separated. */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: Date;
  size: number;
  /** Absolute path of a file read from the folder. */
  source?: string;
  /** Content of an extra file. */
  data?: Buffer;
  linkname?: string;
}

/** The modification time of extra files (as `npm pack` uses): fixed, so that contexts are reproducible. */
const EXTRA_FILE_MTIME = new Date('1985-10-26T08:15:00Z');

/** The patterns applied before the folder's `.dockerignore`: `.git` is never sent unless `!.git` asks for it. */
export const DEFAULT_EXCLUDES: readonly string[] = ['.git'];

interface Matcher {
  ignores(relPath: string): boolean;
  /** Exception (`!`) patterns, cleaned, without the `!`. */
  exceptions: string[];
}

/** Loads Docker's `.dockerignore` rules (moby's fileutils semantics, case-sensitive) for the given patterns. */
async function matcherFor(patterns: string[]): Promise<Matcher> {
  const mod = await import('@balena/dockerignore');
  const ignore = mod.default.default;
  const rules = ignore({ ignorecase: false }).add(patterns);
  const exceptions = patterns
    .map((p) => p.trim())
    .filter((p) => p.startsWith('!'))
    .map((p) => path.posix.normalize(p.slice(1).trim()).replace(/^\/+/, '').replace(/\/+$/, ''));
  return { ignores: (rel) => rules.ignores(rel), exceptions };
}

/** The `.dockerignore` patterns of a folder: one a line, `#` comments and blank lines dropped. */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A relative, `/`-separated path inside the context, or a {@link DockerContextError}. */
function contextPath(name: string, what: string): string {
  const posix = name.replaceAll('\\', '/');
  const normalized = path.posix
    .normalize(posix)
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (posix.startsWith('/') || normalized === '..' || normalized.startsWith('../') || normalized === '.' || normalized === '') {
    throw new DockerContextError(`${what} '${name}' is not a path inside the build context`, { hint: 'use a relative path such as `app/package.json`' });
  }
  return normalized;
}

/** Walks the context folder and lists what would be sent, in tar order (sorted, parents before children). */
async function collect(options: ContextOptions): Promise<ContextEntry[]> {
  const root = path.resolve(options.context);
  let rootStat: Stats;
  try {
    rootStat = await stat(root);
  } catch (e) {
    throw new DockerContextError(`the build context ${root} does not exist`, { cause: e });
  }
  if (!rootStat.isDirectory()) throw new DockerContextError(`the build context ${root} is not a folder`);

  const extras = new Map<string, Buffer>();
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
    extras.set(
      contextPath(name, 'extra file'),
      typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength),
    );
  }
  const dockerfile = contextPath(options.dockerfile ?? 'Dockerfile', 'Dockerfile');

  let ignoreText = extras.get('.dockerignore')?.toString('utf8');
  if (ignoreText === undefined) {
    try {
      ignoreText = await readFile(path.join(root, '.dockerignore'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new DockerContextError(`cannot read ${path.join(root, '.dockerignore')}: ${errorMessage(e)}`, { cause: e });
      ignoreText = '';
    }
  }
  const matcher = await matcherFor([...DEFAULT_EXCLUDES, ...parseDockerignore(ignoreText), ...(options.exclude ?? [])]);
  // The daemon needs these even when excluded; it drops them itself before COPY/ADD see the context.
  const alwaysSent = new Set([dockerfile, '.dockerignore']);

  const entries: ContextEntry[] = [];
  const walk = async (dir: string, relDir: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      throw new DockerContextError(`cannot read ${dir}: ${errorMessage(e)}`, { cause: e });
    }
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = path.join(dir, name);
      const st = await lstat(abs);
      const ignored = !alwaysSent.has(rel) && matcher.ignores(rel);
      if (st.isDirectory()) {
        if (ignored) {
          // As moby's archive.TarWithOptions: walk into an excluded folder only if an exception names a path in it.
          const prefix = `${rel}/`;
          if (matcher.exceptions.some((pattern) => `${pattern}/`.startsWith(prefix))) await walk(abs, rel);
          continue;
        }
        entries.push({ name: rel, type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime, size: 0 });
        await walk(abs, rel);
      } else if (ignored || extras.has(rel)) {
        continue;
      } else if (st.isFile()) {
        entries.push({ name: rel, type: 'file', mode: st.mode & 0o7777, mtime: st.mtime, size: st.size, source: abs });
      } else if (st.isSymbolicLink()) {
        entries.push({ name: rel, type: 'symlink', mode: st.mode & 0o7777, mtime: st.mtime, size: 0, linkname: await readlink(abs) });
      }
      // Sockets, FIFOs and devices are not sent (as Docker's own client does).
    }
  };
  await walk(root, '');

  for (const [name, data] of [...extras].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    entries.push({ name, type: 'file', mode: 0o644, mtime: EXTRA_FILE_MTIME, size: data.length, data });
  }
  if (!entries.some((e) => e.name === dockerfile && e.type !== 'directory')) {
    throw new DockerContextError(`no Dockerfile at ${path.join(root, dockerfile)}`, {
      hint: 'write one, pass `dockerfile` (relative to the context), or supply it in `extraFiles`',
    });
  }
  return entries;
}

/**
 * The paths the build context would send (files and symlinks, not folders), sorted: the context folder less what its
 * `.dockerignore`, `exclude` and the default `.git` exclusion remove, plus `extraFiles`. The Dockerfile and
 * `.dockerignore` are always listed: the daemon needs them (and drops them itself if excluded).
 */
export async function listContextFiles(options: ContextOptions): Promise<string[]> {
  const entries = await collect(options);
  return entries
    .filter((e) => e.type !== 'directory')
    .map((e) => e.name)
    .sort();
}

/**
 * The build context as a tar stream, as `docker build` would send it: entries owned by root (uid/gid 0), modes and
 * modification times kept, symlinks as symlinks, `extraFiles` added last (replacing folder files of the same path).
 * Checks the folder and the Dockerfile before returning; read errors later destroy the stream.
 */
export async function createContext(options: ContextOptions): Promise<NodeJS.ReadableStream> {
  const entries = await collect(options);
  const tar = await import('tar-stream');
  const pack = tar.pack();
  const write = async (): Promise<void> => {
    for (const entry of entries) {
      const header = { name: entry.name, mode: entry.mode, mtime: entry.mtime, uid: 0, gid: 0, uname: '', gname: '' };
      if (entry.type === 'directory') {
        await addEntry(pack, { ...header, type: 'directory' }, Buffer.alloc(0));
      } else if (entry.type === 'symlink') {
        await addEntry(pack, { ...header, type: 'symlink', linkname: entry.linkname ?? '' }, Buffer.alloc(0));
      } else if (entry.data) {
        await addEntry(pack, { ...header, type: 'file', size: entry.size }, entry.data);
      } else if (entry.source) {
        const source = entry.source;
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...header, type: 'file', size: entry.size }, (err) => (err ? reject(err) : resolve()));
          const file = createReadStream(source);
          file.on('error', (err) => {
            sink.destroy(err);
            reject(err);
          });
          file.pipe(sink);
        });
      }
    }
    pack.finalize();
  };
  write().catch((e: unknown) => pack.destroy(new DockerContextError(`cannot pack the build context: ${errorMessage(e)}`, { cause: e })));
  return Readable.from(pack, { objectMode: false });
}

function addEntry(pack: Pack, header: HeaderArgument, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, data, (err) => (err ? reject(err) : resolve()));
  });
}
