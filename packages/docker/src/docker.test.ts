// Unit tier: what needs no Docker daemon (passes with DOCKER_HOST=unix:///nonexistent.sock). Connection handling
// against sockets where nothing listens, and what the client sends, against a fake Engine API on a unix socket. The
// tests against a real daemon are in docker.integration.test.ts and push.integration.test.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Docker, resolveConnection } from './docker.js';
import { DOCKER_ERRORS, DockerBuildError, DockerContextError, DockerRequestError, DockerRunError, DockerUnavailableError } from './errors.js';
import { startFakeDaemon, type FakeDaemon } from './test-support/fake-daemon.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A temporary folder with the given files. */
async function folder(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'unionml-docker-unit-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('a daemon that does not answer', () => {
  it('throws DockerUnavailableError naming the socket and how to start a daemon', async () => {
    const down = new Docker({ socketPath: '/tmp/unionml-no-such-docker.sock' });
    const e = await failure(down.ping());
    expect(e).toBeInstanceOf(DockerUnavailableError);
    expect(e).toMatchObject({ code: 'DOCKER_UNAVAILABLE', kind: 'environment', address: 'unix:///tmp/unionml-no-such-docker.sock' });
    expect((e as DockerUnavailableError).message).toBe('no Docker daemon at unix:///tmp/unionml-no-such-docker.sock: the socket does not exist');
    // The hint speaks to a user of the package, not to this repository.
    expect((e as DockerUnavailableError).hint).toBe(DOCKER_ERRORS.DOCKER_UNAVAILABLE.hint);
    expect((e as DockerUnavailableError).hint).toContain('sudo systemctl start docker');
    expect((e as DockerUnavailableError).hint).toContain('DOCKER_HOST');
    expect((e as DockerUnavailableError).hint).not.toMatch(/npm run|docker:up|vfs/);
    // every operation says the same
    const context = await folder({ Dockerfile: 'FROM scratch\n' });
    await expect(down.build({ context, tags: ['x:1'] })).rejects.toThrow(DockerUnavailableError);
    await expect(down.run({ image: 'x', cmd: ['true'] })).rejects.toThrow(DockerUnavailableError);
    await expect(down.inspect('x')).rejects.toThrow(DockerUnavailableError);
    await expect(down.tag('x', 'y:1')).rejects.toThrow(DockerUnavailableError);
    await expect(down.remove('x')).rejects.toThrow(DockerUnavailableError);
    await expect(down.push('localhost:1/x:1', { auth: { username: 'a', password: 'b' } })).rejects.toThrow(DockerUnavailableError);
  });

  it('says the same for the DOCKER_HOST of the environment, and for a DOCKER_HOST that is not a URL', async () => {
    const saved = process.env['DOCKER_HOST'];
    try {
      process.env['DOCKER_HOST'] = 'unix:///nonexistent.sock';
      await expect(new Docker().ping()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', address: 'unix:///nonexistent.sock' });
      process.env['DOCKER_HOST'] = 'not a url';
      expect(() => new Docker()).toThrow(DockerUnavailableError);
      expect(() => new Docker()).toThrow('DOCKER_HOST is not a URL');
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });

  it('refuses what cannot be sent before contacting the daemon: a folder without Dockerfile, no tag, a digest to tag or push', async () => {
    const down = new Docker({ socketPath: '/tmp/unionml-no-such-docker.sock' });
    const context = await folder({ 'a.txt': 'no Dockerfile here' });
    await expect(down.build({ context, tags: ['x:1'] })).rejects.toThrow(DockerContextError);
    await expect(down.build({ context: path.join(context, 'missing'), tags: ['x:1'] })).rejects.toMatchObject({
      code: 'DOCKER_CONTEXT_INVALID',
      kind: 'input',
    });
    const noTag = await failure(down.build({ context, tags: [] }));
    expect(noTag).toBeInstanceOf(DockerRequestError);
    expect(noTag).toMatchObject({ code: 'DOCKER_REFERENCE_INVALID', kind: 'input', message: 'a build needs at least one tag' });
    await expect(down.tag('x', 'y@sha256:0123')).rejects.toMatchObject({ code: 'DOCKER_REFERENCE_INVALID', operation: 'tag x as y@sha256:0123' });
    await expect(down.push('registry.example.com/x@sha256:0123')).rejects.toMatchObject({
      code: 'DOCKER_REFERENCE_INVALID',
      message: 'cannot push registry.example.com/x@sha256:0123 to registry.example.com: push a tag, not a digest',
    });
  });
});

describe('resolveConnection', () => {
  it('reads DOCKER_HOST (unix and tcp) and explicit hosts', () => {
    const saved = process.env['DOCKER_HOST'];
    try {
      process.env['DOCKER_HOST'] = 'unix:///run/other.sock';
      expect(resolveConnection()).toEqual({ address: 'unix:///run/other.sock', modem: { socketPath: '/run/other.sock' } });
      process.env['DOCKER_HOST'] = 'tcp://10.1.2.3:2375';
      expect(resolveConnection()).toMatchObject({ address: 'tcp://10.1.2.3:2375', modem: { host: '10.1.2.3', port: 2375, protocol: 'http' } });
      delete process.env['DOCKER_HOST'];
      expect(resolveConnection().address).toBe('unix:///var/run/docker.sock');
      expect(resolveConnection({ host: 'example.com', port: 1234 }).address).toBe('tcp://example.com:1234');
      expect(resolveConnection({ host: 'example.com', protocol: 'https' }).address).toBe('https://example.com:2376');
      expect(resolveConnection({ socketPath: '/run/docker.sock' })).toEqual({ address: 'unix:///run/docker.sock', modem: { socketPath: '/run/docker.sock' } });
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });
});

describe('what the client sends (a fake daemon)', () => {
  let daemon: FakeDaemon;
  let docker: Docker;
  beforeAll(async () => {
    daemon = await startFakeDaemon();
    docker = new Docker({ socketPath: daemon.socketPath });
  });
  afterAll(async () => {
    await daemon?.close();
  });

  it('leaves the network of RUN steps and containers to the daemon unless networkMode is given', async () => {
    await expect(docker.ping()).resolves.toBeUndefined();
    const context = await folder({ Dockerfile: 'FROM scratch\n' });
    await expect(docker.build({ context, tags: ['x:1'] })).rejects.toThrow(DockerBuildError);
    await expect(docker.build({ context, tags: ['x:1'], networkMode: 'host' })).rejects.toThrow('the fake daemon builds nothing');
    const builds = daemon.requests.filter((r) => r.method === 'POST' && r.path === '/build');
    expect(builds.map((r) => r.query.get('networkmode'))).toEqual([null, 'host']);
    expect(builds[0]?.query.getAll('t')).toEqual(['x:1']);

    await expect(docker.run({ image: 'x:1', cmd: ['true'] })).rejects.toThrow(DockerRunError);
    await expect(docker.run({ image: 'x:1', cmd: ['true'], networkMode: 'none' })).rejects.toThrow('cannot run x:1: the daemon has no such image');
    const creates = daemon.requests.filter((r) => r.method === 'POST' && r.path === '/containers/create');
    expect(creates.map((r) => (r.body as { HostConfig: unknown }).HostConfig)).toEqual([
      { Binds: [], AutoRemove: false },
      { NetworkMode: 'none', Binds: [], AutoRemove: false },
    ]);
  });
});
