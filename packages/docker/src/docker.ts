import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isUnionMLError } from '@unionml/errors';
import { DOCKER_HUB_AUTH_KEY, dockerConfigAuth } from './auth.js';
import { Demultiplexer } from './demux.js';
import { createContext, type ContextOptions } from './context.js';
import {
  connectionFailure,
  createDockerodeClient,
  daemonMessage,
  statusOf,
  type DockerodeClient,
  type DockerodeContainer,
  type ResponseStream,
} from './dockerode.js';
import {
  DOCKER_ERRORS,
  DockerAbortedError,
  DockerAuthError,
  DockerBuildError,
  DockerPushError,
  DockerRequestError,
  DockerRunError,
  DockerUnavailableError,
} from './errors.js';
import { BuildStreamParser, ListenerError, PushStreamParser, readJsonMessages, type BuildEvent, type PushEvent } from './progress.js';
import { parseImageReference, registryName } from './reference.js';

/**
 * Where the daemon is. Default: `DOCKER_HOST` (`unix://`, `tcp://`, `http(s)://`, `ssh://`), else
 * `/var/run/docker.sock`.
 */
export interface DockerConnection {
  /** A unix socket, e.g. `/var/run/docker.sock`. */
  socketPath?: string;
  /** A TCP host (with `port`). */
  host?: string;
  /** The TCP port. Default 2375 (2376 with `protocol: 'https'`). */
  port?: number;
  /** For `host`: `http` (default), `https` (TLS, certificates from `DOCKER_CERT_PATH`) or `ssh`. */
  protocol?: 'http' | 'https' | 'ssh';
}

/** What {@link Docker.build} builds. */
export interface BuildOptions extends ContextOptions {
  /** The folder sent to the daemon (its `.dockerignore` is honoured; `.git` is never sent unless `!.git` asks). */
  context: string;
  /** Relative to `context`. Default `Dockerfile`. */
  dockerfile?: string;
  /** The image's tags (at least one), e.g. `registry.example.com/team/app:v1`. */
  tags: string[];
  /** `--build-arg`s. */
  buildArgs?: Record<string, string>;
  /** Labels set on the image. */
  labels?: Record<string, string>;
  /**
   * The network of RUN steps (`docker build --network`), e.g. `host` or `none`. Default: the daemon's default network
   * (`bridge` on a standard daemon); a daemon started without a bridge network needs `host` here.
   */
  networkMode?: string;
  /** Files added to (or replacing files of) the context, by path relative to `context`; see {@link ContextOptions}. */
  extraFiles?: Record<string, string | Uint8Array>;
  /** More `.dockerignore`-style patterns, applied after the context's own. */
  exclude?: string[];
  /** Do not use the build cache. */
  noCache?: boolean;
  /** Build this stage of a multi-stage Dockerfile. */
  target?: string;
  /** Progress: steps, output lines, and the image id when done. */
  onEvent?: (event: BuildEvent) => void;
  /** Stops the build (the daemon cancels it); the build then rejects with {@link DockerAbortedError}. */
  signal?: AbortSignal;
}

/** An image {@link Docker.build} made. */
export interface BuiltImage {
  /** The image id, `sha256:...`. */
  id: string;
  /** The tags it was given. */
  tags: string[];
  /** Its size (all layers), in bytes. */
  sizeBytes: number;
  /** How long the build took, context upload included. */
  seconds: number;
}

/** What {@link Docker.inspect} tells about an image. */
export interface ImageInfo {
  /** `sha256:...`. */
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
  /** ISO 8601. */
  created: string;
  /** Its tags (`repo:tag`). */
  tags?: string[];
  /** Its digests in registries it was pushed to or pulled from (`registry/repo@sha256:...`). */
  repoDigests?: string[];
}

/** Credentials for a push. */
export interface PushAuth {
  username: string;
  password: string;
  /** Default: the image's registry (`https://index.docker.io/v1/` for Docker Hub). */
  serveraddress?: string;
}

/** Options of {@link Docker.push}. */
export interface PushOptions {
  /** Default: the Docker CLI's credentials for the image's registry ({@link dockerConfigAuth}). */
  auth?: PushAuth;
  /** Progress: layer statuses and bytes, and log lines. */
  onEvent?: (event: PushEvent) => void;
}

/** What {@link Docker.run} runs. */
export interface RunOptions {
  image: string;
  /** The command (replaces the image's CMD; the ENTRYPOINT, if any, stays). */
  cmd: string[];
  /** Environment variables, added to the image's. */
  env?: Record<string, string>;
  /** Bind mounts, `host-path:container-path[:ro]`. */
  binds?: string[];
  workingDir?: string;
  /**
   * The container's network (`docker run --network`), e.g. `host`, `none` or a user-defined network. Default: the
   * daemon's default network (`bridge` on a standard daemon); a daemon started without a bridge network needs `host`.
   */
  networkMode?: string;
  /** `uid`, `uid:gid` or a user name of the image. */
  user?: string;
  /** Output as it comes (decoded as UTF-8, in chunks, not necessarily whole lines). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Kills the container; `run` then rejects with {@link DockerAbortedError}. */
  signal?: AbortSignal;
  /** Kills the container (SIGKILL) after this many seconds; the result then has `timedOut: true`. */
  timeoutSeconds?: number;
}

/** How a container of {@link Docker.run} ended. */
export interface RunResult {
  /** The command's exit code (137 when killed). */
  exitCode: number;
  /** Everything the command wrote to stdout (at most the last 16 MiB). */
  stdout: string;
  /** Everything the command wrote to stderr (at most the last 16 MiB). */
  stderr: string;
  /** Whether `timeoutSeconds` passed and the container was killed. */
  timedOut: boolean;
}

const MAX_OUTPUT_CHARS = 16 * 1024 * 1024;
const PING_TIMEOUT_MS = 10_000;
const AUTH_FAILURE =
  /unauthori[sz]ed|authentication required|incorrect username or password|no basic auth credentials|\b401\b|access to the resource is denied|denied: /i;

/** The daemon's address as a URL, and docker-modem's options for it. */
export function resolveConnection(connection: DockerConnection = {}): { address: string; modem: Record<string, unknown> } {
  if (connection.socketPath) return { address: `unix://${connection.socketPath}`, modem: { socketPath: connection.socketPath } };
  if (connection.host) {
    const protocol = connection.protocol ?? 'http';
    const port = connection.port ?? (protocol === 'https' ? 2376 : protocol === 'ssh' ? 22 : 2375);
    return {
      address: `${protocol === 'http' ? 'tcp' : protocol}://${connection.host}:${port}`,
      modem: { host: connection.host, port, protocol, ...tlsOptions(protocol) },
    };
  }
  const env = process.env['DOCKER_HOST'];
  if (env) {
    if (env.startsWith('unix://')) {
      const socketPath = env.slice('unix://'.length) || '/var/run/docker.sock';
      return { address: `unix://${socketPath}`, modem: { socketPath } };
    }
    let url: URL;
    try {
      url = new URL(env);
    } catch {
      throw new DockerUnavailableError(env, 'DOCKER_HOST is not a URL such as unix:///var/run/docker.sock or tcp://host:2375');
    }
    const tls = process.env['DOCKER_TLS_VERIFY'] === '1' || url.protocol === 'https:';
    const protocol = url.protocol === 'ssh:' ? 'ssh' : tls ? 'https' : 'http';
    const port = url.port ? Number(url.port) : protocol === 'https' ? 2376 : protocol === 'ssh' ? 22 : 2375;
    const modem: Record<string, unknown> = { host: url.hostname, port, protocol, ...tlsOptions(protocol) };
    if (protocol === 'ssh' && url.username) modem['username'] = decodeURIComponent(url.username);
    return { address: env, modem };
  }
  return { address: 'unix:///var/run/docker.sock', modem: { socketPath: '/var/run/docker.sock' } };
}

/** TLS client certificates from `DOCKER_CERT_PATH` (`ca.pem`, `cert.pem`, `key.pem`), as the Docker CLI reads them. */
function tlsOptions(protocol: string): Record<string, unknown> {
  const dir = process.env['DOCKER_CERT_PATH'];
  if (protocol !== 'https' || !dir) return {};
  const read = (name: string): Buffer | undefined => {
    try {
      return readFileSync(path.join(dir, name));
    } catch {
      return undefined;
    }
  };
  const options: Record<string, unknown> = {};
  for (const [key, file] of [
    ['ca', 'ca.pem'],
    ['cert', 'cert.pem'],
    ['key', 'key.pem'],
  ] as const) {
    const content = read(file);
    if (content) options[key] = content;
  }
  return options;
}

/**
 * A Docker daemon, over its Engine API (dockerode). It builds, tags, pushes, inspects and removes any image and runs
 * containers; it knows nothing of UnionML. Nothing is loaded or connected until a method is called.
 *
 * Every method turns connection failures into {@link DockerUnavailableError}; daemon errors become the coded errors
 * of this package (see each method).
 *
 * @example
 * ```ts
 * const docker = new Docker();
 * await docker.ping();
 * const image = await docker.build({ context: 'app', tags: ['registry.example.com/team/app:v1'], onEvent: console.log });
 * await docker.push('registry.example.com/team/app:v1');
 * const { exitCode, stdout } = await docker.run({ image: image.id, cmd: ['node', '-e', 'console.log(1)'] });
 * ```
 */
export class Docker {
  /** The daemon's address, e.g. `unix:///var/run/docker.sock`, as used in messages. */
  readonly address: string;
  private readonly modemOptions: Record<string, unknown>;
  private client: DockerodeClient | undefined;

  constructor(connection?: DockerConnection) {
    const resolved = resolveConnection(connection);
    this.address = resolved.address;
    this.modemOptions = resolved.modem;
  }

  private api(): DockerodeClient {
    this.client ??= createDockerodeClient(this.modemOptions);
    return this.client;
  }

  /** A {@link DockerUnavailableError} for connection failures, else undefined. */
  private unavailable(error: unknown): DockerUnavailableError | undefined {
    const reason = connectionFailure(error);
    return reason ? new DockerUnavailableError(this.address, reason, { cause: error }) : undefined;
  }

  /**
   * Checks that the daemon answers (within 10 s).
   *
   * @throws {@link DockerUnavailableError} (`DOCKER_UNAVAILABLE`) naming the socket or host and how to start a daemon.
   */
  async ping(): Promise<void> {
    try {
      await this.api().ping({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
    } catch (e) {
      if ((e as Error | undefined)?.name === 'AbortError' || (e as Error | undefined)?.name === 'TimeoutError') {
        throw new DockerUnavailableError(this.address, `the daemon did not answer within ${PING_TIMEOUT_MS / 1000} s`, { cause: e });
      }
      throw this.unavailable(e) ?? new DockerUnavailableError(this.address, daemonMessage(e), { cause: e });
    }
  }

  /**
   * Builds an image with the classic builder from `context` (a tar of the folder honouring `.dockerignore`, without
   * `.git`, plus `extraFiles`), and tags it with every tag. RUN steps use `networkMode` if given, else the daemon's
   * default network.
   *
   * @throws {@link DockerContextError} (`DOCKER_CONTEXT_INVALID`) for a missing folder or Dockerfile, before anything
   *   is sent; {@link DockerBuildError} (`DOCKER_BUILD_FAILED`) when the build fails, with the failing `step`
   *   (`Step 5/9 : RUN npm ci`) and the `logTail` of its output; no tag of `tags` is left behind (tags the build created
   *   are removed; tags that pointed to an older image are kept); {@link DockerRequestError}
   *   (`DOCKER_REFERENCE_INVALID`) without a tag; {@link DockerAbortedError} when `signal` aborts.
   */
  async build(options: BuildOptions): Promise<BuiltImage> {
    const started = performance.now();
    const tags = [...options.tags];
    const first = tags[0];
    if (first === undefined)
      throw new DockerRequestError(DOCKER_ERRORS.DOCKER_REFERENCE_INVALID, 'build', 'a build needs at least one tag', { hint: 'pass tags: ["name:tag"]' });
    const what = `build of ${first}`;
    if (options.signal?.aborted) throw new DockerAbortedError(what, { cause: options.signal.reason });
    const context = await createContext(options);
    const before = await this.tagIds(tags);

    const query: Record<string, unknown> = {
      t: tags,
      dockerfile: (options.dockerfile ?? 'Dockerfile').replaceAll('\\', '/'),
      rm: true,
      forcerm: true,
    };
    // Unset unless asked for: the daemon's default network, as `docker build` without `--network`.
    if (options.networkMode) query['networkmode'] = options.networkMode;
    if (options.buildArgs && Object.keys(options.buildArgs).length) query['buildargs'] = options.buildArgs;
    if (options.labels && Object.keys(options.labels).length) query['labels'] = options.labels;
    if (options.noCache) query['nocache'] = true;
    if (options.target) query['target'] = options.target;

    const parser = new BuildStreamParser(options.onEvent);
    let imageId: string;
    try {
      imageId = await this.streamBuild(context, query, parser, options, what);
    } catch (e) {
      // No tag of a failed (or aborted) build is left behind.
      await this.removeNewTags(tags, before);
      throw e;
    }
    const info = await this.inspect(imageId);
    if (!info) throw buildError(what, `the built image ${imageId} is gone`, parser.step, [], options);
    options.onEvent?.({ kind: 'done', id: info.id });
    return { id: info.id, tags, sizeBytes: info.sizeBytes, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * Sends the build and reads its stream into `parser`. Throws for a daemon that is gone, a failed or aborted build,
   * or a build without an image id; returns the image id.
   */
  private async streamBuild(
    context: NodeJS.ReadableStream,
    query: Record<string, unknown>,
    parser: BuildStreamParser,
    options: BuildOptions,
    what: string,
  ): Promise<string> {
    let response: ResponseStream;
    try {
      response = await this.api().buildImage(context, query);
    } catch (e) {
      throw this.unavailable(e) ?? buildError(what, daemonMessage(e), undefined, [], options, e);
    }

    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      response.destroy();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await readJsonMessages(response, (message) => parser.handle(message));
    } catch (e) {
      if (e instanceof ListenerError) throw e.original;
      if (!aborted) throw this.unavailable(e) ?? buildError(what, `the build stream broke: ${daemonMessage(e)}`, parser.step, parser.stepTail, options, e);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    parser.end();

    if (aborted) throw new DockerAbortedError(what, { cause: options.signal?.reason });
    if (parser.error !== undefined || parser.imageId === undefined) {
      throw buildError(what, parser.error ?? 'the daemon reported no image id', parser.step, parser.step ? parser.stepTail : parser.buildTail, options);
    }
    return parser.imageId;
  }

  /** The image ids the tags point to now (undefined for missing tags). */
  private async tagIds(tags: string[]): Promise<Map<string, string | undefined>> {
    const ids = new Map<string, string | undefined>();
    for (const tag of tags) ids.set(tag, (await this.inspect(tag))?.id);
    return ids;
  }

  /** Removes tags that now point to another image than before a failed build (best effort). */
  private async removeNewTags(tags: string[], before: Map<string, string | undefined>): Promise<void> {
    for (const tag of tags) {
      try {
        const now = await this.inspect(tag);
        if (now && now.id !== before.get(tag)) await this.api().getImage(tag).remove({ noprune: false });
      } catch {
        // Best effort: the build's own error matters more.
      }
    }
  }

  /**
   * The image's id, size, labels and creation time (and tags and registry digests), or undefined if there is no such
   * image.
   */
  async inspect(image: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.api().getImage(image).inspect();
      return {
        id: info.Id,
        sizeBytes: info.Size,
        labels: { ...(info.Config?.Labels ?? {}) },
        created: info.Created,
        tags: info.RepoTags ?? [],
        repoDigests: info.RepoDigests ?? [],
      };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw (
        this.unavailable(e) ??
        new DockerRequestError(DOCKER_ERRORS.DOCKER_REQUEST_FAILED, `inspect ${image}`, `cannot inspect ${image}: ${daemonMessage(e)}`, {
          cause: e,
          statusCode: statusOf(e),
        })
      );
    }
  }

  /**
   * Tags `image` (a name or id) as `target` (`repo[:tag]`, tag default `latest`).
   *
   * @throws {@link DockerRequestError} `DOCKER_IMAGE_NOT_FOUND` when there is no such image, `DOCKER_REFERENCE_INVALID`
   *   when `target` has a digest, `DOCKER_REQUEST_FAILED` when the daemon refuses.
   */
  async tag(image: string, target: string): Promise<void> {
    const ref = parseImageReference(target);
    const operation = `tag ${image} as ${target}`;
    if (ref.digest !== undefined || !ref.repository) {
      throw new DockerRequestError(
        DOCKER_ERRORS.DOCKER_REFERENCE_INVALID,
        operation,
        `cannot tag ${image} as ${target}: a tag target is repo[:tag], without digest`,
      );
    }
    try {
      await this.api()
        .getImage(image)
        .tag({ repo: ref.repository, tag: ref.tag ?? 'latest' });
    } catch (e) {
      const unavailable = this.unavailable(e);
      if (unavailable) throw unavailable;
      const status = statusOf(e);
      throw new DockerRequestError(
        status === 404 ? DOCKER_ERRORS.DOCKER_IMAGE_NOT_FOUND : DOCKER_ERRORS.DOCKER_REQUEST_FAILED,
        operation,
        `cannot ${operation}: ${daemonMessage(e)}`,
        {
          cause: e,
          statusCode: status,
        },
      );
    }
  }

  /**
   * Pushes `image` (`registry/repo[:tag]`, tag default `latest`) to its registry. Credentials: `options.auth`, else
   * the Docker CLI's for that registry ({@link dockerConfigAuth}), else none.
   *
   * @throws {@link DockerAuthError} (`DOCKER_AUTH_FAILED`) when the registry refuses the credentials (or wants some);
   *   {@link DockerPushError} (`DOCKER_PUSH_FAILED`) naming the registry for any other failure (no such local image,
   *   registry unreachable...); {@link DockerRequestError} (`DOCKER_REFERENCE_INVALID`) for a digest reference.
   */
  async push(image: string, options: PushOptions = {}): Promise<void> {
    const ref = parseImageReference(image);
    const registry = registryName(ref.registry);
    if (ref.digest !== undefined)
      throw new DockerRequestError(DOCKER_ERRORS.DOCKER_REFERENCE_INVALID, `push ${image}`, `cannot push ${image} to ${registry}: push a tag, not a digest`);
    const auth = options.auth ?? dockerConfigAuth(ref.registry);
    const authconfig: Record<string, string> = auth
      ? { username: auth.username, password: auth.password, serveraddress: auth.serveraddress ?? ref.registry ?? DOCKER_HUB_AUTH_KEY }
      : {};
    const tag = ref.tag ?? 'latest';
    let response: ResponseStream;
    try {
      response = await this.api().getImage(ref.repository).push({ tag, authconfig });
    } catch (e) {
      const unavailable = this.unavailable(e);
      if (unavailable) throw unavailable;
      throw this.pushError(image, registry, daemonMessage(e), auth, e);
    }
    const parser = new PushStreamParser(options.onEvent);
    try {
      await readJsonMessages(response, (message) => parser.handle(message));
    } catch (e) {
      if (e instanceof ListenerError) throw e.original;
      throw this.unavailable(e) ?? this.pushError(image, registry, `the push stream broke: ${daemonMessage(e)}`, auth, e);
    }
    if (parser.error !== undefined) throw this.pushError(image, registry, parser.error, auth);
  }

  private pushError(image: string, registry: string, message: string, auth: PushAuth | undefined, cause?: unknown): DockerAuthError | DockerPushError {
    if (AUTH_FAILURE.test(message)) {
      const who = auth ? `the credentials of '${auth.username}'` : 'the push (no credentials were given)';
      return new DockerAuthError(registry, `${registry} refused ${who} for ${image}: ${message}`, {
        hint: auth
          ? `check the username and password (or token) for ${registry}, e.g. with \`docker login ${registry}\``
          : `log in first (\`docker login ${registry}\`, which writes ~/.docker/config.json) or pass credentials`,
        cause,
      });
    }
    if (/does not exist locally|no such image/i.test(message)) {
      return new DockerPushError(registry, `cannot push ${image} to ${registry}: there is no local image ${image} (${message})`, {
        hint: 'build or tag it first',
        cause,
      });
    }
    let hint: string | undefined;
    if (/connection refused|no such host|dial tcp|i\/o timeout/i.test(message)) hint = `is a registry running at ${registry}?`;
    else if (/server gave HTTP response to HTTPS client/i.test(message))
      hint = `${registry} speaks plain HTTP: add it to "insecure-registries" in /etc/docker/daemon.json (127.0.0.0/8 is insecure by default)`;
    return new DockerPushError(registry, `push of ${image} to ${registry} failed: ${message}`, { hint, cause });
  }

  /**
   * Removes an image or a tag (a missing image is not an error). An image with several tags loses only this one.
   *
   * @throws {@link DockerRequestError} when the daemon refuses (e.g. a container uses it and `force` is not set).
   */
  async remove(image: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.api()
        .getImage(image)
        .remove({ force: options.force === true });
    } catch (e) {
      if (statusOf(e) === 404) return;
      const unavailable = this.unavailable(e);
      if (unavailable) throw unavailable;
      throw new DockerRequestError(DOCKER_ERRORS.DOCKER_REQUEST_FAILED, `remove ${image}`, `cannot remove ${image}: ${daemonMessage(e)}`, {
        cause: e,
        statusCode: statusOf(e),
        ...(statusOf(e) === 409 ? { hint: 'a container or another image uses it: pass { force: true } or remove them first' } : {}),
      });
    }
  }

  /**
   * Runs a command in a new container of `image` (on `networkMode` if given, else the daemon's default network), waits
   * for it, and removes it. Output is demultiplexed into stdout and stderr (and streamed to `onOutput`). A non-zero
   * exit is not an error.
   *
   * @throws {@link DockerRunError} (`DOCKER_RUN_FAILED`) when the container cannot be created or started (no such
   *   image, command not found, bad bind); {@link DockerRequestError} (`DOCKER_REQUEST_FAILED`) when the daemon fails to
   *   attach to or wait for it; {@link DockerAbortedError} when `signal` aborts (the container is killed).
   */
  async run(options: RunOptions): Promise<RunResult> {
    const what = `run of ${options.image}`;
    if (options.signal?.aborted) throw new DockerAbortedError(what, { cause: options.signal.reason });
    const api = this.api();
    let container: DockerodeContainer;
    try {
      container = await api.createContainer({
        Image: options.image,
        Cmd: options.cmd,
        Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        ...(options.user ? { User: options.user } : {}),
        Tty: false,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        // NetworkMode unset unless asked for: the daemon's default network, as `docker run` without `--network`.
        HostConfig: { ...(options.networkMode ? { NetworkMode: options.networkMode } : {}), Binds: options.binds ?? [], AutoRemove: false },
      });
    } catch (e) {
      const unavailable = this.unavailable(e);
      if (unavailable) throw unavailable;
      const message = daemonMessage(e);
      if (statusOf(e) === 404 && /no such image/i.test(message)) {
        throw new DockerRunError(`cannot run ${options.image}: the daemon has no such image`, { hint: 'build, pull or tag it first', cause: e });
      }
      throw new DockerRunError(`cannot create a container of ${options.image}: ${message}`, { cause: e });
    }

    const stdout = new OutputBuffer();
    const stderr = new OutputBuffer();
    let timedOut = false;
    let aborted = false;
    let listenerError: { error: unknown } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      container.kill({ signal: 'SIGKILL' }).catch(() => {});
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    try {
      // Attach before start (as `docker run` does): the log driver's follow mode can lose a last line without newline.
      let output: ResponseStream;
      try {
        output = await container.attach({ stream: true, stdout: true, stderr: true });
      } catch (e) {
        throw (
          this.unavailable(e) ??
          new DockerRequestError(
            DOCKER_ERRORS.DOCKER_REQUEST_FAILED,
            `attach to the container of ${options.image}`,
            `cannot attach to the container of ${options.image}: ${daemonMessage(e)}`,
            {
              cause: e,
              statusCode: statusOf(e),
            },
          )
        );
      }
      const outputDone = new Promise<void>((resolve) => {
        const demux = new Demultiplexer((kind, text) => {
          (kind === 'stdout' ? stdout : stderr).append(text);
          if (listenerError !== undefined) return;
          try {
            options.onOutput?.(kind, text);
          } catch (e) {
            listenerError = { error: e };
            kill();
          }
        });
        const finish = (): void => {
          demux.end();
          resolve();
        };
        output.on('data', (chunk: Buffer) => demux.push(chunk));
        output.once('end', finish);
        output.once('close', finish);
        output.once('error', finish);
      });
      try {
        await container.start();
      } catch (e) {
        output.destroy();
        throw this.unavailable(e) ?? new DockerRunError(`cannot start ${options.cmd.join(' ')} in ${options.image}: ${daemonMessage(e)}`, { cause: e });
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutSeconds * 1000);
      }
      let exitCode: number;
      try {
        exitCode = (await container.wait()).StatusCode;
      } catch (e) {
        throw (
          this.unavailable(e) ??
          new DockerRequestError(
            DOCKER_ERRORS.DOCKER_REQUEST_FAILED,
            `wait for the container of ${options.image}`,
            `lost the container of ${options.image}: ${daemonMessage(e)}`,
            {
              cause: e,
              statusCode: statusOf(e),
            },
          )
        );
      }
      // The output stream ends when the container stops; do not hang if it does not.
      await Promise.race([outputDone, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      output.destroy();
      if (listenerError) throw listenerError.error;
      if (aborted) throw new DockerAbortedError(what, { cause: options.signal?.reason });
      return { exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut };
    } catch (e) {
      if (aborted && !isUnionMLError(e)) throw new DockerAbortedError(what, { cause: options.signal?.reason });
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      await container.remove({ force: true, v: true }).catch(() => {});
    }
  }
}

/** The {@link DockerBuildError} of a failed build, with a hint for the usual causes. */
function buildError(what: string, message: string, step: string | undefined, tail: string[], options: BuildOptions, cause?: unknown): DockerBuildError {
  const stepMatch = step ? /^Step (\d+\/\d+) : (.*)$/.exec(step) : null;
  const where = stepMatch ? ` at step ${stepMatch[1]} (${stepMatch[2]})` : '';
  const dockerfile = path.join(options.context, options.dockerfile ?? 'Dockerfile');
  let hint: string | undefined;
  if (/dockerfile parse error|unknown instruction|unknown flag/i.test(message)) hint = `fix ${dockerfile}`;
  else if (stepMatch?.[2]?.toUpperCase().startsWith('FROM') || /pull access denied|manifest unknown|repository does not exist/i.test(message)) {
    hint =
      'the base image is not on the Docker daemon and cannot be pulled: check its name, log in to its registry (`docker login`), or build, pull or load it first';
  } else if (stepMatch?.[2]?.toUpperCase().startsWith('RUN')) hint = 'the output of the failing command is in logTail';
  return new DockerBuildError(`${what} failed${where}: ${message}`, { step, logTail: [...tail], hint, cause });
}

/** Keeps the last {@link MAX_OUTPUT_CHARS} characters of a stream's text. */
class OutputBuffer {
  private parts: string[] = [];
  private length = 0;

  append(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length > MAX_OUTPUT_CHARS * 2) this.compact();
  }

  private compact(): void {
    const all = this.parts.join('').slice(-MAX_OUTPUT_CHARS);
    this.parts = [all];
    this.length = all.length;
  }

  text(): string {
    const all = this.parts.join('');
    return all.length > MAX_OUTPUT_CHARS ? all.slice(-MAX_OUTPUT_CHARS) : all;
  }
}
