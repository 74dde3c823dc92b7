import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AwsClient } from 'aws4fetch';
import { errorMessage } from '@unionml/errors';
import { StorageError } from './errors.js';

/**
 * Blob storage as Flyte tasks see it: `inputs.pb`, `outputs.pb`, files and datasets live at URIs. Implementations:
 * local files (`file:///abs/path` or a plain path) and S3 (`s3://bucket/key`); see {@link storageFor}.
 *
 * All methods throw {@link StorageError}: `STORAGE_NOT_FOUND` when the object does not exist, `STORAGE_TIMEOUT` when
 * the operation did not finish within the storage timeout (see {@link storageTimeoutMs}), `STORAGE_FAILED` otherwise;
 * messages name the URI.
 */
export interface Storage {
  /** The whole object. */
  read(uri: string): Promise<Uint8Array>;
  /** Creates or replaces the object (parent "folders" are created as needed). */
  write(uri: string, data: Uint8Array | string): Promise<void>;
  /** Whether the object exists (a "folder" prefix alone does not count). */
  exists(uri: string): Promise<boolean>;
  /** The URIs of every object whose URI starts with `prefix` (recursively), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Uploads a local file to `uri`. */
  copyFrom(localPath: string, uri: string): Promise<void>;
  /** Downloads `uri` to a local file (parent folders are created). */
  copyTo(uri: string, localPath: string): Promise<void>;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** The URI's scheme in lower case (`s3`, `file`, `gs`...), or `''` for a plain path. */
export function uriScheme(uri: string): string {
  return SCHEME.exec(uri)?.[1]?.toLowerCase() ?? '';
}

/** True for a URI that names something outside this machine (any scheme other than `file://`). */
export function isRemoteUri(uri: string): boolean {
  const scheme = uriScheme(uri);
  return scheme !== '' && scheme !== 'file';
}

/** The local path of a `file://` URI or a plain path; `undefined` for remote URIs. */
export function localPathOf(uri: string): string | undefined {
  const scheme = uriScheme(uri);
  if (scheme === '') return uri;
  if (scheme === 'file') return fileURLToPath(uri);
  return undefined;
}

/** A `file://` URI for a local path. */
export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * Joins URI parts with single slashes, keeping the scheme and authority: `joinUri('s3://b/x/', 'a', 'o.pb')` is
 * `s3://b/x/a/o.pb`; `joinUri('/tmp/w', 'n0')` is `/tmp/w/n0`. Empty parts are skipped.
 */
export function joinUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const part of parts) {
    if (part === '') continue;
    const trimmed = part.replace(/^\/+/, '');
    if (out === '') out = part;
    else out = `${out.replace(/\/+$/, '')}/${trimmed}`;
  }
  return out;
}

/** The last path segment of a URI or path (`s3://b/x/model.json` → `model.json`). */
export function basenameOf(uri: string): string {
  const trimmed = uri.replace(/\/+$/, '');
  const segment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return segment.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:$/, '');
}

/** A random lowercase hex string (32 characters by default), like flytekit's `get_random_string()`. */
export function randomName(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** The environment variable that sets the storage timeout, in seconds (see {@link storageTimeoutMs}). */
export const STORAGE_TIMEOUT_ENV = 'UNIONML_STORAGE_TIMEOUT_SECONDS';

/** The storage timeout when {@link STORAGE_TIMEOUT_ENV} is not set, in seconds (as botocore's, which flytekit uses). */
export const DEFAULT_STORAGE_TIMEOUT_SECONDS = 60;

/** The slowest transfer allowed: an operation gets 1 s more per MiB it reads or writes. */
const MIN_BYTES_PER_SECOND = 1024 * 1024;

/** setTimeout's largest delay (about 24.8 days); a larger one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The time one storage operation may take, in milliseconds: `UNIONML_STORAGE_TIMEOUT_SECONDS` (a positive number,
 * decimals allowed) or {@link DEFAULT_STORAGE_TIMEOUT_SECONDS}. An operation is one call of a {@link Storage} method
 * (one request of a listing, with the retries of an S3 request), and it gets 1 s more per MiB it transfers. Throws
 * `STORAGE_FAILED` for a value that is not a positive number.
 */
export function storageTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[STORAGE_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_STORAGE_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new StorageError('STORAGE_FAILED', '', `${STORAGE_TIMEOUT_ENV} must be a positive number of seconds, got ${JSON.stringify(raw)}`, {
      hint: `set it to e.g. 300, or unset it for the default (${DEFAULT_STORAGE_TIMEOUT_SECONDS} s)`,
    });
  }
  return Math.min(seconds * 1000, MAX_TIMER_MS);
}

/** Options of the storages ({@link storageFor}, {@link anyStorage} and the classes). */
export interface StorageOptions {
  /** The time one operation may take, in milliseconds (default: {@link storageTimeoutMs} of the environment). */
  timeoutMs?: number;
}

/** One storage operation under way (see {@link withStorageTimeout}). */
export interface StorageOperation {
  /** Aborted when the operation times out: give it to what can be cancelled (fetch, readFile, writeFile). */
  readonly signal: AbortSignal;
  /** Gives the operation more time for `bytes` it transfers (1 s per MiB). */
  transfers(bytes: number): void;
}

function describeMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs one storage operation within `timeoutMs` (plus what {@link StorageOperation.transfers} gives it). Past that, it
 * rejects with `STORAGE_TIMEOUT` on `uri` ("cannot <what>: no result within <n> s", `what` naming the operation and
 * its URI, e.g. `read s3://b/k`) and aborts `op.signal`. A local file system call cannot be cancelled: it is left to
 * end (or not) in the background, and the caller goes on.
 */
export function withStorageTimeout<T>(what: string, uri: string, timeoutMs: number, run: (op: StorageOperation) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const started = Date.now();
  let limit = timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<T>((resolve, reject) => {
    const expire = () => {
      const error = new StorageError(
        'STORAGE_TIMEOUT',
        uri,
        `cannot ${what}: no result within ${describeMs(limit)} (the storage timeout, ${STORAGE_TIMEOUT_ENV})`,
        {
          hint: `check that the store or file system answers; a slow one may be given more time with ${STORAGE_TIMEOUT_ENV}=<seconds>`,
        },
      );
      controller.abort(error);
      reject(error);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(expire, Math.min(Math.max(0, started + limit - Date.now()), MAX_TIMER_MS));
    };
    arm();
    const op: StorageOperation = {
      signal: controller.signal,
      transfers(bytes) {
        if (!(bytes > 0) || controller.signal.aborted) return;
        limit += Math.ceil((bytes / MIN_BYTES_PER_SECOND) * 1000);
        arm();
      },
    };
    // (a synchronous throw of run becomes a rejection)
    const running = (async () => run(op))();
    running.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** `error.code` of a Node system error, if any. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Creates a folder and its missing parents (`mkdir -p`). Not `mkdir(path, { recursive: true })`: on Node 20 and 22
 * that never returns (it spins in C++, in the sync, callback and promise forms) when the kernel answers ENOENT for
 * a folder whose parent exists, as it does for any new path under `/proc` (and for a path through a dangling
 * symlink): it takes ENOENT to mean "no parent", finds the parent there (EEXIST) and tries again, for ever. Here a
 * second ENOENT, once the parent exists, is final. Throws the file system's error (ENOENT, ENOTDIR, EACCES, EEXIST
 * for a file in the way...).
 */
export async function makeDirs(path: string): Promise<void> {
  const isFolder = (p: string) =>
    stat(p).then(
      (info) => info.isDirectory(),
      () => false,
    );
  try {
    await mkdir(path);
    return;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST' && (await isFolder(path))) return;
    const parent = dirname(path);
    if (errnoOf(error) !== 'ENOENT' || parent === path) throw error;
    await makeDirs(parent);
  }
  try {
    await mkdir(path);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST' && (await isFolder(path))) return;
    throw error;
  }
}

/** Writes `data` to a temporary file beside `path`, then renames it over `path`; the temporary file is removed on failure. */
async function replaceFile(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${path}.${randomName(6)}.tmp`;
  try {
    await write(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes a local file atomically (parent folders created): to a temporary file beside it, then renamed over it, so that
 * readers never see a partial file. On failure the temporary file is removed and the error is rethrown as it is.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await makeDirs(dirname(path));
  await replaceFile(path, (temp) => writeFile(temp, data));
}

/**
 * Copies a local file over `target` atomically (parent folders created): to a temporary file beside it, then renamed
 * into place, so that readers never see a partial file. On failure the temporary file is removed and the error
 * rethrown.
 */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  await makeDirs(dirname(target));
  await replaceFile(target, (temp) => copyFile(source, temp));
}

/**
 * The storage for a URI's scheme: `s3://` (S3-compatible, see below), `file://` or a plain path (local files), and
 * `http(s)://` (read-only). Other schemes throw `STORAGE_FAILED`.
 *
 * S3 settings come from the environment, as Flyte sets them in task pods: `FLYTE_AWS_ENDPOINT` (e.g.
 * `http://localhost:30002`; default AWS), `FLYTE_AWS_ACCESS_KEY_ID`, `FLYTE_AWS_SECRET_ACCESS_KEY` (falling back to
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); path-style addressing, region `us-east-1`
 * (`FLYTE_AWS_REGION`/`AWS_REGION` override it); requests are signed with AWS Signature V4 (aws4fetch).
 *
 * Every operation has a timeout (`options.timeoutMs`, default `UNIONML_STORAGE_TIMEOUT_SECONDS` of `env` or 60 s, see
 * {@link storageTimeoutMs}), past which it throws `STORAGE_TIMEOUT`.
 */
export function storageFor(uri: string, env: NodeJS.ProcessEnv = process.env, options: StorageOptions = {}): Storage {
  const scheme = uriScheme(uri);
  const timeoutMs = options.timeoutMs ?? storageTimeoutMs(env);
  if (scheme === '' || scheme === 'file') return new FileStorage({ timeoutMs });
  if (scheme === 's3') return new S3Storage(env, { timeoutMs });
  if (scheme === 'http' || scheme === 'https') return new HttpStorage({ timeoutMs });
  throw new StorageError('STORAGE_FAILED', uri, `unsupported storage scheme '${scheme}://' in ${uri}`, {
    hint: 'use s3:// (S3 or MinIO), file:// or a local path',
  });
}

/**
 * A storage that picks the backend of each call's URI ({@link storageFor}), so that one context can read `s3://`
 * inputs and reference local or `https://` files. Backends are created once per scheme. Throws `STORAGE_FAILED` at
 * once when `UNIONML_STORAGE_TIMEOUT_SECONDS` is not a positive number.
 */
export function anyStorage(env: NodeJS.ProcessEnv = process.env, options: StorageOptions = {}): Storage {
  const timeoutMs = options.timeoutMs ?? storageTimeoutMs(env);
  const backends = new Map<string, Storage>();
  const pick = (uri: string): Storage => {
    const scheme = uriScheme(uri) || 'file';
    let backend = backends.get(scheme);
    if (!backend) {
      backend = storageFor(uri, env, { timeoutMs });
      backends.set(scheme, backend);
    }
    return backend;
  };
  return {
    read: async (uri) => pick(uri).read(uri),
    write: async (uri, data) => pick(uri).write(uri, data),
    exists: async (uri) => pick(uri).exists(uri),
    list: async (prefix) => pick(prefix).list(prefix),
    copyFrom: async (localPath, uri) => pick(uri).copyFrom(localPath, uri),
    copyTo: async (uri, localPath) => pick(uri).copyTo(uri, localPath),
  };
}

/** A StorageError for a failed file system call; ENOENT is STORAGE_NOT_FOUND unless `notFound` is false (a write). */
function failed(uri: string, action: string, error: unknown, notFound = true): StorageError {
  if (error instanceof StorageError) return error;
  if (notFound && errnoOf(error) === 'ENOENT') return new StorageError('STORAGE_NOT_FOUND', uri, `${uri} does not exist`, { cause: error });
  return new StorageError('STORAGE_FAILED', uri, `cannot ${action} ${uri}: ${errorMessage(error)}`, { cause: error });
}

/** Creates the folder of a local file about to be written; a failure is STORAGE_FAILED naming the folder. */
async function makeParentOf(path: string, uri: string, action: string): Promise<void> {
  const dir = dirname(path);
  try {
    await makeDirs(dir);
  } catch (error) {
    throw new StorageError('STORAGE_FAILED', uri, `cannot ${action} ${uri}: cannot create the folder ${dir} (${errorMessage(error)})`, {
      cause: error,
      hint: 'give a folder this process can create and write (not under /proc, nor under a file)',
    });
  }
}

function byteLength(data: Uint8Array | string): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/** Local files: `file:///abs/path` URIs and plain paths. Writes are atomic (temporary file, then rename). */
export class FileStorage implements Storage {
  private readonly timeoutMs: number;

  constructor(options: StorageOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? storageTimeoutMs();
  }

  read(uri: string): Promise<Uint8Array> {
    return withStorageTimeout(`read ${uri}`, uri, this.timeoutMs, async (op) => {
      const path = this.path(uri);
      try {
        op.transfers((await stat(path)).size);
        return await readFile(path, { signal: op.signal });
      } catch (error) {
        throw failed(uri, 'read', error);
      }
    });
  }

  write(uri: string, data: Uint8Array | string): Promise<void> {
    return withStorageTimeout(`write ${uri}`, uri, this.timeoutMs, async (op) => {
      const path = this.path(uri);
      op.transfers(byteLength(data));
      await makeParentOf(path, uri, 'write');
      try {
        await replaceFile(path, (temp) => writeFile(temp, data, { signal: op.signal }));
      } catch (error) {
        throw failed(uri, 'write', error, false);
      }
    });
  }

  exists(uri: string): Promise<boolean> {
    return withStorageTimeout(`check ${uri}`, uri, this.timeoutMs, async () => {
      try {
        return (await stat(this.path(uri))).isFile();
      } catch (error) {
        if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return false;
        throw failed(uri, 'check', error);
      }
    });
  }

  list(prefix: string): Promise<string[]> {
    return withStorageTimeout(`list ${prefix}`, prefix, this.timeoutMs, async (op) => {
      // S3 semantics: a prefix ending with '/' lists that folder; any other prefix matches names that start with it.
      const path = this.path(prefix);
      const asUri = uriScheme(prefix) === 'file' ? (p: string) => fileUri(p) : (p: string) => p;
      const isFolder = path.endsWith('/') || path.endsWith(sep);
      const root = isFolder ? path : dirname(path);
      const filter: string | undefined = isFolder ? undefined : path;
      const files: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        if (op.signal.aborted) return;
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return;
          throw failed(prefix, 'list', error);
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (filter === undefined || full.startsWith(filter) || filter.startsWith(full + sep)) await walk(full);
          } else if (entry.isFile() && (filter === undefined || full.startsWith(filter))) files.push(full);
        }
      };
      await walk(root);
      return files.sort().map(asUri);
    });
  }

  copyFrom(localPath: string, uri: string): Promise<void> {
    return this.copy(localPath, this.path(uri), uri, `copy ${localPath} to ${uri}`);
  }

  copyTo(uri: string, localPath: string): Promise<void> {
    return this.copy(this.path(uri), localPath, uri, `copy ${uri} to ${localPath}`);
  }

  private copy(from: string, to: string, uri: string, what: string): Promise<void> {
    return withStorageTimeout(what, uri, this.timeoutMs, async (op) => {
      try {
        op.transfers((await stat(from)).size);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') throw new StorageError('STORAGE_NOT_FOUND', uri, `${from} does not exist`, { cause: error });
        throw failed(uri, 'copy', error);
      }
      await makeParentOf(to, uri, `copy ${from} to`);
      try {
        if (from !== to) await copyFile(from, to);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') throw new StorageError('STORAGE_NOT_FOUND', uri, `${from} does not exist`, { cause: error });
        throw failed(uri, 'copy', error);
      }
    });
  }

  private path(uri: string): string {
    const path = localPathOf(uri);
    if (path === undefined) throw new StorageError('STORAGE_FAILED', uri, `${uri} is not a local path or file:// URI`);
    return path;
  }
}

/** Writes downloaded bytes to a local file (creating its folder); a failure names both ends. */
async function saveLocally(uri: string, data: Uint8Array, localPath: string, signal: AbortSignal): Promise<void> {
  await makeParentOf(localPath, uri, `save ${localPath} from`);
  try {
    await writeFile(localPath, data, { signal });
  } catch (error) {
    throw failed(uri, `save ${localPath} from`, error, false);
  }
}

/** The size a response announces (`content-length`), or 0. */
function contentLength(response: Response): number {
  const length = Number(response.headers.get('content-length'));
  return Number.isFinite(length) && length > 0 ? length : 0;
}

/** Read-only `http(s)://` (e.g. a public file referenced by a blob). */
export class HttpStorage implements Storage {
  private readonly timeoutMs: number;

  constructor(options: StorageOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? storageTimeoutMs();
  }

  read(uri: string): Promise<Uint8Array> {
    return withStorageTimeout(`download ${uri}`, uri, this.timeoutMs, (op) => this.get(uri, op));
  }

  write(uri: string): Promise<void> {
    return Promise.reject(new StorageError('STORAGE_FAILED', uri, `cannot write ${uri}: http(s) storage is read-only`));
  }

  exists(uri: string): Promise<boolean> {
    return withStorageTimeout(`check ${uri}`, uri, this.timeoutMs, async (op) => {
      try {
        const response = await fetch(uri, { method: 'HEAD', signal: op.signal });
        return response.ok;
      } catch (error) {
        throw failed(uri, 'check', error);
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.exists(prefix)) ? [prefix] : [];
  }

  async copyFrom(_localPath: string, uri: string): Promise<void> {
    await this.write(uri);
  }

  copyTo(uri: string, localPath: string): Promise<void> {
    return withStorageTimeout(`download ${uri} to ${localPath}`, uri, this.timeoutMs, async (op) =>
      saveLocally(uri, await this.get(uri, op), localPath, op.signal),
    );
  }

  private async get(uri: string, op: StorageOperation): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await fetch(uri, { signal: op.signal });
    } catch (error) {
      throw failed(uri, 'download', error);
    }
    if (response.status === 404) throw new StorageError('STORAGE_NOT_FOUND', uri, `${uri} does not exist (HTTP 404)`);
    if (!response.ok) throw new StorageError('STORAGE_FAILED', uri, `cannot download ${uri}: HTTP ${response.status}`);
    op.transfers(contentLength(response));
    return new Uint8Array(await response.arrayBuffer());
  }
}

/** Splits `s3://bucket/key` into its bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!match) throw new StorageError('STORAGE_FAILED', uri, `${uri} is not an s3://bucket/key URI`);
  return { bucket: match[1]!, key: match[2] ?? '' };
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return XML_ENTITIES[name] ?? whole;
  });
}

/**
 * An S3-compatible store (AWS S3, MinIO, s3rver...), path-style, Signature V4. See {@link storageFor} for settings.
 * Each request (one page of a listing) is bounded by the storage timeout, its retries (3, on HTTP 5xx and 429)
 * included.
 */
export class S3Storage implements Storage {
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private client: AwsClient | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: StorageOptions = {},
  ) {
    this.endpoint = (env['FLYTE_AWS_ENDPOINT'] || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || 'https://s3.amazonaws.com').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? storageTimeoutMs(env);
  }

  read(uri: string): Promise<Uint8Array> {
    return withStorageTimeout(`read ${uri}`, uri, this.timeoutMs, (op) => this.get(uri, op));
  }

  write(uri: string, data: Uint8Array | string): Promise<void> {
    return withStorageTimeout(`write ${uri}`, uri, this.timeoutMs, (op) => this.put(uri, data, op));
  }

  async exists(uri: string): Promise<boolean> {
    const { key } = parseS3Uri(uri);
    if (key === '' || key.endsWith('/')) return false;
    try {
      await withStorageTimeout(`check ${uri}`, uri, this.timeoutMs, (op) => this.request(uri, 'check', 'HEAD', op));
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.code === 'STORAGE_NOT_FOUND') return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const { bucket, key } = parseS3Uri(prefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix: key });
      if (token) query.set('continuation-token', token);
      const xml = await withStorageTimeout(`list ${prefix}`, prefix, this.timeoutMs, async (op) => {
        const response = await this.request(`s3://${bucket}`, 'list', 'GET', op, { query: query.toString(), shownUri: prefix });
        return response.text();
      });
      for (const match of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)) out.push(`s3://${bucket}/${xmlText(match[1]!)}`);
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? xmlText(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') || undefined
        : undefined;
    } while (token);
    return out.sort();
  }

  copyFrom(localPath: string, uri: string): Promise<void> {
    return withStorageTimeout(`upload ${localPath} to ${uri}`, uri, this.timeoutMs, async (op) => {
      let data: Uint8Array;
      try {
        data = await readFile(localPath, { signal: op.signal });
      } catch (error) {
        if (errnoOf(error) === 'ENOENT')
          throw new StorageError('STORAGE_NOT_FOUND', uri, `cannot upload ${localPath} to ${uri}: ${localPath} does not exist`, { cause: error });
        throw failed(uri, 'upload to', error);
      }
      await this.put(uri, data, op);
    });
  }

  copyTo(uri: string, localPath: string): Promise<void> {
    return withStorageTimeout(`download ${uri} to ${localPath}`, uri, this.timeoutMs, async (op) =>
      saveLocally(uri, await this.get(uri, op), localPath, op.signal),
    );
  }

  private async get(uri: string, op: StorageOperation): Promise<Uint8Array> {
    const response = await this.request(uri, 'read', 'GET', op);
    op.transfers(contentLength(response));
    return new Uint8Array(await response.arrayBuffer());
  }

  private async put(uri: string, data: Uint8Array | string, op: StorageOperation): Promise<void> {
    const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    op.transfers(body.byteLength);
    await this.request(uri, 'write', 'PUT', op, { body });
  }

  private aws(uri: string): AwsClient {
    if (this.client) return this.client;
    const accessKeyId = this.env['FLYTE_AWS_ACCESS_KEY_ID'] || this.env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = this.env['FLYTE_AWS_SECRET_ACCESS_KEY'] || this.env['AWS_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey) {
      throw new StorageError('STORAGE_FAILED', uri, `cannot access ${uri}: no S3 credentials`, {
        hint: 'set FLYTE_AWS_ACCESS_KEY_ID and FLYTE_AWS_SECRET_ACCESS_KEY (and FLYTE_AWS_ENDPOINT for MinIO, e.g. http://localhost:30002)',
      });
    }
    const sessionToken = this.env['FLYTE_AWS_ACCESS_KEY_ID'] ? undefined : this.env['AWS_SESSION_TOKEN'];
    this.client = new AwsClient({
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      service: 's3',
      region: this.env['FLYTE_AWS_REGION'] || this.env['AWS_REGION'] || 'us-east-1',
      retries: 3,
    });
    return this.client;
  }

  /** One request (with aws4fetch's retries), cancelled by `op`'s timeout. */
  private async request(
    uri: string,
    action: string,
    method: 'GET' | 'PUT' | 'HEAD',
    op: StorageOperation,
    options: { body?: Uint8Array; headers?: Record<string, string>; query?: string; shownUri?: string } = {},
  ): Promise<Response> {
    const shown = options.shownUri ?? uri;
    const { bucket, key } = parseS3Uri(uri);
    const path = key === '' ? '' : `/${key.split('/').map(encodeURIComponent).join('/')}`;
    const url = `${this.endpoint}/${encodeURIComponent(bucket)}${path}${options.query ? `?${options.query}` : ''}`;
    let response: Response;
    try {
      response = await this.aws(shown).fetch(url, {
        method,
        headers: options.headers ?? {},
        signal: op.signal,
        ...(options.body ? { body: options.body } : {}),
      });
    } catch (error) {
      if (error instanceof StorageError) throw error;
      if (op.signal.aborted && op.signal.reason instanceof StorageError) throw op.signal.reason;
      throw new StorageError(
        'STORAGE_FAILED',
        shown,
        `cannot ${action} ${shown}: cannot reach the S3 endpoint ${this.endpoint} (${errorMessage((error as Error).cause ?? error)})`,
        {
          cause: error,
          hint: 'check FLYTE_AWS_ENDPOINT',
        },
      );
    }
    if (response.ok) return response;
    const text = method === 'HEAD' ? '' : await response.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    if (response.status === 404) {
      throw new StorageError('STORAGE_NOT_FOUND', shown, `${shown} does not exist${code && code !== 'NoSuchKey' ? ` (${code})` : ''}`);
    }
    const detail = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    throw new StorageError(
      'STORAGE_FAILED',
      shown,
      `cannot ${action} ${shown}: HTTP ${response.status}${code ? ` ${code}` : ''}${detail ? `: ${xmlText(detail)}` : ''}`,
      {
        hint: response.status === 403 ? 'check FLYTE_AWS_ACCESS_KEY_ID / FLYTE_AWS_SECRET_ACCESS_KEY' : undefined,
      },
    );
  }
}
