// A private npm registry for the tests: Verdaccio (the root's devDependency) on 127.0.0.1 and a free port, its storage
// in a folder of the caller's. `unionml` and `@unionml/*` are served only from what is published to it (no uplink for
// them: a name that was not published is a 404, never the public registry's package); every other package is proxied
// to `uplink` (the machine's registry).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './support.js';

export interface Registry {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** What Verdaccio printed (warnings and errors: its log level is `warn`). */
  log: () => string;
  /** Registers a user and returns its token (for `//127.0.0.1:PORT/:_authToken=`). */
  addUser(name: string, password: string): Promise<string>;
  /** Stops Verdaccio (SIGTERM, then SIGKILL after 5 s) and resolves when it has exited. */
  stop(): Promise<void>;
}

/** A port nobody listens on now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Verdaccio's configuration (YAML; JSON is YAML). */
export function verdaccioConfig(dir: string, uplink: string): string {
  const local = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  const config = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: { machine: { url: uplink, timeout: '120s', max_fails: 5, fail_timeout: '1m', maxage: '30m' } },
    packages: {
      unionml: local,
      '@unionml/*': local,
      '**': { access: '$all', publish: '$authenticated', proxy: 'machine' },
    },
    server: { keepAliveTimeout: 60 },
    web: { enable: false },
    max_body_size: '200mb',
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
  return JSON.stringify(config, null, 2);
}

/** Starts Verdaccio with its files in `dir` and waits until it answers `/-/ping` (at most `timeoutMs`). */
export async function startVerdaccio(dir: string, uplink: string, timeoutMs = 60_000): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, verdaccioConfig(dir, uplink));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const child: ChildProcess = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`Verdaccio exited before it answered\n${log}`);
    const ok = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Verdaccio did not answer ${url}-/ping within ${timeoutMs} ms\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    url,
    log: () => log,
    stop,
    async addUser(name, password) {
      const response = await fetch(`${url}-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      const body = (await response.json()) as { token?: string; error?: string };
      if (!response.ok || !body.token) throw new Error(`Verdaccio refused the user ${name}: ${response.status} ${JSON.stringify(body)}`);
      return body.token;
    },
  };
}
