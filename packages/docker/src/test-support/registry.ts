import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';

/** A Docker registry 2 (Debian's docker-registry) on 127.0.0.1 with htpasswd authentication, for push tests. */
export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  address: string;
  /** Lists the tags of a repository through the registry API (as `username`). */
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The docker-registry binary, or an error saying how to install it. */
export function registryBinary(): string {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = path.join(dir, 'docker-registry');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error("docker-registry is not installed: run `npm run docker:up` (it installs Debian's docker-registry)");
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a registry that accepts `username`/`password` (basic auth, htpasswd with bcrypt). */
export async function startTestRegistry(username: string, password: string): Promise<TestRegistry> {
  const binary = registryBinary();
  const dir = await mkdtemp(path.join(tmpdir(), 'unionml-registry-'));
  await mkdir(path.join(dir, 'data'));
  await writeFile(path.join(dir, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 8)}\n`);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  await writeFile(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:',
      `  addr: ${address}`,
      '  secret: unionml-test',
      'auth:',
      '  htpasswd:',
      '    realm: unionml-test',
      `    path: ${path.join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      const response = await fetch(`http://${address}/v2/`);
      if (response.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${address} within 15 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address,
    async tags(repository) {
      const response = await fetch(`http://${address}/v2/${repository}/tags/list`, { headers: { authorization } });
      if (response.status === 404) return [];
      const body = (await response.json()) as { tags?: string[] | null };
      return body.tags ?? [];
    },
    stop,
  };
}
