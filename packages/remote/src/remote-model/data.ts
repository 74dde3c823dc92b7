// Data crossing between this machine and the cluster: inputs uploaded through DataProxy's signed URLs (as flytekit
// uploads a local DataFrame or file given to FlyteRemote.execute), and an execution's outputs read back through
// GetExecutionData (inline, else the signed URL of its outputs.pb).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '@unionml/errors';
import { flyteidl, Long, StorageError, type Storage } from '@unionml/flyte';
import { RemoteError } from '../errors.js';
import type { AdminLike } from './connection.js';

/** How long the signed upload URLs are valid (FlyteAdmin allows up to an hour). */
const UPLOAD_EXPIRY_SECONDS = 600;

/**
 * A write-only storage that uploads each object through DataProxy's `CreateUploadLocation`: a signed PUT of the bytes,
 * with their MD5 (`Content-MD5`, and the `x-amz-meta-flytecontentmd5` metadata flytekit adds), to
 * `<storage prefix>/<project>/<domain>/<root>/<path>`. Objects must be written under {@link DataProxyUploads.prefix},
 * the native URL of `<root>`, so that the literals the type engine makes hold the URLs the cluster reads.
 */
export class DataProxyUploads implements Storage {
  private constructor(
    private readonly admin: AdminLike,
    private readonly project: string,
    private readonly domain: string,
    private readonly root: string,
    /** The native URL (e.g. `s3://my-s3-bucket/flytesnacks/development/unionml-...`) under which objects are written. */
    readonly prefix: string,
  ) {}

  /**
   * Picks a root folder for uploads (`root`, else a new random one) and learns its native URL from FlyteAdmin (one
   * CreateUploadLocation call for a name under it; nothing is uploaded).
   */
  static async open(admin: AdminLike, project: string, domain: string, root = `unionml-${randomBytes(10).toString('hex')}`): Promise<DataProxyUploads> {
    const probe = await admin.dataProxy.createUploadLocation({
      project,
      domain,
      filenameRoot: root,
      filename: '_',
      expiresIn: { seconds: Long.fromNumber(60) },
    });
    const nativeUrl = probe.nativeUrl ?? '';
    if (!nativeUrl.endsWith(`/${root}/_`)) {
      throw new RemoteError(
        'REMOTE_DATA_FAILED',
        `FlyteAdmin's DataProxy answered an upload location ${nativeUrl || '(none)'} that does not end with ${root}/_`,
        {
          hint: 'check that FlyteAdmin serves DataProxyService (Flyte 1.3 or later)',
        },
      );
    }
    return new DataProxyUploads(admin, project, domain, root, nativeUrl.slice(0, -2));
  }

  async write(uri: string, data: Uint8Array | string): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (!uri.startsWith(`${this.prefix}/`)) {
      throw new StorageError('STORAGE_FAILED', uri, `cannot upload ${uri}: uploads through FlyteAdmin's DataProxy go under ${this.prefix}/`);
    }
    const filename = uri.slice(this.prefix.length + 1);
    const md5 = createHash('md5').update(body).digest();
    const location = await this.admin.dataProxy.createUploadLocation({
      project: this.project,
      domain: this.domain,
      filenameRoot: this.root,
      filename,
      contentMd5: md5,
      addContentMd5Metadata: true,
      expiresIn: { seconds: Long.fromNumber(UPLOAD_EXPIRY_SECONDS) },
    });
    if (location.nativeUrl !== uri) {
      throw new RemoteError('REMOTE_DATA_FAILED', `FlyteAdmin's DataProxy put ${filename} at ${location.nativeUrl}, not at ${uri}`, {
        hint: 'report this: the DataProxy of this FlyteAdmin lays out uploads differently',
      });
    }
    // The headers the signature covers; not their Content-Length, which is the digest's length, not the body's.
    const headers = Object.fromEntries(Object.entries(location.headers ?? {}).filter(([key]) => key.toLowerCase() !== 'content-length'));
    let response: Response;
    try {
      response = await fetch(location.signedUrl, { method: 'PUT', body, headers: { 'Content-MD5': md5.toString('base64'), ...headers } });
    } catch (error) {
      throw new RemoteError('REMOTE_DATA_FAILED', `cannot upload ${uri} to ${hostOf(location.signedUrl)}: ${errorMessage((error as Error).cause ?? error)}`, {
        cause: error,
        hint: "check that this machine reaches the cluster's object store at the signed URL's host",
      });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new RemoteError('REMOTE_DATA_FAILED', `cannot upload ${uri}: the signed PUT answered HTTP ${response.status}${s3Message(text)}`, {
        hint: "check the clock of this machine (signatures expire) and the cluster's storage settings",
      });
    }
  }

  async copyFrom(localPath: string, uri: string): Promise<void> {
    await this.write(uri, await readFile(localPath));
  }

  read(uri: string): Promise<Uint8Array> {
    return Promise.reject(this.writeOnly(uri));
  }

  exists(uri: string): Promise<boolean> {
    return Promise.reject(this.writeOnly(uri));
  }

  list(prefix: string): Promise<string[]> {
    return Promise.reject(this.writeOnly(prefix));
  }

  copyTo(uri: string): Promise<void> {
    return Promise.reject(this.writeOnly(uri));
  }

  private writeOnly(uri: string): StorageError {
    return new StorageError('STORAGE_FAILED', uri, `cannot read ${uri}: the DataProxy upload storage only writes`);
  }
}

/**
 * A read-only storage of the cluster's objects through DataProxy's signed download URLs (`CreateDownloadLocation`):
 * for a machine that reaches FlyteAdmin and the object store, but has no storage credentials of its own.
 */
export function dataProxyDownloads(admin: AdminLike): Storage {
  const signed = async (uri: string): Promise<string> => {
    const location = await admin.dataProxy.createDownloadLocation({ nativeUrl: uri, expiresIn: { seconds: Long.fromNumber(UPLOAD_EXPIRY_SECONDS) } });
    return location.signedUrl;
  };
  const read = async (uri: string): Promise<Uint8Array> => {
    const url = await signed(uri);
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new StorageError('STORAGE_FAILED', uri, `cannot download ${uri} from ${hostOf(url)}: ${errorMessage((error as Error).cause ?? error)}`, {
        cause: error,
      });
    }
    if (response.status === 404) throw new StorageError('STORAGE_NOT_FOUND', uri, `${uri} does not exist`);
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new StorageError('STORAGE_FAILED', uri, `cannot download ${uri}: the signed GET answered HTTP ${response.status}${s3Message(text)}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
  const readOnly = (uri: string) => Promise.reject(new StorageError('STORAGE_FAILED', uri, `cannot write ${uri}: downloads through DataProxy only read`));
  return {
    read,
    write: readOnly,
    copyFrom: (_path, uri) => readOnly(uri),
    async exists(uri) {
      try {
        await read(uri);
        return true;
      } catch (error) {
        if (error instanceof StorageError && error.code === 'STORAGE_NOT_FOUND') return false;
        throw error;
      }
    },
    list: (prefix) =>
      Promise.reject(
        new StorageError('STORAGE_FAILED', prefix, `cannot list ${prefix} through DataProxy`, { hint: 'give the Flyte config storage credentials' }),
      ),
    async copyTo(uri, localPath) {
      const data = await read(uri);
      await mkdir(dirname(localPath), { recursive: true });
      await writeFile(localPath, data);
    },
  };
}

/** A storage that refuses writes: for inputs that are plain values (no file or DataFrame to upload). */
export function noUploads(reading: Storage): Storage {
  const refuse = (uri: string) =>
    Promise.reject(new StorageError('STORAGE_FAILED', uri, `cannot upload ${uri}: this workflow's inputs are plain values, nothing is uploaded`));
  return { ...reading, write: refuse, copyFrom: (_path, uri) => refuse(uri) };
}

/**
 * The outputs of a finished execution: GetExecutionData's inline `fullOutputs`, else the LiteralMap at its
 * `outputs.url` (a signed `https://` URL, or a storage URI, read with `storage`).
 */
export async function executionOutputs(admin: AdminLike, id: flyteidl.core.IWorkflowExecutionIdentifier, storage: Storage): Promise<flyteidl.core.ILiteralMap> {
  const data = await admin.service.getExecutionData({ id });
  const inline = data.fullOutputs?.literals ?? {};
  if (Object.keys(inline).length > 0) return data.fullOutputs!;
  const url = data.outputs?.url ?? '';
  if (!url) return { literals: {} };
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(url);
  } catch (error) {
    throw new RemoteError('REMOTE_DATA_FAILED', `cannot read the outputs of execution ${id.name} from ${redact(url)}: ${errorMessage(error)}`, {
      cause: error,
      execution: id.name ?? undefined,
      hint: "check that this machine reaches the cluster's object store, and the storage section of the Flyte config",
    });
  }
  return flyteidl.core.LiteralMap.decode(bytes);
}

/** A signed URL without its query (the signature). */
function redact(url: string): string {
  return url.replace(/\?.*$/, '');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return redact(url);
  }
}

function s3Message(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return code || message ? ` (${[code, message].filter(Boolean).join(': ')})` : '';
}
