// Authentication as flytekit does it, against a real gRPC server that refuses calls without a bearer token and a real
// OAuth2 token endpoint (node:http): nothing is asked of an open server, whatever the config's authType; the
// client-credentials flow on UNAUTHENTICATED, the token cached, refreshed before it expires and after a refusal;
// unsupported modes and bad credentials as typed errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GrpcError, startAdminServer, startTokenServer, type Handler, type TestAdminServer, type TestTokenServer } from '../test-support/admin-server.js';
import { authModeOf } from './auth.js';
import { AdminClient } from './client.js';
import type { AdminConfig } from './config.js';
import { readFlyteConfig } from './config.js';
import { AdminError, FlyteConfigError } from './errors.js';

const CLIENT_ID = 'unionml-ci';
const SECRET = 's3cret/with+chars';
const HEADER = 'flyte-authorization';

let open: TestAdminServer;
let guarded: TestAdminServer;
let tokens: TestTokenServer;
/** Tokens the guarded server accepts (the token endpoint's, unless a test revokes them). */
let accepted: (token: string) => boolean;
const clients: AdminClient[] = [];
const dir = mkdtempSync(join(tmpdir(), 'admin-auth-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, `${SECRET}\n`);

function requireToken(handler: Handler): Handler {
  return (request, call) => {
    const value = call.metadata.get(HEADER)[0];
    const token = typeof value === 'string' && value.startsWith('Bearer ') ? value.slice('Bearer '.length) : undefined;
    if (!token || !accepted(token)) throw new GrpcError(status.UNAUTHENTICATED, 'token not found in the request header');
    return handler(request, call);
  };
}

function authMetadata(tokenUrl: string): Record<string, Handler> {
  return {
    GetPublicClientConfig: () => ({
      clientId: 'flytectl',
      redirectUri: 'http://localhost:53593/callback',
      scopes: ['all', 'offline'],
      authorizationMetadataKey: HEADER,
    }),
    GetOAuth2Metadata: () => ({
      issuer: 'http://127.0.0.1',
      tokenEndpoint: tokenUrl,
      authorizationEndpoint: 'http://127.0.0.1/oauth2/authorize',
      grantTypesSupported: ['client_credentials'],
    }),
  };
}

function client(admin: Partial<AdminConfig>, server: TestAdminServer = guarded) {
  const made = AdminClient.lazy({ endpoint: server.address, insecure: true, ...admin });
  clients.push(made);
  return made;
}

const clientSecret: Partial<AdminConfig> = { authType: 'ClientSecret', clientId: CLIENT_ID, clientSecretLocation: secretFile };

beforeAll(async () => {
  open = await startAdminServer({ ListProjects: () => ({ projects: [{ id: 'flytesnacks' }] }) });
  tokens = await startTokenServer({ clientId: CLIENT_ID, clientSecret: SECRET, expiresIn: 3600 });
  guarded = await startAdminServer();
});
/** The guarded server's handlers: the auth metadata, and two calls that need the token endpoint's tokens. */
function guard() {
  accepted = (token) => tokens.issued.includes(token);
  guarded.handle({
    ...authMetadata(tokens.url),
    ListProjects: requireToken(() => ({ projects: [{ id: 'flytesnacks' }] })),
    GetVersion: requireToken(() => ({ controlPlaneVersion: { Version: 'v1.16.8' } })),
  });
}
beforeAll(guard);
afterEach(() => {
  for (const made of clients.splice(0)) made.close();
  guarded.calls.length = 0;
  tokens.requests.length = 0;
  tokens.issued.length = 0;
  guard();
});
afterAll(async () => {
  await Promise.all([open.close(), guarded.close(), tokens.close()]);
});

describe('an open server', () => {
  it.each(['Pkce', 'DeviceFlow', 'ExternalCommand', 'ClientSecret'])(
    'works with admin.authType %s: no auth is asked for until the server asks',
    async (authType) => {
      const path = join(dir, `config-${authType}.yaml`);
      writeFileSync(path, `admin:\n  endpoint: dns:///${open.address}\n  insecure: true\n  authType: ${authType}\n  clientId: flytepropeller\n`);
      const admin = AdminClient.lazy(readFlyteConfig({ path, env: {} }));
      clients.push(admin);
      expect((await admin.service.listProjects({})).projects.map((project) => project.id)).toEqual(['flytesnacks']);
      expect(open.calls.map((call) => call.method)).toEqual(['ListProjects']);
      expect(open.calls[0]!.metadata).not.toHaveProperty('authorization');
      open.calls.length = 0;
    },
  );
});

describe('ClientSecret: the OAuth2 client-credentials flow', () => {
  it('on UNAUTHENTICATED, reads the auth metadata, gets a token and retries once; later calls reuse the token', async () => {
    const admin = client(clientSecret);
    expect((await admin.service.listProjects({})).projects).toHaveLength(1);
    await admin.service.getVersion({});
    await admin.service.listProjects({});
    expect(tokens.issued).toEqual(['token-1']);
    expect(guarded.calls.map((call) => call.method)).toEqual([
      'ListProjects',
      'GetPublicClientConfig',
      'GetOAuth2Metadata',
      'ListProjects',
      'GetVersion',
      'ListProjects',
    ]);
    // The metadata calls are sent no token; every call after the first carries it under the server's key.
    expect(guarded.calls.slice(3).map((call) => call.metadata[HEADER])).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
    expect(guarded.calls.slice(1, 3).every((call) => call.metadata[HEADER] === undefined)).toBe(true);
    // The token request: HTTP Basic (id and URL-encoded secret, newline stripped from the file), the server's scopes.
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]!.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${encodeURIComponent(SECRET)}`).toString('base64')}`);
    expect(tokens.requests[0]!.form).toEqual({ grant_type: 'client_credentials', scope: 'all offline' });
  });

  it('asks for the configured scopes and audience instead of the server’s', async () => {
    const admin = client({ ...clientSecret, scopes: ['flyte/all'], audience: 'https://flyte.example.com' });
    await admin.service.listProjects({});
    expect(tokens.requests[0]!.form).toEqual({ grant_type: 'client_credentials', scope: 'flyte/all', audience: 'https://flyte.example.com' });
  });

  it('concurrent calls share one token request', async () => {
    const admin = client(clientSecret);
    await Promise.all(Array.from({ length: 8 }, () => admin.service.listProjects({})));
    expect(tokens.issued).toEqual(['token-1']);
  });

  it('fetches a new token shortly before the cached one expires', async () => {
    const shortLived = await startTokenServer({ clientId: CLIENT_ID, clientSecret: SECRET, expiresIn: 1 });
    try {
      accepted = (token) => shortLived.issued.includes(token);
      guarded.handle({ ...authMetadata(shortLived.url), ListProjects: requireToken(() => ({ projects: [] })) });
      const admin = client(clientSecret);
      await admin.service.listProjects({});
      await admin.service.listProjects({});
      expect(shortLived.issued).toEqual(['token-1']);
      // A 1 s token is refreshed in its last tenth: after 0.95 s the next call gets a new one first, without a refusal.
      await new Promise((resolve) => setTimeout(resolve, 950));
      await admin.service.listProjects({});
      expect(shortLived.issued).toEqual(['token-1', 'token-2']);
      expect(guarded.calls.map((call) => call.metadata[HEADER] ?? '-').slice(-3)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
      expect(guarded.calls.filter((call) => call.method === 'ListProjects')).toHaveLength(4);
    } finally {
      await shortLived.close();
    }
  });

  it('fetches a new token when the server refuses the cached one', async () => {
    const admin = client(clientSecret);
    await admin.service.listProjects({});
    accepted = (token) => token === 'token-2';
    await admin.service.listProjects({});
    expect(tokens.issued).toEqual(['token-1', 'token-2']);
  });

  it('reads the secret from the variable admin.clientSecretEnvVar names', async () => {
    const path = join(dir, 'env-secret.yaml');
    writeFileSync(path, `admin:\n  endpoint: ${guarded.address}\n  insecure: true\n  clientId: ${CLIENT_ID}\n  clientSecretEnvVar: MY_FLYTE_SECRET\n`);
    const config = readFlyteConfig({ path, env: { MY_FLYTE_SECRET: SECRET } });
    expect(authModeOf(config.admin)).toBe('ClientSecret');
    const admin = AdminClient.lazy(config);
    clients.push(admin);
    await admin.service.listProjects({});
    expect(tokens.issued).toEqual(['token-1']);
  });

  it('a refused client secret is FLYTE_ADMIN_UNAUTHENTICATED naming the token endpoint and the client id', async () => {
    const wrong = join(dir, 'wrong-secret');
    writeFileSync(wrong, 'nope');
    const error = (await client({ ...clientSecret, clientSecretLocation: wrong })
      .service.listProjects({})
      .catch((caught: unknown) => caught)) as AdminError;
    expect(error).toBeInstanceOf(AdminError);
    expect([error.code, error.kind]).toEqual(['FLYTE_ADMIN_UNAUTHENTICATED', 'environment']);
    expect(error.message).toBe(
      `the OAuth2 token endpoint ${tokens.url} refused the client credentials of client id '${CLIENT_ID}' (HTTP 401): invalid_client: client authentication failed`,
    );
    expect(error.hint).toContain('check admin.clientId and the client secret');
  });

  it('a token the server keeps refusing is FLYTE_ADMIN_UNAUTHENTICATED after one retry', async () => {
    accepted = () => false;
    const error = (await client(clientSecret)
      .service.listProjects({})
      .catch((caught: unknown) => caught)) as AdminError;
    expect([error.code, error.grpcStatus, error.details]).toEqual(['FLYTE_ADMIN_UNAUTHENTICATED', 'UNAUTHENTICATED', 'token not found in the request header']);
    expect(guarded.callsOf('ListProjects')).toHaveLength(2);
    expect(tokens.issued).toEqual(['token-1']);
  });

  it('missing credentials are FLYTE_CONFIG_INVALID naming the key', async () => {
    await expect(client({ authType: 'ClientSecret' }).service.listProjects({})).rejects.toThrow(
      expect.objectContaining({ code: 'FLYTE_CONFIG_INVALID', message: expect.stringContaining('admin.clientId is not set') as unknown }),
    );
    await expect(client({ authType: 'ClientSecret', clientId: CLIENT_ID }).service.listProjects({})).rejects.toThrow(FlyteConfigError);
    await expect(client({ ...clientSecret, clientSecretLocation: join(dir, 'missing') }).service.listProjects({})).rejects.toThrow(
      expect.objectContaining({
        code: 'FLYTE_CONFIG_INVALID',
        message: expect.stringContaining(`names ${join(dir, 'missing')}, which cannot be read`) as unknown,
      }),
    );
  });
});

describe('auth the client cannot do', () => {
  it.each(['Pkce', 'standard', 'DeviceFlow', 'ExternalCommand', 'external_process', 'Kerberos'])(
    'a server that requires auth, with admin.authType %s: FLYTE_AUTH_UNSUPPORTED saying what is supported',
    async (authType) => {
      const error = (await client({ authType })
        .service.listProjects({})
        .catch((caught: unknown) => caught)) as AdminError;
      expect(error).toBeInstanceOf(AdminError);
      expect([error.code, error.kind, error.grpcStatus]).toEqual(['FLYTE_AUTH_UNSUPPORTED', 'environment', 'UNAUTHENTICATED']);
      expect(error.message).toMatch(
        new RegExp(
          `^FlyteAdmin at ${guarded.address} requires authentication \\(it answered UNAUTHENTICATED to AdminService.ListProjects: token not found in the request header\\), and admin.authType is \\w+, which this client does not support$`,
        ),
      );
      expect(error.hint).toMatch(
        /^supported: ClientSecret \(the OAuth2 client-credentials flow\)\. Set admin.authType: ClientSecret, admin.clientId and admin.clientSecretLocation/,
      );
      expect(tokens.requests).toHaveLength(0);
    },
  );

  it('a server that requires auth, with no auth type: FLYTE_ADMIN_UNAUTHENTICATED saying how to configure it', async () => {
    const error = (await client({})
      .service.listProjects({})
      .catch((caught: unknown) => caught)) as AdminError;
    expect([error.code, error.kind]).toEqual(['FLYTE_ADMIN_UNAUTHENTICATED', 'environment']);
    expect(error.message).toContain('and no admin.authType is configured');
    expect(error.hint).toContain('set admin.authType: ClientSecret');
  });

  it('a server that requires auth but has no AuthMetadataService: FLYTE_ADMIN_UNAUTHENTICATED', async () => {
    guarded.handle({ ListProjects: requireToken(() => ({ projects: [] })) });
    const error = (await client(clientSecret)
      .service.listProjects({})
      .catch((caught: unknown) => caught)) as AdminError;
    expect(error.code).toBe('FLYTE_ADMIN_UNAUTHENTICATED');
    expect(error.message).toContain('its auth metadata (AuthMetadataService) cannot be read');
  });
});

describe('authModeOf', () => {
  it('normalizes the names flytekit and flytectl accept; a client secret means ClientSecret', () => {
    const modes = [
      'ClientSecret',
      'clientsecret',
      'basic',
      'client_credentials',
      'Pkce',
      'standard',
      'DeviceFlow',
      'ExternalCommand',
      'external_process',
      undefined,
      'Other',
    ];
    expect(modes.map((authType) => authModeOf({ authType }))).toEqual([
      'ClientSecret',
      'ClientSecret',
      'ClientSecret',
      'ClientSecret',
      'Pkce',
      'Pkce',
      'DeviceFlow',
      'ExternalCommand',
      'ExternalCommand',
      'none',
      { unknown: 'Other' },
    ]);
    expect(authModeOf({ authType: 'Pkce', clientSecretLocation: '/etc/secret' })).toBe('ClientSecret');
    expect(authModeOf({ clientSecret: 'x' })).toBe('ClientSecret');
  });
});
