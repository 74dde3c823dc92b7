// Process helpers for the end-to-end journeys: run commands like a user would, start and stop a server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The published packages: every package of packages/* and apps/* that is not private (`unionml` is the CLI). */
export const PUBLISHED: readonly string[] = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(join(repoRoot, parent)).flatMap((folder) => {
    const manifest = join(repoRoot, parent, folder, 'package.json');
    if (!existsSync(manifest)) return [];
    const { name, private: isPrivate } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean };
    return isPrivate ? [] : [name];
  }),
);

/** Packs every published package into `destination` with npm pack (its prepack builds it), as `--packages-from` takes them. */
export function packPublished(destination: string): void {
  runOk('npm', ['pack', '--silent', '--pack-destination', destination, ...PUBLISHED.flatMap((name) => ['-w', name])], { cwd: repoRoot, timeoutMs: 600_000 });
  const tarballs = readdirSync(destination).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== PUBLISHED.length)
    throw new Error(`npm pack made ${tarballs.length} tarballs for ${PUBLISHED.length} packages: ${tarballs.join(', ')}`);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell), returning its exit status and output. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like {@link run}, but throws with the output when the command fails. */
export function runOk(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunResult {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

/** Like {@link run}, without blocking the event loop (for tests that run side by side). */
export function runAsync(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 600_000} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, options.timeoutMs ?? 600_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A running server process and the URL it announced. */
export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Sends SIGTERM and resolves the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `command args` and waits until it prints "serving model ... at <url>" on stderr (UnionML's start-up
 * line), or rejects with its output if it exits first or takes longer than `timeoutMs`.
 */
export function startServer(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Served> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<Served>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const match = /serving model .* at (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!.replace(/\/$/, ''),
          child,
          stderr: () => stderr,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}

/** POSTs a body (a string is sent as is) and returns the status and parsed JSON body. */
export async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}
