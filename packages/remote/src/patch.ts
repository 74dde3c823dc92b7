// The code of a patch deploy (Python UnionML's `remote_deploy(patch=True)`, flytekit's fast registration): the files
// the image's build context would hold (the app folder less its .dockerignore), packed into a reproducible code
// archive that the task containers extract over the image's copy of the app before running.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { codeArchive, type CodeArchive } from '@unionml/flyte';

/** A packed app: the archive, and the files left out because they are not regular files (symlinks). */
export interface AppCode extends CodeArchive {
  skipped: string[];
}

/**
 * Packs the app folder's files as the image build would send them (its `.dockerignore` honoured, `.git` left out),
 * regular files only. The same files give the same archive, and the same digest.
 */
export async function packAppCode(appDir: string, options: { dockerfile?: string | undefined } = {}): Promise<AppCode> {
  const { listContextFiles } = await import('@unionml/docker');
  const names = await listContextFiles({ context: appDir, dockerfile: options.dockerfile ?? 'Dockerfile' });
  const files: { name: string; data: Uint8Array }[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const path = join(appDir, ...name.split('/'));
    const info = await lstat(path);
    if (!info.isFile()) {
      skipped.push(name);
      continue;
    }
    files.push({ name, data: await readFile(path) });
  }
  return { ...codeArchive(files), skipped };
}
