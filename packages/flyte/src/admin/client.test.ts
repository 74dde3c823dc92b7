// The FlyteAdmin client against a real grpc-js server on loopback (test-support/admin-server.ts): round trips,
// deadlines, retries and their backoff, the retry budget, a server that is down, gRPC status → typed errors, TLS,
// close and cancellation. Auth is in auth.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { isUnionMLError } from '@unionml/errors';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { taskArgs, taskSpec } from '../builders.js';
import { flyteidl, int64ToNumber } from '../idl.js';
import { closedPort, GrpcError, startAdminServer, TLS, type TestAdminServer } from '../test-support/admin-server.js';
import { t } from '../types.js';
import { AdminClient, backoffMs } from './client.js';
import { readFlyteConfig } from './config.js';
import { AdminError } from './errors.js';

const id = { resourceType: flyteidl.core.ResourceType.TASK, project: 'flytesnacks', domain: 'development', name: 'ts.say_hello', version: 'v1' };
const spec = taskSpec({
  id,
  interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
  image: 'localhost:30000/hello:v1',
  args: taskArgs(['node', 'dist/entrypoint.js'], ['task-name', 'say_hello']),
});

let server: TestAdminServer;
const clients: AdminClient[] = [];
function client(
  options: Parameters<typeof AdminClient.lazy>[1] = {},
  config: Parameters<typeof AdminClient.lazy>[0] = { endpoint: `dns:///${server.address}`, insecure: true },
) {
  const made = AdminClient.lazy(config, options);
  clients.push(made);
  return made;
}

/** The error a promise rejects with, as an AdminError (fails the test if it resolves or throws something else). */
async function adminError(promise: Promise<unknown>): Promise<AdminError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should fail with an AdminError').toBeInstanceOf(AdminError);
  return error as AdminError;
}

beforeAll(async () => {
  server = await startAdminServer();
});
afterEach(() => {
  for (const made of clients.splice(0)) made.close();
  server.calls.length = 0;
  server.handle({});
});
afterAll(() => server.close());

describe('round trips', () => {
  it('creates a task from a real template and reads it back, decoded', async () => {
    const stored = new Map<string, flyteidl.admin.ITaskSpec>();
    server.handle({
      CreateTask: (request: flyteidl.admin.TaskCreateRequest) => {
        stored.set(request.id!.name!, request.spec!);
        return {};
      },
      GetTask: (request: flyteidl.admin.ObjectGetRequest) => {
        const found = stored.get(request.id!.name!);
        if (!found) throw new GrpcError(status.NOT_FOUND, `missing entity of type TASK with identifier ${request.id!.name}`);
        return { id: request.id, closure: { compiledTask: { template: found.template }, createdAt: { seconds: 1_700_000_000, nanos: 5 } } };
      },
    });
    const admin = client();
    const created = await admin.service.createTask({ id, spec });
    expect(created).toBeInstanceOf(flyteidl.admin.TaskCreateResponse);
    const task = await admin.service.getTask({ id });
    expect(task).toBeInstanceOf(flyteidl.admin.Task);
    expect(task.id?.name).toBe('ts.say_hello');
    expect(task.closure?.compiledTask?.template?.container?.image).toBe('localhost:30000/hello:v1');
    expect(task.closure?.compiledTask?.template?.interface?.inputs?.variables?.['name']?.type?.simple).toBe(flyteidl.core.SimpleType.STRING);
    expect(int64ToNumber(task.closure?.createdAt?.seconds)).toBe(1_700_000_000);
    // The server decoded exactly the bytes of the spec.
    expect(flyteidl.admin.TaskSpec.encode(stored.get('ts.say_hello')!).finish()).toEqual(flyteidl.admin.TaskSpec.encode(spec).finish());
  });

  it('sends list filters, limits, tokens and sort keys as given, and reads the page token', async () => {
    server.handle({
      ListTasks: (request: flyteidl.admin.ResourceListRequest) => ({
        tasks: [{ id: { ...id, version: `v${request.token || '0'}` } }],
        token: request.token === '' ? '1' : '',
      }),
    });
    const admin = client();
    const query = {
      id: { project: 'flytesnacks', domain: 'development', name: 'ts.say_hello' },
      limit: 1,
      filters: 'eq(version,v1)',
      sortBy: { key: 'created_at' },
    };
    const first = await admin.service.listTasks(query);
    const second = await admin.service.listTasks({ ...query, token: first.token });
    expect([first.tasks[0]?.id?.version, first.token, second.tasks[0]?.id?.version, second.token]).toEqual(['v0', '1', 'v1', '']);
    const seen = server.callsOf('ListTasks')[0]!.request as flyteidl.admin.ResourceListRequest;
    expect([seen.limit, seen.filters, seen.sortBy?.key, seen.id?.name]).toEqual([1, 'eq(version,v1)', 'created_at', 'ts.say_hello']);
  });

  it('covers the other services: DataProxy, AuthMetadata, Identity; and sends metadata and its user agent', async () => {
    server.handle({
      CreateUploadLocation: (request: flyteidl.service.CreateUploadLocationRequest) => ({
        signedUrl: `http://127.0.0.1:30002/my-s3-bucket/${request.project}/${request.filenameRoot}/${request.filename}?X-Amz-Signature=x`,
        nativeUrl: `s3://my-s3-bucket/${request.project}/${request.filenameRoot}/${request.filename}`,
      }),
      GetPublicClientConfig: () => ({ clientId: 'flytectl', authorizationMetadataKey: 'flyte-authorization', scopes: ['all'] }),
      UserInfo: () => ({ subject: 'me', name: 'Me' }),
      GetVersion: () => ({ controlPlaneVersion: { Version: 'v1.16.8', Build: 'abc' } }),
    });
    const admin = client({ metadata: { 'x-team': 'ml' } });
    const upload = await admin.dataProxy.createUploadLocation({ project: 'flytesnacks', domain: 'development', filenameRoot: 'root', filename: 'a.txt' });
    expect(upload.nativeUrl).toBe('s3://my-s3-bucket/flytesnacks/root/a.txt');
    expect((await admin.authMetadata.getPublicClientConfig({})).authorizationMetadataKey).toBe('flyte-authorization');
    expect((await admin.identity.userInfo({}, { metadata: { 'x-request-id': 'r1' } })).subject).toBe('me');
    expect((await admin.service.getVersion({})).controlPlaneVersion?.Version).toBe('v1.16.8');
    const userInfo = server.callsOf('UserInfo')[0]!;
    expect(userInfo.metadata).toMatchObject({ 'x-team': 'ml', 'x-request-id': 'r1' });
    expect(userInfo.metadata['user-agent']).toMatch(/^unionml-flyte\/\d+\.\d+\.\d+ grpc-node-js\//);
  });

  it('connect() checks that admin answers and keeps its version; connect time is small on loopback', async () => {
    server.handle({ GetVersion: () => ({ controlPlaneVersion: { Version: 'v1.16.8' } }) });
    const started = performance.now();
    const admin = await AdminClient.connect({ endpoint: server.address, insecure: true });
    clients.push(admin);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(admin.serverVersion).toBe('v1.16.8');
    expect(admin.endpoint).toBe(server.address);
  });

  it('connects with a config read from a file', async () => {
    server.handle({ GetVersion: () => ({ controlPlaneVersion: { Version: 'v9' } }) });
    const dir = mkdtempSync(join(tmpdir(), 'admin-config-'));
    writeFileSync(join(dir, 'config.yaml'), `admin:\n  endpoint: dns:///${server.address}\n  insecure: true\n  authType: Pkce\n`);
    const admin = await AdminClient.connect(readFlyteConfig({ path: join(dir, 'config.yaml'), env: {} }));
    clients.push(admin);
    expect([admin.serverVersion, admin.configPath]).toEqual(['v9', join(dir, 'config.yaml')]);
  });
});

describe('deadlines and retries', () => {
  it('a call that outlives its deadline is FLYTE_ADMIN_TIMEOUT (environment); a write is not retried', async () => {
    server.handle({ CreateTask: () => new Promise((resolve) => setTimeout(() => resolve({}), 400)) });
    const admin = client({ retry: { initialBackoffMs: 10 } });
    const started = performance.now();
    const error = await adminError(admin.service.createTask({ id, spec }, { timeoutMs: 100 }));
    expect(performance.now() - started).toBeLessThan(350);
    expect([error.code, error.kind, error.grpcStatus, error.attempts, error.method]).toEqual([
      'FLYTE_ADMIN_TIMEOUT',
      'environment',
      'DEADLINE_EXCEEDED',
      1,
      'AdminService.CreateTask',
    ]);
    expect(error.message).toContain(`FlyteAdmin at ${server.address} did not answer AdminService.CreateTask within 100 ms`);
    expect(server.callsOf('CreateTask')).toHaveLength(1);
  });

  it('a read-only call is retried after DEADLINE_EXCEEDED, and succeeds when admin answers in time', async () => {
    let calls = 0;
    server.handle({ GetTask: () => (++calls === 1 ? new Promise((resolve) => setTimeout(() => resolve({ id }), 300)) : { id }) });
    const admin = client({ timeoutMs: 100, retry: { initialBackoffMs: 10 } });
    expect((await admin.service.getTask({ id })).id?.name).toBe('ts.say_hello');
    expect(server.callsOf('GetTask')).toHaveLength(2);
  });

  it('retries UNAVAILABLE with exponential backoff and jitter, then succeeds', async () => {
    let calls = 0;
    server.handle({
      CreateTask: () => {
        if (++calls <= 2) throw new GrpcError(status.UNAVAILABLE, 'admin is starting');
        return {};
      },
    });
    const admin = client({ retry: { initialBackoffMs: 100, maxBackoffMs: 1_000 } });
    await admin.service.createTask({ id, spec });
    const at = server.callsOf('CreateTask').map((call) => call.at);
    expect(at).toHaveLength(3);
    // Backoff n is between half and all of 100 ms * 2^(n-1); allow 60 ms for the round trip and timers.
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(50 - 5);
    expect(gaps[0]).toBeLessThan(100 + 60);
    expect(gaps[1]).toBeGreaterThanOrEqual(100 - 5);
    expect(gaps[1]).toBeLessThan(200 + 60);
  });

  it('when the attempts run out, the error names the endpoint, the attempts and what to do', async () => {
    server.handle({ ListProjects: () => Promise.reject(new GrpcError(status.UNAVAILABLE, 'no healthy upstream')) });
    const dir = mkdtempSync(join(tmpdir(), 'admin-config-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, `admin:\n  endpoint: dns:///${server.address}\n  insecure: true\n`);
    const admin = client({ retry: { maxAttempts: 3, initialBackoffMs: 20 } }, readFlyteConfig({ path, env: {} }));
    const error = await adminError(admin.service.listProjects({}));
    expect([error.code, error.kind, error.grpcStatus, error.details, error.attempts]).toEqual([
      'FLYTE_ADMIN_UNAVAILABLE',
      'environment',
      'UNAVAILABLE',
      'no healthy upstream',
      3,
    ]);
    expect(error.message).toMatch(
      new RegExp(`^FlyteAdmin at ${server.address} is unavailable \\(AdminService.ListProjects\\): no healthy upstream \\(3 attempts in \\d+\\.\\d s\\)$`),
    );
    expect(error.hint).toBe(
      `is FlyteAdmin running at ${server.address}? For a local sandbox, run \`flytectl demo start\`; otherwise check admin.endpoint in ${path}`,
    );
    expect(server.callsOf('ListProjects')).toHaveLength(3);
  });

  it('the retry budget bounds the time spent retrying', async () => {
    server.handle({ ListProjects: () => Promise.reject(new GrpcError(status.UNAVAILABLE, 'down')) });
    const admin = client({ retry: { maxAttempts: 100, initialBackoffMs: 50, maxBackoffMs: 50, budgetMs: 300 } });
    const started = performance.now();
    const error = await adminError(admin.service.listProjects({}));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(300 + 200);
    // Backoffs of 25..50 ms within 300 ms: between 6 and 13 attempts.
    expect(error.attempts).toBeGreaterThanOrEqual(6);
    expect(error.attempts).toBeLessThanOrEqual(13);
    expect(server.callsOf('ListProjects')).toHaveLength(error.attempts);
  });

  it('retry: false makes one attempt', async () => {
    server.handle({ ListProjects: () => Promise.reject(new GrpcError(status.UNAVAILABLE, 'down')) });
    const error = await adminError(client().service.listProjects({}, { retry: false }));
    expect(error.attempts).toBe(1);
  });

  it('backoff doubles from initialBackoffMs up to maxBackoffMs, jittered between half and all of it', () => {
    const policy = { initialBackoffMs: 100, maxBackoffMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('a server that is not there', () => {
  it('connection refused is FLYTE_ADMIN_UNAVAILABLE (environment), after the retries, naming the endpoint', async () => {
    const port = await closedPort();
    const admin = client({ retry: { initialBackoffMs: 20 } }, { endpoint: `localhost:${port}`, insecure: true });
    const started = performance.now();
    const error = await adminError(admin.service.getVersion({}));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect([error.code, error.kind, error.grpcStatus, error.attempts]).toEqual(['FLYTE_ADMIN_UNAVAILABLE', 'environment', 'UNAVAILABLE', 4]);
    expect(error.message).toMatch(
      new RegExp(`^cannot reach FlyteAdmin at localhost:${port}: connection refused \\(AdminService.GetVersion\\) \\(4 attempts in`),
    );
    expect(error.hint).toContain('flytectl demo start');
    expect(error.hint).toContain('admin.endpoint (or FLYTE_PLATFORM_URL)');
    expect(isUnionMLError(error)).toBe(true);
  });

  it('connect() rejects with the same error', async () => {
    const port = await closedPort();
    const error = await adminError(AdminClient.connect({ endpoint: `127.0.0.1:${port}`, insecure: true }, { retry: { maxAttempts: 2, initialBackoffMs: 10 } }));
    expect(error.code).toBe('FLYTE_ADMIN_UNAVAILABLE');
    expect(error.message).toContain(`cannot reach FlyteAdmin at 127.0.0.1:${port}: connection refused`);
  });
});

describe('gRPC status → typed errors', () => {
  it.each([
    [status.NOT_FOUND, 'FLYTE_ADMIN_NOT_FOUND', 'input', 404],
    [status.INVALID_ARGUMENT, 'FLYTE_ADMIN_INVALID', 'input', 400],
    [status.ALREADY_EXISTS, 'FLYTE_ADMIN_EXISTS', 'state', 409],
    [status.FAILED_PRECONDITION, 'FLYTE_ADMIN_PRECONDITION', 'state', 409],
    [status.PERMISSION_DENIED, 'FLYTE_ADMIN_PERMISSION_DENIED', 'environment', 502],
    [status.INTERNAL, 'FLYTE_ADMIN_FAILED', 'internal', 500],
    [status.UNIMPLEMENTED, 'FLYTE_ADMIN_FAILED', 'internal', 500],
    [status.RESOURCE_EXHAUSTED, 'FLYTE_ADMIN_FAILED', 'internal', 500],
  ])("gRPC %i is %s (%s), with admin's message, not retried", async (code, errorCode, kind, httpStatus) => {
    server.handle({ GetLaunchPlan: () => Promise.reject(new GrpcError(code, `admin says ${code}`)) });
    const error = await adminError(client().service.getLaunchPlan({ id: { ...id, resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN } }));
    expect([error.code, error.kind, error.status, error.grpcCode, error.details, error.attempts]).toEqual([
      errorCode,
      kind,
      httpStatus,
      code,
      `admin says ${code}`,
      1,
    ]);
    expect(error.message).toBe(`FlyteAdmin at ${server.address} answered ${error.grpcStatus} to AdminService.GetLaunchPlan: admin says ${code}`);
    expect(error.hint).toBeTruthy();
    expect(server.callsOf('GetLaunchPlan')).toHaveLength(1);
  });

  it('a method the server does not serve is FLYTE_ADMIN_FAILED with UNIMPLEMENTED', async () => {
    const error = await adminError(client().service.getExecutionMetrics({}));
    expect([error.code, error.grpcStatus]).toEqual(['FLYTE_ADMIN_FAILED', 'UNIMPLEMENTED']);
  });

  it('a request that cannot be encoded is FLYTE_ADMIN_INVALID before anything is sent', async () => {
    const bad = { project: 'p', domain: 'd', filename: 42 } as unknown as flyteidl.service.ICreateUploadLocationRequest;
    const error = await adminError(client().dataProxy.createUploadLocation(bad));
    expect([error.code, error.kind]).toEqual(['FLYTE_ADMIN_INVALID', 'input']);
    expect(error.message).toContain('the request of DataProxyService.CreateUploadLocation cannot be encoded as its protobuf message: The "string" argument');
    expect(server.calls).toHaveLength(0);
  });
});

describe('TLS', () => {
  let tlsServer: TestAdminServer;
  beforeAll(async () => {
    tlsServer = await startAdminServer({ GetVersion: () => ({ controlPlaneVersion: { Version: 'tls' } }) }, { tls: true });
  });
  afterAll(() => tlsServer.close());

  it('verifies the server with the CA file of admin.caCertFilePath', async () => {
    const admin = client({}, { endpoint: `localhost:${tlsServer.port}`, caCertFilePath: TLS.caPath });
    expect((await admin.service.getVersion({})).controlPlaneVersion?.Version).toBe('tls');
  });

  it('https:// endpoints mean TLS; a server the default roots do not trust is refused', async () => {
    const admin = client({ retry: { maxAttempts: 1 } }, { endpoint: `https://localhost:${tlsServer.port}` });
    const error = await adminError(admin.service.getVersion({}));
    expect(error.code).toBe('FLYTE_ADMIN_UNAVAILABLE');
  });

  it('admin.insecureSkipVerify connects without verifying', async () => {
    const admin = client({}, { endpoint: `localhost:${tlsServer.port}`, insecureSkipVerify: true });
    expect((await admin.service.getVersion({})).controlPlaneVersion?.Version).toBe('tls');
  });

  it('a CA file that cannot be read is FLYTE_CONFIG_INVALID naming it', () => {
    expect(() => AdminClient.lazy({ endpoint: 'localhost:1', caCertFilePath: '/nonexistent/ca.pem' })).toThrow(
      expect.objectContaining({ code: 'FLYTE_CONFIG_INVALID', message: expect.stringContaining('/nonexistent/ca.pem') as unknown }),
    );
  });
});

describe('close and cancel', () => {
  it('after close(), calls fail with FLYTE_ADMIN_UNAVAILABLE saying so', async () => {
    server.handle({ GetVersion: () => ({}) });
    const admin = client();
    await admin.service.getVersion({});
    admin.close();
    admin.close();
    const error = await adminError(admin.service.getVersion({}));
    expect(error.message).toBe(`the FlyteAdmin client for ${server.address} is closed (AdminService.GetVersion)`);
  });

  it('an abort signal cancels the call and the retries to come', async () => {
    server.handle({ GetVersion: () => new Promise((resolve) => setTimeout(() => resolve({}), 1_000)) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    const started = performance.now();
    await expect(client().service.getVersion({}, { signal: controller.signal })).rejects.toThrow('user cancelled');
    expect(performance.now() - started).toBeLessThan(500);
  });
});
