// Starts serve-child.ts in its own Node process (for the signal and worker tests) and finds its processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./serve-child.ts', import.meta.url));

/** A running serve-child.ts. */
export interface Child {
  pid: number;
  url: string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts serve-child.ts and waits until it logs that it serves. `env`: SLOW_MS, WORKERS, GRACE_MS, BAD_MODEL (see the
 * script). Resolves the child even when it exits first, if `allowExit` (for tests of start-up failures).
 */
export function startChild(env: Record<string, string> = {}, { allowExit = false } = {}): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@unionml/source', childScript, join(mkdtempSync(join(tmpdir(), 'unionml-serve-')), 'model.json')],
    { cwd: repoRoot, env: { ...process.env, SLOW_MS: '500', UNIONML_MODEL_PATH: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const made = (url: string): Child => ({ pid: child.pid!, url, stderr: () => stderr, exit, kill: (signal) => child.kill(signal) });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not start; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /\[unionml\] serving model 'tiny_model' at (http:\/\/[^\s]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(made(match[1]!));
      }
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      if (allowExit) resolve(made(''));
      else reject(new Error(`the child exited with ${code} before serving; stderr:\n${stderr}`));
    });
  });
}

/**
 * The ids of the processes whose parent is `pid` and that run serve-child.ts (Linux /proc): the workers of a primary,
 * not the helper processes of tsx (esbuild's service).
 */
export function childProcesses(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('serve-child.ts')) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** True while process `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
