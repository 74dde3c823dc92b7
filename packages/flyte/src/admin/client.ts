/**
 * The FlyteAdmin client: one gRPC channel (`@grpc/grpc-js`) and a typed client for each of FlyteAdmin's services,
 * made from flyteidl's generated service classes (see services.ts). Each call has a deadline, is retried with
 * exponential backoff and jitter on UNAVAILABLE (and on DEADLINE_EXCEEDED when it only reads) within a retry budget,
 * authenticates as flytekit does when the server asks (auth.ts), and fails with a typed {@link AdminError}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, credentials, Metadata, status, type ChannelCredentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { FLYTE_ERRORS } from '../errors.js';
import { VERSION } from '../version.js';
import { Authenticator, type ServerAuthConfig } from './auth.js';
import { expandHome, parseEndpoint, readFlyteConfig, type AdminConfig, type FlyteConfig } from './config.js';
import { AdminError, adminCodeOf, FlyteConfigError, grpcCodeName } from './errors.js';
import {
  serviceMethods,
  type AdminServiceClient,
  type AuthMetadataServiceClient,
  type CallOptions,
  type DataProxyServiceClient,
  type IdentityServiceClient,
  type MethodDefinition,
  type RetryOptions,
  type ServiceName,
} from './services.js';

/** gRPC keepalive: flytekit's channel settings by default (a ping every 30 s, also without calls; 10 s to answer). */
export interface KeepaliveOptions {
  /** Ping after this long without activity (`grpc.keepalive_time_ms`, default 30 000). */
  timeMs?: number;
  /** Close the connection when a ping is not answered within this (`grpc.keepalive_timeout_ms`, default 10 000). */
  timeoutMs?: number;
  /** Ping also when no call is open (`grpc.keepalive_permit_without_calls`, default true). */
  permitWithoutCalls?: boolean;
}

/** Options of {@link AdminClient.connect} and {@link AdminClient.lazy}. */
export interface AdminClientOptions {
  /** The deadline of each attempt of a call, in milliseconds (default 30 000); a call may override it. */
  timeoutMs?: number;
  /** How long `connect` waits for its first answer (GetVersion), retries included, in milliseconds (default 10 000). */
  connectTimeoutMs?: number;
  /** Retries on UNAVAILABLE (and DEADLINE_EXCEEDED for reads): {@link RetryOptions}, merged over the defaults. */
  retry?: Partial<RetryOptions>;
  keepalive?: KeepaliveOptions;
  /** gRPC metadata (headers) sent with every call. */
  metadata?: Record<string, string>;
  /** More grpc-js channel options, applied over this client's. */
  channelOptions?: ChannelOptions;
}

/** A config to connect with: what {@link readFlyteConfig} returns, or just the admin settings (an `endpoint` at least). */
export type AdminConnectConfig = FlyteConfig | AdminConfig;

/** The retry policy when nothing is given: flytekit's 3 retries, 250 ms doubling up to 5 s, within 60 s. */
export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({ maxAttempts: 4, initialBackoffMs: 250, maxBackoffMs: 5_000, budgetMs: 60_000 });
/** The deadline of an attempt when nothing is given, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** flytekit's limit for received messages (20 MiB, FlyteAdmin's own limit). */
const MAX_RECEIVE_MESSAGE_BYTES = 20 * 1024 * 1024;

/**
 * The backoff before retry `retry` (1 for the first retry): `initialBackoffMs * 2^(retry-1)`, at most `maxBackoffMs`,
 * jittered to between half and all of it.
 */
export function backoffMs(retry: number, policy: Pick<RetryOptions, 'initialBackoffMs' | 'maxBackoffMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A client of FlyteAdmin over gRPC: `service` (AdminService), `dataProxy`, `authMetadata` and `identity`, each with one
 * typed method per gRPC method of flyteidl (`admin.service.createTask(request)`, `admin.dataProxy.createUploadLocation(request)`).
 * Requests are plain objects of flyteidl's `I*` interfaces; responses are decoded messages.
 *
 * @example
 * ```ts
 * const admin = await AdminClient.connect(readFlyteConfig());
 * const { projects } = await admin.service.listProjects({});
 * admin.close();
 * ```
 */
export class AdminClient {
  /**
   * Connects and checks that FlyteAdmin answers (a GetVersion call, retried as calls are, within `connectTimeoutMs`).
   * Without a config, reads the default one ({@link readFlyteConfig}). Throws an {@link AdminError} when it does not.
   */
  static async connect(config?: AdminConnectConfig, options: AdminClientOptions = {}): Promise<AdminClient> {
    const client = AdminClient.lazy(config, options);
    try {
      const version = await client.service.getVersion(
        {},
        { timeoutMs: options.connectTimeoutMs ?? 10_000, retry: { budgetMs: options.connectTimeoutMs ?? 10_000 } },
      );
      client.version = version.controlPlaneVersion?.Version || undefined;
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** Makes a client without calling anything: the channel connects on the first call. */
  static lazy(config?: AdminConnectConfig, options: AdminClientOptions = {}): AdminClient {
    return new AdminClient(config ?? readFlyteConfig(), options);
  }

  /** FlyteAdmin's address (`localhost:30080`). */
  readonly endpoint: string;
  /** The config file the settings came from, if any. */
  readonly configPath: string | undefined;
  /** The admin settings in use. */
  readonly admin: Readonly<AdminConfig>;
  /** FlyteAdmin's version (`GetVersion`'s `controlPlaneVersion.Version`), once `connect` has asked. */
  get serverVersion(): string | undefined {
    return this.version;
  }

  /** AdminService: projects, tasks, workflows, launch plans, executions, node and task executions, their data, attributes. */
  readonly service: AdminServiceClient;
  /** DataProxyService: signed upload and download URLs, `flyte://` data. */
  readonly dataProxy: DataProxyServiceClient;
  /** AuthMetadataService: where tokens come from (never sent a token). */
  readonly authMetadata: AuthMetadataServiceClient;
  /** IdentityService: who the caller is. */
  readonly identity: IdentityServiceClient;

  private readonly grpc: Client;
  private readonly auth: Authenticator;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly metadata: Record<string, string>;
  private closed = false;
  private version: string | undefined;

  private constructor(config: AdminConnectConfig, options: AdminClientOptions) {
    const admin: AdminConfig = 'admin' in config ? config.admin : config;
    this.configPath = 'admin' in config ? config.path : undefined;
    this.admin = admin;
    const parsed = parseEndpoint(admin.endpoint);
    this.endpoint = parsed.address;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.metadata = { ...options.metadata };

    const insecure = admin.insecure ?? parsed.tls === false;
    const ca = insecure || !admin.caCertFilePath ? undefined : this.readCa(admin.caCertFilePath);
    const keepalive = options.keepalive ?? {};
    const channelOptions: ChannelOptions = {
      'grpc.keepalive_time_ms': keepalive.timeMs ?? 30_000,
      'grpc.keepalive_timeout_ms': keepalive.timeoutMs ?? 10_000,
      'grpc.keepalive_permit_without_calls': (keepalive.permitWithoutCalls ?? true) ? 1 : 0,
      'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.primary_user_agent': `unionml-flyte/${VERSION}`,
      ...options.channelOptions,
    };
    this.grpc = new Client(parsed.target, channelCredentials(insecure, ca, admin.insecureSkipVerify ?? false), channelOptions);

    const services = {} as Record<ServiceName, Record<string, (request: object, options?: CallOptions) => Promise<object>>>;
    for (const [name, methods] of serviceMethods()) {
      const client: Record<string, (request: object, options?: CallOptions) => Promise<object>> = {};
      for (const method of methods) client[method.key] = (request, callOptions) => this.call(method, request, callOptions);
      services[name] = Object.freeze(client);
    }
    this.service = services.AdminService as unknown as AdminServiceClient;
    this.dataProxy = services.DataProxyService as unknown as DataProxyServiceClient;
    this.authMetadata = services.AuthMetadataService as unknown as AuthMetadataServiceClient;
    this.identity = services.IdentityService as unknown as IdentityServiceClient;

    this.auth = new Authenticator({
      admin,
      configPath: this.configPath,
      endpoint: this.endpoint,
      timeoutMs: this.timeoutMs,
      tls: { ca, rejectUnauthorized: !(admin.insecureSkipVerify ?? false) },
      fetchServerConfig: () => this.serverAuthConfig(),
    });
  }

  /** Closes the channel; calls made afterwards fail with FLYTE_ADMIN_UNAVAILABLE. Idempotent. */
  close(): void {
    this.closed = true;
    this.grpc.close();
  }

  private readCa(file: string): Buffer {
    const path = expandHome(file);
    try {
      return readFileSync(path);
    } catch (error) {
      const where = this.configPath ?? '(environment)';
      throw new FlyteConfigError(
        'FLYTE_CONFIG_INVALID',
        where,
        `admin.caCertFilePath in the Flyte config ${where} names ${path}, which cannot be read: ${(error as Error).message}`,
        {
          cause: error,
          hint: 'point admin.caCertFilePath at a PEM file of the CA certificates that signed FlyteAdmin’s certificate',
        },
      );
    }
  }

  private async serverAuthConfig(): Promise<ServerAuthConfig> {
    const [client, oauth] = await Promise.all([this.authMetadata.getPublicClientConfig({}), this.authMetadata.getOAuth2Metadata({})]);
    return {
      tokenEndpoint: oauth.tokenEndpoint,
      headerKey: (client.authorizationMetadataKey || 'authorization').toLowerCase(),
      scopes: client.scopes ?? [],
      audience: client.audience ?? '',
    };
  }

  /** One call: encode once, then attempts with a deadline each, auth when asked, retries within the budget. */
  private async call(method: MethodDefinition, request: object, options: CallOptions = {}): Promise<object> {
    const label = `${method.service}.${method.name}`;
    let bytes: Buffer;
    try {
      bytes = Buffer.from(method.requestType.encode(request).finish());
    } catch (error) {
      throw new AdminError('FLYTE_ADMIN_INVALID', `the request of ${label} cannot be encoded as its protobuf message: ${(error as Error).message}`, {
        endpoint: this.endpoint,
        method: label,
        cause: error,
        hint: `give a plain object of flyteidl's request interface (camelCase keys, numeric enums)`,
      });
    }
    const retry: RetryOptions = options.retry === false ? { ...this.retry, maxAttempts: 1 } : { ...this.retry, ...options.retry };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const authenticated = method.service !== 'AuthMetadataService';
    const started = Date.now();
    let attempts = 0;
    let authRetried = false;
    for (;;) {
      options.signal?.throwIfAborted();
      if (this.closed) {
        throw new AdminError('FLYTE_ADMIN_UNAVAILABLE', `the FlyteAdmin client for ${this.endpoint} is closed (${label})`, {
          endpoint: this.endpoint,
          method: label,
          hint: 'make a new client',
        });
      }
      attempts++;
      const metadata = new Metadata();
      for (const [key, value] of Object.entries({ ...this.metadata, ...options.metadata })) metadata.set(key, value);
      if (authenticated) {
        const header = await this.auth.metadata();
        if (header) metadata.set(header[0], header[1]);
      }
      try {
        return await this.once(method, bytes, metadata, timeoutMs, options.signal);
      } catch (error) {
        if (!isServiceError(error)) throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        if (error.code === status.UNAUTHENTICATED && authenticated && !authRetried) {
          // UNAUTHENTICATED: get a token (or fail saying why not) and try once more; this does not count as a retry.
          authRetried = true;
          await this.auth.authenticate(error.details, label);
          attempts--;
          continue;
        }
        const retryable = error.code === status.UNAVAILABLE || (error.code === status.DEADLINE_EXCEEDED && method.readOnly);
        if (retryable && attempts < retry.maxAttempts && !this.closed) {
          const delay = backoffMs(attempts, retry);
          if (Date.now() + delay - started <= retry.budgetMs) {
            await sleep(delay, options.signal);
            continue;
          }
        }
        throw this.toError(error, label, attempts, Date.now() - started, timeoutMs);
      }
    }
  }

  private once(method: MethodDefinition, bytes: Buffer, metadata: Metadata, timeoutMs: number, signal: AbortSignal | undefined): Promise<object> {
    return new Promise((resolvePromise, reject) => {
      const onAbort = () => call.cancel();
      const call = this.grpc.makeUnaryRequest<Buffer, object>(
        method.path,
        (value) => value,
        (buffer) => method.responseType.decode(buffer),
        bytes,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (error, value) => {
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolvePromise(value!);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private toError(error: ServiceError, label: string, attempts: number, elapsedMs: number, timeoutMs: number): AdminError {
    const code = adminCodeOf(error.code);
    const name = grpcCodeName(error.code);
    const details = error.details ?? '';
    const tries = attempts > 1 ? ` (${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s)` : '';
    const where = this.configPath ? `admin.endpoint in ${this.configPath}` : 'admin.endpoint (or FLYTE_PLATFORM_URL)';
    const base = { endpoint: this.endpoint, method: label, grpcCode: error.code, details, attempts, cause: error };
    switch (code) {
      case 'FLYTE_ADMIN_UNAVAILABLE': {
        const refused = /ECONNREFUSED/.test(details);
        return new AdminError(
          code,
          refused
            ? `cannot reach FlyteAdmin at ${this.endpoint}: connection refused (${label})${tries}`
            : `FlyteAdmin at ${this.endpoint} is unavailable (${label}): ${details}${tries}`,
          { ...base, hint: `is FlyteAdmin running at ${this.endpoint}? For a local sandbox, run \`flytectl demo start\`; otherwise check ${where}` },
        );
      }
      case 'FLYTE_ADMIN_TIMEOUT':
        return new AdminError(code, `FlyteAdmin at ${this.endpoint} did not answer ${label} within ${timeoutMs} ms${tries}: ${details}`, {
          ...base,
          hint: `check that FlyteAdmin at ${this.endpoint} is healthy, or give the call a longer timeoutMs`,
        });
      default:
        return new AdminError(code, `FlyteAdmin at ${this.endpoint} answered ${name} to ${label}: ${details}${tries}`, {
          ...base,
          hint: FLYTE_ERRORS[code].hint,
        });
    }
  }
}

function channelCredentials(insecure: boolean, ca: Buffer | undefined, skipVerify: boolean): ChannelCredentials {
  if (insecure) return credentials.createInsecure();
  return credentials.createSsl(ca ?? null, null, null, skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  // Rejects with the signal's reason (not the AbortError node:timers makes), as the callers' own checks do.
  return delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
  });
}
