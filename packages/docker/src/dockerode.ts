// The small, typed part of dockerode 5 that this package uses (dockerode ships no types; @types/dockerode describes
// v4). Loaded lazily: dockerode is CommonJS and pulls in ssh2 and gRPC, which a CLI's `--help` must not pay for.
import { createRequire } from 'node:module';

/** An HTTP response body streamed by the daemon (build output, push progress, logs). */
export interface ResponseStream extends NodeJS.ReadableStream {
  destroy(error?: Error): void;
}

/** `GET /images/{name}/json`, the fields used here. */
export interface ImageInspectInfo {
  Id: string;
  Size: number;
  Created: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: { Labels?: Record<string, string> | null } | null;
}

export interface DockerodeImage {
  inspect(opts?: { abortSignal?: AbortSignal }): Promise<ImageInspectInfo>;
  tag(opts: { repo: string; tag: string }): Promise<unknown>;
  push(opts: { tag: string; authconfig: Record<string, string> }): Promise<ResponseStream>;
  remove(opts: { force?: boolean; noprune?: boolean }): Promise<unknown>;
}

export interface DockerodeContainer {
  id: string;
  start(): Promise<unknown>;
  wait(): Promise<{ StatusCode: number; Error?: { Message?: string } | null }>;
  attach(opts: { stream: true; stdout: boolean; stderr: boolean }): Promise<ResponseStream>;
  kill(opts?: { signal?: string }): Promise<unknown>;
  remove(opts?: { force?: boolean; v?: boolean }): Promise<unknown>;
}

export interface DockerodeClient {
  ping(opts?: { abortSignal?: AbortSignal }): Promise<unknown>;
  buildImage(context: NodeJS.ReadableStream, opts: Record<string, unknown>): Promise<ResponseStream>;
  getImage(name: string): DockerodeImage;
  createContainer(opts: Record<string, unknown>): Promise<DockerodeContainer>;
}

type DockerodeConstructor = new (options?: Record<string, unknown>) => DockerodeClient;

let constructorCache: DockerodeConstructor | undefined;

/** A dockerode client for the given docker-modem options (loads dockerode on first use). */
export function createDockerodeClient(options: Record<string, unknown>): DockerodeClient {
  constructorCache ??= createRequire(import.meta.url)('dockerode') as DockerodeConstructor;
  return new constructorCache(options);
}

/** An error as docker-modem reports it: `statusCode` and the daemon's JSON body when the daemon answered. */
export interface ModemError extends Error {
  statusCode?: number;
  json?: unknown;
  code?: string;
}

/** The daemon's own message (`{"message": ...}`) of a failed request, else the error's message. */
export function daemonMessage(error: unknown): string {
  const e = error as ModemError;
  const json = e?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message.trim();
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length) return json.toString('utf8').trim();
  // docker-modem's own wording around the daemon's message: "(HTTP code 400) unexpected - <message> ".
  return e instanceof Error ? e.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() : String(error);
}

/** The daemon's HTTP status of a failed request, if it answered. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as ModemError | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

const CONNECTION_ERRORS: Record<string, string> = {
  ENOENT: 'the socket does not exist',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied (run as root, or as a member of the docker group)',
  EPERM: 'permission denied (run as root, or as a member of the docker group)',
  ENOTSOCK: 'the path is not a socket',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
};

/** Why the daemon could not be reached, for errors that are connection failures (else undefined). */
export function connectionFailure(error: unknown): string | undefined {
  if (statusOf(error) !== undefined) return undefined;
  const code = (error as ModemError | undefined)?.code;
  return code ? CONNECTION_ERRORS[code] : undefined;
}
