// Helpers of the CLI tests: run the real bin in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bin, which runs the compiled CLI (dist/): build before testing. */
export const BIN = fileURLToPath(new URL('../../bin/unionml.js', import.meta.url));
/** The fixture apps. */
export const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
/** The records module loader that proves what a process imports. */
export const TRACE_IMPORTS = fileURLToPath(new URL('./trace-imports.mjs', import.meta.url));
/** The repository root. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the bin. */
  nodeArgs?: string[];
  timeoutMs?: number;
  /** Another bin to run (e.g. of a packed copy of the CLI). */
  bin?: string;
}

/** Runs `unionml ...args` and collects its output. */
export function unionml(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`unionml ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts `unionml ...args` without waiting for it. */
export function start(args: string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? APPS,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A new temporary folder. */
export function tempDir(prefix = 'unionml-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Parses stdout as exactly one JSON value (one line), failing with the output if it is anything else. */
export function onlyJson(result: RunResult): unknown {
  const text = result.stdout.trim();
  if (text.includes('\n')) throw new Error(`stdout has more than one line:\n${result.stdout}\nstderr:\n${result.stderr}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`stdout is not JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** The CLI with the fake RemoteModel (remote-cli.ts), run from the sources with tsx. */
export const REMOTE_CLI = fileURLToPath(new URL('./remote-cli.ts', import.meta.url));
