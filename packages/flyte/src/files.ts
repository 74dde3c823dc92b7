import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { LiteralContext } from './context.js';
import { basenameOf, joinUri, localPathOf, randomName, type Storage } from './storage.js';

// The storage side of the blob and structured-dataset codecs: uploads of local files and folders, downloads of blobs.

/**
 * Uploads a local file or folder to `<rawOutputPrefix>/<random>/<basename>` and returns that URI. `fail(got, hint?)`
 * makes the error for a path that does not exist or is not what `expect` says.
 */
export async function upload(
  local: string,
  expect: 'file' | 'folder' | 'any',
  ctx: LiteralContext,
  fail: (got: string, hint?: string) => Error,
): Promise<string> {
  const info = await stat(local).catch(() => undefined);
  if (!info) throw fail(`${local}, which does not exist`);
  if (expect === 'file' && !info.isFile())
    throw fail(`${local}, which is not a file`, info.isDirectory() ? 'declare t.blob({ multipart: true }) for a folder' : undefined);
  if (expect === 'folder' && !info.isDirectory()) throw fail(`${local}, which is not a folder`);
  const destination = joinUri(ctx.rawOutputPrefix, randomName(), basename(local));
  if (info.isFile()) {
    await ctx.storage.copyFrom(local, destination);
    return destination;
  }
  for (const file of await walkFiles(local)) {
    await ctx.storage.copyFrom(file, joinUri(destination, relative(local, file).split(sep).join('/')));
  }
  return destination;
}

async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** Downloads a blob to `<workDir>/<random>/<name>`; local URIs are used in place. */
export async function download(uri: string, multipart: boolean, ctx: LiteralContext): Promise<{ uri: string; path: string }> {
  const local = localPathOf(uri);
  if (local !== undefined) return { uri, path: local };
  const destination = join(ctx.workDir, randomName(8), basenameOf(uri) || 'blob');
  if (!multipart) {
    await ctx.storage.copyTo(uri, destination);
    return { uri, path: destination };
  }
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  for (const file of await ctx.storage.list(prefix)) {
    const rest = file.slice(prefix.length);
    if (rest === '') continue;
    await ctx.storage.copyTo(file, join(destination, ...rest.split('/')));
  }
  return { uri, path: destination };
}

/**
 * The data files of a structured dataset: every object under `uri` whose name does not start with `_` or `.`
 * (flytekit's pandas encoder writes one parquet file `<uri>/00000`; Spark and others write several), sorted; or
 * `[uri]` when `uri` is itself a file. Lets a dataset transformer in another package read what flytekit wrote.
 */
export async function structuredDatasetFiles(uri: string, storage: Storage): Promise<string[]> {
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  const listed = await storage.list(prefix);
  const files = listed.filter((file) => {
    const rest = file.slice(prefix.length);
    return rest !== '' && !rest.split('/').some((segment) => segment.startsWith('_') || segment.startsWith('.'));
  });
  if (files.length > 0) return files;
  if (!uri.endsWith('/') && (await storage.exists(uri))) return [uri];
  return [];
}
