/**
 * Output files as UnionML writes them (model files, reports, predictions): atomically, to regular files only.
 *
 * - A temporary file beside the file that is written (same folder, so that the rename is atomic), flushed, then
 *   renamed over it: a crash or error leaves the previous file intact.
 * - A symlink is written through: the file it points to is replaced (atomically, in that file's folder), the link
 *   stays.
 * - A folder, a device (`/dev/full`), a FIFO or a socket is refused, as is a path whose folder is missing or not
 *   writable, or a symlink loop: {@link inspectOutputFile} says so before anything runs (the CLI checks before
 *   training), and {@link writeFileAtomic} refuses them with `OUTPUT_PATH_INVALID`.
 * - Temporary files left by a killed writer (`.<name>.<pid>.<hex>.tmp`) are removed by the next write of the same
 *   file, once their process is gone or they are an hour old.
 *
 * @example
 * ```ts
 * import { inspectOutputFile, writeFileAtomic } from '@unionml/core/files';
 * const { problem } = await inspectOutputFile('model.json');
 * if (problem) throw new Error(problem.text);
 * await writeFileAtomic('model.json', '{}');
 * ```
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdtemp, open, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputPathError } from './errors.js';

/** Why a file cannot be written at a path (see {@link inspectOutputFile}). */
export interface OutputProblem {
  /** `folder`, `special` (a device, FIFO or socket), `no-parent`, `not-writable` or `symlink-loop`. */
  reason: 'folder' | 'special' | 'no-parent' | 'not-writable' | 'symlink-loop';
  /** What is wrong, to follow "cannot write PATH: ", e.g. `it is a character device`. */
  text: string;
  /** How to fix it. */
  hint: string;
}

/** What {@link inspectOutputFile} found. */
export interface OutputFile {
  /** The path asked for, absolute. */
  target: string;
  /** The file that is written: `target`, or the file its symlinks lead to. */
  path: string;
  /** Why it cannot be written, if it cannot. */
  problem?: OutputProblem | undefined;
}

/** Symlinks followed at most, as Linux's ELOOP limit. */
const MAX_SYMLINKS = 40;
/** A temporary file of a live process is left alone unless it is older than this. */
const STALE_MS = 60 * 60 * 1000;

/** A temporary path beside `target` (same folder, so that the rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Whether a file can be written at `target`, found without writing it: symlinks are followed to the file they lead
 * to; that file must be a regular file or not exist; its folder must exist and take a new file (checked by creating
 * and removing an empty temporary file, which finds read-only file systems and missing permissions as root too).
 */
export async function inspectOutputFile(target: string): Promise<OutputFile> {
  const asked = resolve(target);
  let path = asked;
  for (let hops = 0; ; hops++) {
    const info = await lstat(path).catch(() => undefined);
    if (!info) break;
    if (info.isSymbolicLink()) {
      if (hops >= MAX_SYMLINKS) {
        return {
          target: asked,
          path,
          problem: { reason: 'symlink-loop', text: 'its symlinks form a loop', hint: 'point the symlink at a file, or choose another path' },
        };
      }
      path = resolve(dirname(path), await readlink(path));
      continue;
    }
    const shown = path === asked ? 'it' : `it is a symlink to ${path}, which`;
    if (info.isDirectory())
      return { target: asked, path, problem: { reason: 'folder', text: `${shown} is a folder`, hint: 'give a file path, e.g. -o model.json' } };
    if (!info.isFile()) {
      const type = info.isCharacterDevice()
        ? 'a character device'
        : info.isBlockDevice()
          ? 'a block device'
          : info.isFIFO()
            ? 'a FIFO (named pipe)'
            : info.isSocket()
              ? 'a socket'
              : 'not a regular file';
      return {
        target: asked,
        path,
        problem: { reason: 'special', text: `${shown} is ${type}, not a regular file`, hint: 'write to a regular file (a new path or an existing file)' },
      };
    }
    break;
  }
  const folder = dirname(path);
  const folderInfo = await stat(folder).catch((error: NodeJS.ErrnoException) => error);
  if (folderInfo instanceof Error || !folderInfo.isDirectory()) {
    const loop = folderInfo instanceof Error && folderInfo.code === 'ELOOP';
    return {
      target: asked,
      path,
      problem: loop
        ? { reason: 'symlink-loop', text: `the symlinks of its folder ${folder} form a loop`, hint: 'fix the symlink, or choose another path' }
        : { reason: 'no-parent', text: `the folder ${folder} does not exist`, hint: 'create the folder first, or choose another path' },
    };
  }
  const probe = tempPathFor(path);
  try {
    await (await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EROFS'
        ? 'is on a read-only file system'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not writable'
          : code === 'ENOENT'
            ? 'does not take new files (a virtual file system, such as /proc)'
            : `cannot take a new file (${code ?? String(error)})`;
    return { target: asked, path, problem: { reason: 'not-writable', text: `its folder ${folder} ${why}`, hint: 'choose a writable folder' } };
  }
  await rm(probe, { force: true });
  return { target: asked, path };
}

/**
 * Writes a file atomically, to a regular file only (see the module): refuses with `OUTPUT_PATH_INVALID` what
 * {@link inspectOutputFile} refuses, writes through symlinks, keeps an existing file's permissions, and removes the
 * stale temporary files of earlier writes of the same file.
 * @returns the file written (the symlink's target for a symlink)
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<string> {
  return replaceFile(target, async (tmp) => {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** Copies `source` over `target` as {@link writeFileAtomic} writes. @returns the file written */
export async function copyFileAtomic(source: string, target: string): Promise<string> {
  return replaceFile(target, (tmp) => copyFile(source, tmp, constants.COPYFILE_EXCL));
}

async function replaceFile(target: string, write: (tmp: string) => Promise<void>): Promise<string> {
  const { path, problem } = await inspectOutputFile(target);
  if (problem) throw new OutputPathError(resolve(target), problem.text, problem.hint);
  await removeStaleTemps(path);
  const tmp = tempPathFor(path);
  try {
    await write(tmp);
    const existing = await stat(path).catch(() => undefined);
    if (existing) await chmod(tmp, existing.mode & 0o7777);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return path;
}

/**
 * Removes the temporary files that earlier writes of `path` left behind (`.<name>.<pid>.<hex>.tmp` beside it) when
 * their process is gone or they are over an hour old. Never fails: what cannot be removed stays.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const folder = dirname(path);
  const prefix = `.${basename(path)}.`;
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    const file = join(folder, name);
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (pid !== process.pid && isRunning(pid) && Date.now() - info.mtimeMs < STALE_MS) continue;
    if (pid === process.pid && Date.now() - info.mtimeMs < STALE_MS) continue;
    try {
      await rm(file);
      removed.push(file);
    } catch {
      // left for the next write
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` with a fresh temporary folder (`prefix`-*), removed afterwards whether `fn` succeeded or not. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
