/** Files the CLI writes: atomically (a temporary file beside the target, then renamed over it), as model files are. */
import { randomBytes } from 'node:crypto';
import { copyFile, rm, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

async function replace(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Writes `data` to `target` atomically. */
export function writeAtomic(target: string, data: string): Promise<void> {
  return replace(target, (tmp) => writeFile(tmp, data));
}

/** Copies `source` to `target` atomically. */
export function copyAtomic(source: string, target: string): Promise<void> {
  return replace(target, (tmp) => copyFile(source, tmp));
}
