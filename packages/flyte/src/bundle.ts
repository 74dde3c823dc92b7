import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { errorMessage } from '@unionml/errors';
import { BundleError } from './errors.js';
import { flyteidl } from './idl.js';
import { writeFileAtomic } from './storage.js';

/** What a registration bundle holds, in registration order within each kind. */
export interface Bundle {
  tasks: flyteidl.admin.ITaskSpec[];
  workflows: flyteidl.admin.IWorkflowSpec[];
  launchPlans: flyteidl.admin.ILaunchPlan[];
}

/** Options of {@link writeBundle}. */
export interface WriteBundleOptions {
  /** The modification time recorded for every entry; default the epoch, so equal bundles have equal bytes. */
  mtime?: Date;
}

/**
 * The file names of a bundle, in registration order, as pyflyte names them (`serialize_helpers.py`):
 * `<index>_<name>_1.pb` for tasks, `_2.pb` for workflows, `_3.pb` for launch plans, tasks before workflows before
 * launch plans, the index zero-padded to `ceil(log10(count))` digits so that lexicographic order is registration
 * order (flytectl sorts the names).
 */
export function bundleFileNames(bundle: Bundle): string[] {
  const entries = bundleEntries(bundle);
  const width = entries.length === 0 ? 0 : Math.ceil(Math.log10(entries.length));
  return entries.map((entry, i) => `${String(i).padStart(width, '0')}_${safeName(entry.name)}_${entry.suffix}.pb`);
}

function safeName(name: string): string {
  return name.replace(/[/\\\0]/g, '_');
}

function bundleEntries(bundle: Bundle): { name: string; suffix: 1 | 2 | 3; bytes: () => Uint8Array }[] {
  return [
    ...bundle.tasks.map((spec) => ({ name: spec.template?.id?.name ?? '', suffix: 1 as const, bytes: () => flyteidl.admin.TaskSpec.encode(spec).finish() })),
    ...bundle.workflows.map((spec) => ({
      name: spec.template?.id?.name ?? '',
      suffix: 2 as const,
      bytes: () => flyteidl.admin.WorkflowSpec.encode(spec).finish(),
    })),
    ...bundle.launchPlans.map((lp) => ({ name: lp.id?.name ?? '', suffix: 3 as const, bytes: () => flyteidl.admin.LaunchPlan.encode(lp).finish() })),
  ];
}

/**
 * Writes a registration bundle: a gzipped tar (`.tgz`), flat, that `flytectl register files --archive` and
 * `pyflyte`-style tooling accept (see {@link bundleFileNames} for the names). Entries are `admin.TaskSpec`,
 * `admin.WorkflowSpec` and `admin.LaunchPlan` protobufs. The file is written atomically (temporary file, then
 * rename); the same bundle always gives the same bytes. Returns the entry names in order.
 */
export async function writeBundle(file: string, bundle: Bundle, options: WriteBundleOptions = {}): Promise<{ files: string[] }> {
  const entries = bundleEntries(bundle);
  for (const [i, entry] of entries.entries()) {
    if (entry.name === '') throw new BundleError(file, `cannot write ${file}: entry ${i} has no name (its template or launch plan has no id)`);
  }
  const names = bundleFileNames(bundle);
  const mtime = Math.floor((options.mtime?.getTime() ?? 0) / 1000);
  const tar = tarArchive(
    names.map((name, i) => ({ name, data: entries[i]!.bytes() })),
    mtime,
  );
  const bytes = gzipSync(tar, { level: 9 });
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    throw new BundleError(file, `cannot write ${file}: ${errorMessage(error)}`, { cause: error });
  }
  return { files: names };
}

/**
 * Reads a bundle: a `.tgz`/`.tar.gz`/`.tar` archive or a folder of `.pb` files. Entries are taken in lexicographic
 * order (as flytectl registers them) and decoded by their suffix (`_1.pb` TaskSpec, `_2.pb` WorkflowSpec, `_3.pb`
 * LaunchPlan); a fast-registration `fast*.tar.gz` is skipped; anything else is a {@link BundleError}.
 */
export async function readBundle(file: string): Promise<Bundle & { files: string[] }> {
  let entries: { name: string; data: Uint8Array }[];
  const info = await stat(file).catch((error: unknown) => {
    throw new BundleError(file, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : errorMessage(error)}`, {
      cause: error,
    });
  });
  if (info.isDirectory()) {
    const names = (await readdir(file, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
    entries = await Promise.all(names.map(async (name) => ({ name, data: await readFile(join(file, name)) })));
  } else {
    let bytes: Uint8Array = await readFile(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = gunzipSync(bytes);
      } catch (error) {
        throw new BundleError(file, `${file} is not a valid gzip file: ${errorMessage(error)}`, { cause: error });
      }
    }
    entries = readTar(bytes, file);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Bundle & { files: string[] } = { tasks: [], workflows: [], launchPlans: [], files: [] };
  for (const entry of entries) {
    const base = entry.name.slice(entry.name.lastIndexOf('/') + 1);
    if (/^fast.*\.tar\.gz$/.test(base)) continue;
    const kind = /_([1-3])\.pb$/.exec(base)?.[1];
    if (!kind) throw new BundleError(file, `${file} holds ${entry.name}, which is not a registration file (<index>_<name>_{1,2,3}.pb)`);
    try {
      if (kind === '1') out.tasks.push(flyteidl.admin.TaskSpec.decode(entry.data));
      else if (kind === '2') out.workflows.push(flyteidl.admin.WorkflowSpec.decode(entry.data));
      else out.launchPlans.push(flyteidl.admin.LaunchPlan.decode(entry.data));
    } catch (error) {
      throw new BundleError(file, `${entry.name} in ${file} is not a valid protobuf: ${errorMessage(error)}`, { cause: error });
    }
    out.files.push(entry.name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal POSIX ustar (with PAX long names) writer and reader.

const BLOCK = 512;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: number, type: string): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, text: string, width: number) => block.set(encoder.encode(text).subarray(0, width), offset);
  put(0, name, 100);
  put(100, octal(0o644, 8), 8);
  put(108, octal(0, 8), 8);
  put(116, octal(0, 8), 8);
  put(124, octal(size, 12), 12);
  put(136, octal(mtime, 12), 12);
  put(148, '        ', 8);
  put(156, type, 1);
  put(257, 'ustar\0', 6);
  put(263, '00', 2);
  put(265, 'root', 32);
  put(297, 'root', 32);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, sum.toString(8).padStart(6, '0') + '\0 ', 8);
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, new Uint8Array(BLOCK - rest)];
}

/** A tar archive of regular files (mode 0644, uid/gid 0, `mtime` seconds); names over 100 bytes get a PAX header. */
export function tarArchive(files: { name: string; data: Uint8Array }[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    let name = file.name;
    if (encoder.encode(name).length > 100) {
      const record = paxRecord('path', name);
      parts.push(header(`PaxHeaders/${name.slice(0, 80)}`, record.length, mtime, 'x'), ...padded(record));
      name = name.slice(0, 100);
    }
    parts.push(header(name, file.data.length, mtime, '0'), ...padded(file.data));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  let length = encoder.encode(body).length;
  let text = `${length}${body}`;
  while (encoder.encode(text).length !== length) {
    length = encoder.encode(text).length;
    text = `${length}${body}`;
  }
  return encoder.encode(text);
}

/** The regular files of a tar archive (ustar, PAX `path`, GNU long names). */
export function readTar(bytes: Uint8Array, file = 'archive'): { name: string; data: Uint8Array }[] {
  const decoder = new TextDecoder();
  const text = (offset: number, width: number) => {
    const slice = bytes.subarray(offset, offset + width);
    const end = slice.indexOf(0);
    return decoder.decode(end === -1 ? slice : slice.subarray(0, end));
  };
  const out: { name: string; data: Uint8Array }[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    if (bytes.subarray(offset, offset + BLOCK).every((b) => b === 0)) break;
    const sizeText = text(offset + 124, 12).trim();
    const size = Number.parseInt(sizeText || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new BundleError(file, `${file} is not a valid tar archive (bad size at byte ${offset})`);
    const type = text(offset + 156, 1) || '0';
    const magic = text(offset + 257, 6);
    const prefix = magic.startsWith('ustar') ? text(offset + 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    const dataStart = offset + BLOCK;
    if (dataStart + size > bytes.length) throw new BundleError(file, `${file} is truncated (entry ${name})`);
    const data = bytes.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(decoder.decode(data))?.[1];
      longName = path;
      continue;
    }
    if (type === 'L') {
      longName = decoder.decode(data).replace(/\0+$/, '');
      continue;
    }
    longName = undefined;
    if (type === '0' || type === '\0' || type === '7') out.push({ name: name.replace(/^\.\//, ''), data });
  }
  return out;
}
