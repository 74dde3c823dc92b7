// Fast registration, as pyflyte's `--fast` and `pyflyte-fast-execute`: the code of a task image is replaced at run time
// by an archive uploaded at registration, so that new code runs without building a new image. The archive is a gzip
// tar of the app's files; the task's command is `<fast entrypoint> --additional-distribution URI [--dest-dir DIR] --
// <entrypoint> ...`, and the fast entrypoint extracts the archive over DIR (default: the working folder) first.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { errorMessage } from '@unionml/errors';
import { readTar, tarArchive } from './bundle.js';
import { CodeArchiveError, ExecuteArgsError } from './errors.js';
import { anyStorage, makeDirs, type Storage } from './storage.js';

/** A code archive: its bytes (a gzip tar), the SHA-256 of those bytes (hex) and how many files it holds. */
export interface CodeArchive {
  bytes: Uint8Array;
  digest: string;
  files: number;
}

/**
 * Packs files (paths relative to the code folder, `/`-separated) into a code archive. Entries are sorted and carry no
 * times, owners or modes, so that the same code always gives the same bytes (and the same digest).
 */
export function codeArchive(files: readonly { name: string; data: Uint8Array }[]): CodeArchive {
  for (const file of files) checkEntryName(file.name, 'code archive');
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bytes = gzipSync(tarArchive(sorted, 0), { level: 9 });
  return { bytes, digest: createHash('sha256').update(bytes).digest('hex'), files: sorted.length };
}

/** The arguments of a fast entrypoint before the task's own command: `--additional-distribution URI [--dest-dir DIR] --`. */
export function fastExecuteArgs(distribution: string, destDir?: string): string[] {
  return ['--additional-distribution', distribution, ...(destDir ? ['--dest-dir', destDir] : []), '--'];
}

/** What {@link parseFastExecuteArgs} reads. */
export interface FastExecuteArgs {
  /** The code archive's URI (`s3://`, `file://`, a path or `http(s)://`). */
  distribution: string;
  /** The folder it is extracted into; undefined: the working folder. */
  destDir: string | undefined;
  /** The command after `--`. */
  command: string[];
}

const FAST_HINT = 'expected: --additional-distribution <uri> [--dest-dir <folder>] -- <command...>';

/** Parses `--additional-distribution URI [--dest-dir DIR] -- COMMAND...` (`--flag value` or `--flag=value`). */
export function parseFastExecuteArgs(argv: readonly string[]): FastExecuteArgs {
  const values: { distribution?: string; destDir?: string } = {};
  const keys: Record<string, 'distribution' | 'destDir'> = { '--additional-distribution': 'distribution', '--dest-dir': 'destDir' };
  let command: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      command = argv.slice(i + 1);
      break;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const key = keys[flag];
    if (!key) throw new ExecuteArgsError(`unexpected argument ${JSON.stringify(arg)}`, FAST_HINT);
    const value = eq !== -1 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value === '--') throw new ExecuteArgsError(`${flag} needs a value`, FAST_HINT);
    values[key] = value;
  }
  if (!values.distribution) throw new ExecuteArgsError('missing --additional-distribution', FAST_HINT);
  if (!command || command.length === 0) throw new ExecuteArgsError('missing the command to run after --', FAST_HINT);
  return { distribution: values.distribution, destDir: values.destDir, command };
}

function checkEntryName(name: string, where: string): void {
  const parts = name.split('/');
  if (name === '' || isAbsolute(name) || name.startsWith('/') || name.includes('\\') || parts.includes('..') || parts.includes('')) {
    throw new CodeArchiveError(`the ${where} has an entry ${JSON.stringify(name)} that is not a relative path inside its folder`);
  }
}

/**
 * Downloads a code archive and extracts its files into `destDir` (created if missing), replacing files of the same
 * path. Storage failures are {@link StorageError}s (transient); an archive that is not a gzip tar of relative paths
 * is a {@link CodeArchiveError}.
 */
export async function fetchDistribution(
  uri: string,
  destDir: string,
  options: { env?: NodeJS.ProcessEnv; storage?: Storage } = {},
): Promise<{ files: number; bytes: number }> {
  const storage = options.storage ?? anyStorage(options.env ?? process.env);
  const compressed = await storage.read(uri);
  let entries: { name: string; data: Uint8Array }[];
  try {
    entries = readTar(gunzipSync(compressed), uri);
  } catch (error) {
    throw new CodeArchiveError(`the code archive ${uri} is not a gzip tar: ${errorMessage(error)}`, { cause: error });
  }
  const root = resolve(destDir);
  let bytes = 0;
  for (const entry of entries) {
    checkEntryName(entry.name, `code archive ${uri}`);
    const target = join(root, ...entry.name.split('/'));
    if (!target.startsWith(root + sep)) throw new CodeArchiveError(`the code archive ${uri} has an entry ${entry.name} outside ${root}`);
    await makeDirs(join(target, '..'));
    await writeFile(target, entry.data);
    bytes += entry.data.length;
  }
  return { files: entries.length, bytes };
}
