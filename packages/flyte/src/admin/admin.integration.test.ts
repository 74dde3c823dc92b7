// The FlyteAdmin client against the Flyte lab (tools/flyte-lab: FlyteAdmin's API on localhost:30080, its client config
// in tools/flyte-lab/.state/config.yaml). Skipped, saying so, when nothing answers on the lab's port: start the lab with
// `npx nx run flyte-lab:up`. Everything it registers goes into a project of its own (a unique id).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { taskArgs, taskSpec } from '../builders.js';
import { flyteidl, int64ToNumber, Long } from '../idl.js';
import { t } from '../types.js';
import { AdminClient } from './client.js';
import { readFlyteConfig, type FlyteConfig } from './config.js';
import { AdminError } from './errors.js';

const LAB_CONFIG = process.env['FLYTE_LAB_CONFIG'] ?? fileURLToPath(new URL('../../../../tools/flyte-lab/.state/config.yaml', import.meta.url));
const LAB_PORT = Number(process.env['FLYTE_LAB_ADMIN_PORT'] ?? 30080);

/** Whether something accepts TCP connections on the lab's admin port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

const labUp = await answers(LAB_PORT);
const SKIP = `nothing answers on localhost:${LAB_PORT}: start the Flyte lab with \`npx nx run flyte-lab:up\` (tools/flyte-lab/README.md)`;
if (!labUp) console.warn(`admin.integration.test.ts skipped: ${SKIP}`);

/** The lab's config file, or (without one) the sandbox's settings on the lab's port. */
function labConfig(): FlyteConfig {
  if (existsSync(LAB_CONFIG)) return readFlyteConfig({ path: LAB_CONFIG, env: {} });
  return { path: undefined, admin: { endpoint: `dns:///localhost:${LAB_PORT}`, insecure: true }, console: {}, storage: { connection: {} } };
}

const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const project = `ts-admin-${suffix}`;
const domain = 'development';
const taskId = (version: string) => ({ resourceType: flyteidl.core.ResourceType.TASK, project, domain, name: 'ts.admin.say_hello', version });
const spec = (version: string, image = 'localhost:30000/hello:v1') =>
  taskSpec({
    id: taskId(version),
    interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
    image,
    args: taskArgs(['node', 'dist/entrypoint.js'], ['task-name', 'say_hello']),
  });

let admin: AdminClient;
let connectMs = 0;

describe(`the FlyteAdmin client against the Flyte lab (localhost:${LAB_PORT})`, () => {
  beforeEach((context) => {
    // In CI (UNIONML_REQUIRE_LAB) a missing lab fails these tests instead of skipping them.
    if (!labUp && process.env['UNIONML_REQUIRE_LAB']) throw new Error(SKIP);
    if (!labUp) context.skip(SKIP);
  });
  beforeAll(async () => {
    if (!labUp) return;
    const started = performance.now();
    admin = await AdminClient.connect(labConfig());
    connectMs = performance.now() - started;
  });
  afterAll(() => admin?.close());

  it('connects (GetVersion) and lists projects: flytesnacks with its three domains', async () => {
    expect(admin.endpoint).toBe(`localhost:${LAB_PORT}`);
    expect(admin.serverVersion).toBeTruthy();
    const version = await admin.service.getVersion({});
    expect(version.controlPlaneVersion?.Version).toBe(admin.serverVersion);
    const { projects } = await admin.service.listProjects({});
    const flytesnacks = projects.find((p) => p.id === 'flytesnacks');
    expect(flytesnacks?.domains?.map((d) => d.id)).toEqual(['development', 'staging', 'production']);
    console.log(`connect (GetVersion, ${admin.serverVersion}): ${connectMs.toFixed(1)} ms`);
  });

  it('registers a project of its own; registering it again is FLYTE_ADMIN_EXISTS (state)', async () => {
    await admin.service.registerProject({ project: { id: project, name: project, description: 'registered by @unionml/flyte admin.integration.test.ts' } });
    const { projects } = await admin.service.listProjects({ filters: `eq(project.identifier,${project})` });
    expect(projects.map((p) => p.id)).toContain(project);
    const error = await admin.service.registerProject({ project: { id: project, name: project } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminError);
    expect([(error as AdminError).code, (error as AdminError).kind, (error as AdminError).grpcStatus]).toEqual([
      'FLYTE_ADMIN_EXISTS',
      'state',
      'ALREADY_EXISTS',
    ]);
  });

  it('creates tasks from real templates and gets one back, compiled', async () => {
    for (const version of ['v1', 'v2', 'v3']) await admin.service.createTask({ id: taskId(version), spec: spec(version) });
    const task = await admin.service.getTask({ id: taskId('v2') });
    expect(task.id?.version).toBe('v2');
    expect(task.closure?.compiledTask?.template?.container?.image).toBe('localhost:30000/hello:v1');
    expect(task.closure?.compiledTask?.template?.interface?.outputs?.variables?.['o0']?.type?.simple).toBe(flyteidl.core.SimpleType.STRING);
    expect(int64ToNumber(task.closure?.createdAt?.seconds)).toBeGreaterThan(1_700_000_000);
    // Registering the same version again is ALREADY_EXISTS (state): flytectl and flytekit take it as done.
    const again = (await admin.service.createTask({ id: taskId('v1'), spec: spec('v1') }).catch((caught: unknown) => caught)) as AdminError;
    expect([again.code, again.kind, again.details]).toEqual(['FLYTE_ADMIN_EXISTS', 'state', 'task with identical structure already exists']);
    // The same version with another definition is INVALID_ARGUMENT (input), with admin's diff.
    const changed = (await admin.service
      .createTask({ id: taskId('v1'), spec: spec('v1', 'localhost:30000/other:v1') })
      .catch((caught: unknown) => caught)) as AdminError;
    expect([changed.code, changed.kind]).toEqual(['FLYTE_ADMIN_INVALID', 'input']);
    expect(changed.details).toContain('with different structure already exists');
  });

  it('lists with filters and pagination tokens', async () => {
    const named = { project, domain, name: 'ts.admin.say_hello' };
    const filtered = await admin.service.listTasks({ id: named, limit: 10, filters: 'eq(version,v2)' });
    expect(filtered.tasks.map((task) => task.id?.version)).toEqual(['v2']);
    const versions: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await admin.service.listTasks({
        id: named,
        limit: 2,
        token,
        sortBy: { key: 'created_at', direction: flyteidl.admin.Sort.Direction.ASCENDING },
      });
      versions.push(...page.tasks.map((task) => task.id!.version!));
      token = page.token;
      pages++;
    } while (token && pages < 10);
    expect(versions).toEqual(['v1', 'v2', 'v3']);
    expect(pages).toBe(2);
    const ids = await admin.service.listTaskIds({ project, domain, limit: 10 });
    expect(ids.entities.map((entity) => entity.name)).toEqual(['ts.admin.say_hello']);
  });

  it('uploads through a DataProxy signed URL and reads the object back', async () => {
    const body = Buffer.from(`hello from ${project}\n`);
    const md5 = createHash('md5').update(body).digest();
    const upload = await admin.dataProxy.createUploadLocation({
      project,
      domain,
      filenameRoot: `admin-test-${suffix}`,
      filename: 'hello.txt',
      contentMd5: md5,
      expiresIn: { seconds: Long.fromNumber(600) },
    });
    expect(upload.nativeUrl).toMatch(new RegExp(`^s3://[^/]+/${project}/${domain}/admin-test-${suffix}/hello.txt$`));
    // Send the headers the signature covers; not their Content-Length (the digest's length, not the body's: see the lab's README).
    const headers = Object.fromEntries(Object.entries(upload.headers ?? {}).filter(([key]) => key.toLowerCase() !== 'content-length'));
    const put = await fetch(upload.signedUrl, { method: 'PUT', body, headers: { 'Content-MD5': md5.toString('base64'), ...headers } });
    expect(put.status, await put.text()).toBe(200);
    const download = await admin.dataProxy.createDownloadLocation({ nativeUrl: upload.nativeUrl, expiresIn: { seconds: Long.fromNumber(600) } });
    const got = await fetch(download.signedUrl);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(body);
  });

  it('GetData and CreateDownloadLink of a node execution that does not exist are typed input errors', async () => {
    const data = await admin.dataProxy.getData({ flyteUrl: `flyte://v1/${project}/${domain}/nosuchexec/n0/o` }).catch((caught: unknown) => caught);
    expect(data).toBeInstanceOf(AdminError);
    expect([(data as AdminError).code, (data as AdminError).kind]).toEqual(['FLYTE_ADMIN_NOT_FOUND', 'input']);
    expect((data as AdminError).details).toContain('missing entity of type node execution');
    const link = await admin.dataProxy
      .createDownloadLink({
        artifactType: flyteidl.service.ArtifactType.ARTIFACT_TYPE_DECK,
        nodeExecutionId: { nodeId: 'n0', executionId: { project, domain, name: 'nosuchexec' } },
      })
      .catch((caught: unknown) => caught);
    // Admin wraps the missing node execution as INVALID_ARGUMENT (dataproxy/service.go): still an input error.
    expect([(link as AdminError).code, (link as AdminError).kind]).toEqual(['FLYTE_ADMIN_INVALID', 'input']);
    expect((link as AdminError).details).toContain('failed to find node execution');
  });

  it("an unknown launch plan is FLYTE_ADMIN_NOT_FOUND (input) with admin's message", async () => {
    const id = { resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN, project, domain, name: 'no.such.launch_plan', version: 'v0' };
    const error = await admin.service.getLaunchPlan({ id }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminError);
    const adminError = error as AdminError;
    expect([adminError.code, adminError.kind, adminError.status, adminError.grpcStatus, adminError.attempts]).toEqual([
      'FLYTE_ADMIN_NOT_FOUND',
      'input',
      404,
      'NOT_FOUND',
      1,
    ]);
    expect(adminError.details).toContain('no.such.launch_plan');
    expect(adminError.message).toBe(`FlyteAdmin at localhost:${LAB_PORT} answered NOT_FOUND to AdminService.GetLaunchPlan: ${adminError.details}`);
  });

  it('round trips take about a millisecond on loopback', async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await admin.service.getVersion({});
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const p50 = times[100]!;
    const p99 = times[198]!;
    console.log(`GetVersion round trip over ${times.length} calls: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
    expect(p50).toBeLessThan(50);
  });
});
