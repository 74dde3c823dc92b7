// Integration tier: pushes to a real registry (Debian's docker-registry, installed by `npm run docker:up`) on 127.0.0.1
// with htpasswd authentication, from the daemon of `npm run docker:up`. The daemon treats 127.0.0.0/8 as an insecure
// (plain HTTP) registry by default.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Docker } from './docker.js';
import { DockerAuthError, DockerPushError } from './errors.js';
import type { PushEvent } from './progress.js';
import { daemonProblem, TestResources } from './test-support/daemon.js';
import { freePort, startTestRegistry, type TestRegistry } from './test-support/registry.js';

const docker = new Docker();
const res = new TestResources(docker);
let registry: TestRegistry;
let imageId: string;
let dockerConfig: string;
const savedDockerConfig = process.env['DOCKER_CONFIG'];

let problem: Error | undefined;
beforeAll(async () => {
  problem = await daemonProblem(docker);
  if (problem) return;
  try {
    registry = await startTestRegistry('pusher', 'right-password');
  } catch (e) {
    problem = e as Error;
    return;
  }
  // A tiny image (no base layers to upload): a file on scratch.
  const context = await res.folder({ Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n', 'hello.txt': `hello ${Date.now()}\n` });
  imageId = (await docker.build({ context, networkMode: 'host', tags: [res.tag('push-source')] })).id;
  // Credentials come from options.auth or the Docker CLI's config: start from an empty one.
  dockerConfig = await mkdtemp(path.join(tmpdir(), 'unionml-docker-config-'));
  process.env['DOCKER_CONFIG'] = dockerConfig;
}, 60_000);
beforeEach(() => {
  if (problem) throw problem;
});

afterAll(async () => {
  if (savedDockerConfig === undefined) delete process.env['DOCKER_CONFIG'];
  else process.env['DOCKER_CONFIG'] = savedDockerConfig;
  await registry?.stop();
  await res.cleanup();
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
}, 60_000);

/** Tags the test image for the registry; removed at cleanup. */
async function tagged(name: string, tag: string): Promise<string> {
  const image = `${registry.address}/unionml-test/${name}:${tag}`;
  await docker.tag(imageId, image);
  res.tags.push(image);
  return image;
}

describe('Docker.push', () => {
  it('pushes with good credentials, reporting layers, and the registry has the tag', async () => {
    const image = await tagged('app', 'v1');
    const events: PushEvent[] = [];
    await docker.push(image, { auth: { username: 'pusher', password: 'right-password' }, onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({ kind: 'log', text: `The push refers to repository [${registry.address}/unionml-test/app]` });
    expect(events.some((e) => e.kind === 'layer' && e.status === 'Pushed')).toBe(true);
    expect(events.some((e) => e.kind === 'log' && /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/.test(e.text))).toBe(true);
    expect(await registry.tags('unionml-test/app')).toEqual(['v1']);
    const info = await docker.inspect(image);
    expect(info?.repoDigests?.some((d) => d.startsWith(`${registry.address}/unionml-test/app@sha256:`))).toBe(true);
  });

  it('takes the credentials from the Docker config file by default', async () => {
    const image = await tagged('from-config', 'v2');
    await writeFile(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [registry.address]: { auth: Buffer.from('pusher:right-password').toString('base64') } } }),
    );
    try {
      await docker.push(image);
    } finally {
      await rm(path.join(dockerConfig, 'config.json'), { force: true });
    }
    expect(await registry.tags('unionml-test/from-config')).toEqual(['v2']);
  });

  it('throws DockerAuthError for a wrong password, saying whose credentials were refused', async () => {
    const image = await tagged('bad', 'v1');
    const e = await docker.push(image, { auth: { username: 'pusher', password: 'wrong-password' } }).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DockerAuthError);
    const error = e as DockerAuthError;
    expect(error.code).toBe('DOCKER_AUTH_FAILED');
    expect(error.registry).toBe(registry.address);
    expect(error.message).toContain(`${registry.address} refused the credentials of 'pusher' for ${image}`);
    expect(error.hint).toContain(`docker login ${registry.address}`);
    expect(await registry.tags('unionml-test/bad')).toEqual([]);
  });

  it('throws DockerAuthError when the registry wants credentials and none are configured', async () => {
    const image = await tagged('anonymous', 'v1');
    const e = await docker.push(image).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DockerAuthError);
    expect((e as DockerAuthError).message).toContain('no credentials were given');
  });

  it('throws DockerPushError naming the registry when nothing listens there', async () => {
    const port = await freePort();
    const image = `127.0.0.1:${port}/unionml-test/app:v1`;
    await docker.tag(imageId, image);
    res.tags.push(image);
    const e = await docker.push(image, { auth: { username: 'a', password: 'b' } }).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DockerPushError);
    expect((e as DockerPushError).code).toBe('DOCKER_PUSH_FAILED');
    expect((e as DockerPushError).registry).toBe(`127.0.0.1:${port}`);
    expect((e as DockerPushError).message).toContain(`to 127.0.0.1:${port} failed`);
    expect((e as DockerPushError).hint).toContain(`is a registry running at 127.0.0.1:${port}?`);
  }, 60_000);

  it('throws DockerPushError when there is no such local image', async () => {
    const e = await docker.push(`${registry.address}/unionml-test/never-built:v1`).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DockerPushError);
    expect((e as DockerPushError).message).toContain('there is no local image');
  });
});
