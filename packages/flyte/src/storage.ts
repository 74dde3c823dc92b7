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
 * All methods throw {@link StorageError}: `STORAGE_NOT_FOUND` when the object does not exist, `STORAGE_FAILED`
 * otherwise; messages name the URI.
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

/**
 * Writes a local file atomically (parent folders created): to a temporary file beside it, then renamed over it, so that
 * readers never see a partial file. On failure the temporary file is removed and the error is rethrown as it is.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${randomName(6)}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Copies a local file over `target` atomically (parent folders created): to a temporary file beside it, then renamed
 * into place, so that readers never see a partial file. On failure the temporary file is removed and the error
 * rethrown.
 */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  const temp = `${target}.${randomName(6)}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * The storage for a URI's scheme: `s3://` (S3-compatible, see below), `file://` or a plain path (local files), and
 * `http(s)://` (read-only). Other schemes throw `STORAGE_FAILED`.
 *
 * S3 settings come from the environment, as Flyte sets them in task pods: `FLYTE_AWS_ENDPOINT` (e.g.
 * `http://localhost:30002`; default AWS), `FLYTE_AWS_ACCESS_KEY_ID`, `FLYTE_AWS_SECRET_ACCESS_KEY` (falling back to
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); path-style addressing, region `us-east-1`
 * (`FLYTE_AWS_REGION`/`AWS_REGION` override it); requests are signed with AWS Signature V4 (aws4fetch).
 */
export function storageFor(uri: string, env: NodeJS.ProcessEnv = process.env): Storage {
  const scheme = uriScheme(uri);
  if (scheme === '' || scheme === 'file') return new FileStorage();
  if (scheme === 's3') return new S3Storage(env);
  if (scheme === 'http' || scheme === 'https') return new HttpStorage();
  throw new StorageError('STORAGE_FAILED', uri, `unsupported storage scheme '${scheme}://' in ${uri}`, {
    hint: 'use s3:// (S3 or MinIO), file:// or a local path',
  });
}

/**
 * A storage that picks the backend of each call's URI ({@link storageFor}), so that one context can read `s3://`
 * inputs and reference local or `https://` files. Backends are created once per scheme.
 */
export function anyStorage(env: NodeJS.ProcessEnv = process.env): Storage {
  const backends = new Map<string, Storage>();
  const pick = (uri: string): Storage => {
    const scheme = uriScheme(uri) || 'file';
    let backend = backends.get(scheme);
    if (!backend) {
      backend = storageFor(uri, env);
      backends.set(scheme, backend);
    }
    return backend;
  };
  return {
    read: (uri) => pick(uri).read(uri),
    write: (uri, data) => pick(uri).write(uri, data),
    exists: (uri) => pick(uri).exists(uri),
    list: (prefix) => pick(prefix).list(prefix),
    copyFrom: (localPath, uri) => pick(uri).copyFrom(localPath, uri),
    copyTo: (uri, localPath) => pick(uri).copyTo(uri, localPath),
  };
}

function failed(uri: string, action: string, error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new StorageError('STORAGE_NOT_FOUND', uri, `${uri} does not exist`, { cause: error });
  if (error instanceof StorageError) return error;
  return new StorageError('STORAGE_FAILED', uri, `cannot ${action} ${uri}: ${errorMessage(error)}`, { cause: error });
}

/** Local files: `file:///abs/path` URIs and plain paths. Writes are atomic (temporary file, then rename). */
export class FileStorage implements Storage {
  async read(uri: string): Promise<Uint8Array> {
    try {
      return await readFile(this.path(uri));
    } catch (error) {
      throw failed(uri, 'read', error);
    }
  }

  async write(uri: string, data: Uint8Array | string): Promise<void> {
    try {
      await writeFileAtomic(this.path(uri), data);
    } catch (error) {
      throw failed(uri, 'write', error);
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      return (await stat(this.path(uri))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw failed(uri, 'check', error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    // S3 semantics: a prefix ending with '/' lists that folder; any other prefix matches names that start with it.
    const path = this.path(prefix);
    const asUri = uriScheme(prefix) === 'file' ? (p: string) => fileUri(p) : (p: string) => p;
    const isFolder = path.endsWith('/') || path.endsWith(sep);
    const root = isFolder ? path : dirname(path);
    const filter: string | undefined = isFolder ? undefined : path;
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
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
  }

  async copyFrom(localPath: string, uri: string): Promise<void> {
    await this.copy(localPath, this.path(uri), uri);
  }

  async copyTo(uri: string, localPath: string): Promise<void> {
    await this.copy(this.path(uri), localPath, uri);
  }

  private async copy(from: string, to: string, uri: string): Promise<void> {
    try {
      await mkdir(dirname(to), { recursive: true });
      if (from !== to) await copyFile(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageError('STORAGE_NOT_FOUND', uri, `${from} does not exist`, { cause: error });
      throw failed(uri, 'copy', error);
    }
  }

  private path(uri: string): string {
    const path = localPathOf(uri);
    if (path === undefined) throw new StorageError('STORAGE_FAILED', uri, `${uri} is not a local path or file:// URI`);
    return path;
  }
}

/** Read-only `http(s)://` (e.g. a public file referenced by a blob). */
/** Writes downloaded bytes to a local file (creating its folder); a failure names both ends. */
async function saveLocally(uri: string, data: Uint8Array, localPath: string): Promise<void> {
  try {
    await mkdir(dirname(localPath), { recursive: true });
    await writeFile(localPath, data);
  } catch (error) {
    throw failed(uri, `save ${localPath} from`, error);
  }
}

export class HttpStorage implements Storage {
  async read(uri: string): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await fetch(uri);
    } catch (error) {
      throw failed(uri, 'download', error);
    }
    if (response.status === 404) throw new StorageError('STORAGE_NOT_FOUND', uri, `${uri} does not exist (HTTP 404)`);
    if (!response.ok) throw new StorageError('STORAGE_FAILED', uri, `cannot download ${uri}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  write(uri: string): Promise<void> {
    return Promise.reject(new StorageError('STORAGE_FAILED', uri, `cannot write ${uri}: http(s) storage is read-only`));
  }

  async exists(uri: string): Promise<boolean> {
    try {
      const response = await fetch(uri, { method: 'HEAD' });
      return response.ok;
    } catch (error) {
      throw failed(uri, 'check', error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.exists(prefix)) ? [prefix] : [];
  }

  async copyFrom(_localPath: string, uri: string): Promise<void> {
    await this.write(uri);
  }

  async copyTo(uri: string, localPath: string): Promise<void> {
    await saveLocally(uri, await this.read(uri), localPath);
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

/** An S3-compatible store (AWS S3, MinIO, s3rver...), path-style, Signature V4. See {@link storageFor} for settings. */
export class S3Storage implements Storage {
  private readonly endpoint: string;
  private client: AwsClient | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = (env['FLYTE_AWS_ENDPOINT'] || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || 'https://s3.amazonaws.com').replace(/\/+$/, '');
  }

  async read(uri: string): Promise<Uint8Array> {
    const response = await this.request(uri, 'read', 'GET');
    return new Uint8Array(await response.arrayBuffer());
  }

  async write(uri: string, data: Uint8Array | string): Promise<void> {
    const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    await this.request(uri, 'write', 'PUT', { body });
  }

  async exists(uri: string): Promise<boolean> {
    const { key } = parseS3Uri(uri);
    if (key === '' || key.endsWith('/')) return false;
    try {
      await this.request(uri, 'check', 'HEAD');
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
      const response = await this.request(`s3://${bucket}`, 'list', 'GET', { query: query.toString(), shownUri: prefix });
      const xml = await response.text();
      for (const match of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)) out.push(`s3://${bucket}/${xmlText(match[1]!)}`);
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? xmlText(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') || undefined
        : undefined;
    } while (token);
    return out.sort();
  }

  async copyFrom(localPath: string, uri: string): Promise<void> {
    let data: Uint8Array;
    try {
      data = await readFile(localPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StorageError('STORAGE_NOT_FOUND', uri, `cannot upload ${localPath} to ${uri}: ${localPath} does not exist`, { cause: error });
      throw failed(uri, 'upload to', error);
    }
    await this.write(uri, data);
  }

  async copyTo(uri: string, localPath: string): Promise<void> {
    await saveLocally(uri, await this.read(uri), localPath);
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

  private async request(
    uri: string,
    action: string,
    method: 'GET' | 'PUT' | 'HEAD',
    options: { body?: Uint8Array; headers?: Record<string, string>; query?: string; shownUri?: string } = {},
  ): Promise<Response> {
    const shown = options.shownUri ?? uri;
    const { bucket, key } = parseS3Uri(uri);
    const path = key === '' ? '' : `/${key.split('/').map(encodeURIComponent).join('/')}`;
    const url = `${this.endpoint}/${encodeURIComponent(bucket)}${path}${options.query ? `?${options.query}` : ''}`;
    let response: Response;
    try {
      response = await this.aws(shown).fetch(url, { method, headers: options.headers ?? {}, ...(options.body ? { body: options.body } : {}) });
    } catch (error) {
      if (error instanceof StorageError) throw error;
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
