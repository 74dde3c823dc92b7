/**
 * Authentication as flytekit does it: nothing until FlyteAdmin answers UNAUTHENTICATED; then the server's
 * `AuthMetadataService` (`GetPublicClientConfig`, `GetOAuth2Metadata`) says where tokens come from and which metadata
 * key carries them, and with `admin.authType: ClientSecret` the OAuth2 client-credentials flow gets a token. The token
 * is cached until shortly before it expires, sent as `Bearer <token>`, and fetched again when it expires or the server
 * refuses it. Other auth types (Pkce, DeviceFlow, ExternalCommand) are refused with a typed error, only when the
 * server actually asks for authentication.
 * @module
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AdminConfig } from './config.js';
import { expandHome } from './config.js';
import { AdminError, FlyteConfigError } from './errors.js';

/** The auth types this client implements. */
export const SUPPORTED_AUTH_TYPES = ['ClientSecret'] as const;

/** An auth type, normalized from the names flytekit and flytectl accept (case-insensitive). */
export type AuthMode = 'none' | 'ClientSecret' | 'Pkce' | 'DeviceFlow' | 'ExternalCommand';

/**
 * The auth mode a config asks for, as flytekit decides it: a client secret (or a file for one) means ClientSecret
 * whatever `authType` says; `ClientSecret`, `basic` and `client_credentials` are ClientSecret; `Pkce` and `standard`
 * are Pkce; `ExternalCommand` and `external_process` are ExternalCommand; no auth type is none. An unknown name is
 * returned as it is.
 */
export function authModeOf(admin: Pick<AdminConfig, 'authType' | 'clientSecret' | 'clientSecretLocation'>): AuthMode | { unknown: string } {
  if (admin.clientSecret || admin.clientSecretLocation) return 'ClientSecret';
  const type = admin.authType?.trim();
  if (!type) return 'none';
  switch (type.toLowerCase()) {
    case 'clientsecret':
    case 'basic':
    case 'client_credentials':
      return 'ClientSecret';
    case 'pkce':
    case 'standard':
      return 'Pkce';
    case 'deviceflow':
      return 'DeviceFlow';
    case 'externalcommand':
    case 'external_process':
      return 'ExternalCommand';
    default:
      return { unknown: type };
  }
}

/** What the server says about its authorization server (`GetPublicClientConfig` + `GetOAuth2Metadata`). */
export interface ServerAuthConfig {
  tokenEndpoint: string;
  /** The gRPC metadata key the token goes under (`authorization_metadata_key`; default `authorization`). */
  headerKey: string;
  scopes: string[];
  audience: string;
}

/** A cached access token. */
interface Token {
  accessToken: string;
  /** When it expires (ms since the epoch), if the token endpoint said. */
  expiresAt: number | undefined;
  /** How long it lived when issued, in ms. */
  lifetimeMs: number | undefined;
}

/** What {@link Authenticator} needs from the client. */
export interface AuthenticatorOptions {
  admin: AdminConfig;
  /** The config file, for messages. */
  configPath: string | undefined;
  /** FlyteAdmin's address, for messages. */
  endpoint: string;
  /** Reads the server's auth config through AuthMetadataService (without authentication). */
  fetchServerConfig: () => Promise<ServerAuthConfig>;
  /** The deadline of a token request, in ms. */
  timeoutMs: number;
  /** TLS settings for an https token endpoint (the config's CA file and insecureSkipVerify). */
  tls: { ca?: Buffer | undefined; rejectUnauthorized: boolean };
  /** The clock (tests). */
  now?: () => number;
}

/** Tokens are fetched again this long before they expire: a tenth of their lifetime, at most 30 s. */
function refreshMarginMs(token: Token): number {
  return Math.min(30_000, (token.lifetimeMs ?? 0) / 10);
}

/** Holds the token of one client and gets a new one when needed. One token request at a time, shared by concurrent calls. */
export class Authenticator {
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;
  private server: Promise<ServerAuthConfig> | undefined;
  private headerKey = 'authorization';
  private readonly now: () => number;
  /** Tokens fetched from the token endpoint so far. */
  tokensFetched = 0;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The metadata entry to send with a call (`[key, 'Bearer ...']`), or none before any token was needed. Refreshes a token about to expire. */
  async metadata(): Promise<[string, string] | undefined> {
    let token = this.token;
    if (!token) return undefined;
    if (token.expiresAt !== undefined && this.now() >= token.expiresAt - refreshMarginMs(token)) token = await this.refresh();
    return [this.headerKey, `Bearer ${token.accessToken}`];
  }

  /**
   * Called after an UNAUTHENTICATED answer (admin's message in `details`): gets a new token, or throws a typed error
   * that says why it cannot (no auth type configured, an unsupported one, missing credentials, a refusal).
   */
  async authenticate(details: string, method: string): Promise<void> {
    const mode = authModeOf(this.options.admin);
    const where = this.options.configPath ? ` in ${this.options.configPath}` : '';
    const asked = `FlyteAdmin at ${this.options.endpoint} requires authentication (it answered UNAUTHENTICATED to ${method}${details ? `: ${details}` : ''})`;
    if (mode === 'none') {
      throw new AdminError('FLYTE_ADMIN_UNAUTHENTICATED', `${asked}, and no admin.authType is configured${where}`, {
        endpoint: this.options.endpoint,
        method,
        grpcCode: 16,
        details,
        hint: `set admin.authType: ClientSecret, admin.clientId and admin.clientSecretLocation (or admin.clientSecretEnvVar)${where}, with a client id and secret from your Flyte administrator`,
      });
    }
    if (mode !== 'ClientSecret') {
      const name = typeof mode === 'string' ? mode : mode.unknown;
      throw new AdminError('FLYTE_AUTH_UNSUPPORTED', `${asked}, and admin.authType${where} is ${name}, which this client does not support`, {
        endpoint: this.options.endpoint,
        method,
        grpcCode: 16,
        details,
        hint: `supported: ${SUPPORTED_AUTH_TYPES.join(', ')} (the OAuth2 client-credentials flow). Set admin.authType: ClientSecret, admin.clientId and admin.clientSecretLocation (or admin.clientSecretEnvVar)${where}; ask your Flyte administrator for an app client id and secret (Pkce and DeviceFlow need a browser login, which flytectl and pyflyte do)`,
      });
    }
    this.token = undefined;
    await this.refresh();
  }

  private refresh(): Promise<Token> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async serverConfig(): Promise<ServerAuthConfig> {
    this.server ??= this.options.fetchServerConfig().catch((error: unknown) => {
      this.server = undefined;
      throw new AdminError(
        'FLYTE_ADMIN_UNAUTHENTICATED',
        `FlyteAdmin at ${this.options.endpoint} requires authentication, but its auth metadata (AuthMetadataService) cannot be read: ${(error as Error).message}`,
        {
          endpoint: this.options.endpoint,
          method: 'AuthMetadataService.GetOAuth2Metadata',
          cause: error,
          hint: 'check that the endpoint is FlyteAdmin itself (not a proxy in front of it) and that it serves AuthMetadataService',
        },
      );
    });
    return this.server;
  }

  private async fetchToken(): Promise<Token> {
    const { admin, configPath } = this.options;
    const where = configPath ?? '(environment)';
    const clientId = admin.clientId;
    if (!clientId) {
      throw new FlyteConfigError('FLYTE_CONFIG_INVALID', where, `admin.authType is ClientSecret, but admin.clientId is not set in the Flyte config ${where}`, {
        hint: 'set admin.clientId (or FLYTE_CREDENTIALS_CLIENT_ID) to the app client id your Flyte administrator gave you',
      });
    }
    const secret = this.clientSecret(where);
    const server = await this.serverConfig();
    this.headerKey = server.headerKey;
    const scopes = admin.scopes?.length ? admin.scopes : server.scopes;
    const audience = admin.audience || server.audience;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes.length) form.set('scope', scopes.join(' '));
    if (audience) form.set('audience', audience);
    // flytekit's get_basic_authorization_header: the secret is URL-encoded (quote_plus) before base64.
    const basic = Buffer.from(`${clientId}:${encodeURIComponent(secret).replace(/%20/g, '+')}`).toString('base64');
    const started = this.now();
    let answer: { status: number; body: string };
    try {
      answer = await postForm(server.tokenEndpoint, form.toString(), { authorization: `Basic ${basic}` }, this.options);
    } catch (error) {
      throw new AdminError(
        'FLYTE_ADMIN_UNAVAILABLE',
        `cannot reach the OAuth2 token endpoint ${server.tokenEndpoint} (named by FlyteAdmin at ${this.options.endpoint}): ${(error as Error).message}`,
        {
          endpoint: this.options.endpoint,
          cause: error,
          hint: 'check that the authorization server FlyteAdmin names is reachable from here',
        },
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      body = JSON.parse(answer.body) as typeof body;
    } catch {
      // reported below
    }
    if (answer.status < 200 || answer.status >= 300 || typeof body.access_token !== 'string' || body.access_token === '') {
      const said =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : answer.body.slice(0, 200);
      throw new AdminError(
        'FLYTE_ADMIN_UNAUTHENTICATED',
        answer.status >= 200 && answer.status < 300
          ? `the OAuth2 token endpoint ${server.tokenEndpoint} answered without an access_token: ${said}`
          : `the OAuth2 token endpoint ${server.tokenEndpoint} refused the client credentials of client id '${clientId}' (HTTP ${answer.status}): ${said}`,
        {
          endpoint: this.options.endpoint,
          hint: `check admin.clientId and the client secret (admin.clientSecretLocation or admin.clientSecretEnvVar) in ${where}`,
        },
      );
    }
    const expiresIn = Number(body.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined;
    this.tokensFetched++;
    this.token = { accessToken: body.access_token, lifetimeMs, expiresAt: lifetimeMs === undefined ? undefined : started + lifetimeMs };
    return this.token;
  }

  /** The client secret: given (FLYTE_CREDENTIALS_CLIENT_SECRET or the variable admin.clientSecretEnvVar names), else the file admin.clientSecretLocation. */
  private clientSecret(where: string): string {
    const { admin } = this.options;
    if (admin.clientSecret) return admin.clientSecret;
    if (admin.clientSecretLocation) {
      const file = expandHome(admin.clientSecretLocation);
      try {
        const secret = readFileSync(file, 'utf8').trim();
        if (secret) return secret;
      } catch (error) {
        throw new FlyteConfigError(
          'FLYTE_CONFIG_INVALID',
          where,
          `admin.clientSecretLocation in the Flyte config ${where} names ${file}, which cannot be read: ${(error as Error).message}`,
          {
            cause: error,
            hint: 'point admin.clientSecretLocation at the file holding the client secret',
          },
        );
      }
      throw new FlyteConfigError('FLYTE_CONFIG_INVALID', where, `the client secret file ${file} (admin.clientSecretLocation in ${where}) is empty`);
    }
    const named = admin.clientSecretEnvVar ? ` (admin.clientSecretEnvVar names ${admin.clientSecretEnvVar}, which is not set)` : '';
    throw new FlyteConfigError('FLYTE_CONFIG_INVALID', where, `admin.authType is ClientSecret, but no client secret is configured in ${where}${named}`, {
      hint: 'set admin.clientSecretLocation (a file) or admin.clientSecretEnvVar (a variable) to where the client secret is, or FLYTE_CREDENTIALS_CLIENT_SECRET',
    });
  }
}

/** POSTs a form to an http(s) URL and reads the whole answer. */
function postForm(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: Pick<AuthenticatorOptions, 'timeoutMs' | 'tls'>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'cache-control': 'no-cache',
          'content-length': Buffer.byteLength(body),
        },
        timeout: options.timeoutMs,
        ...(target.protocol === 'https:' ? { ca: options.tls.ca, rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
