// Runs `unionml ...` in a child process with the fake RemoteModel (remote-cli.ts) and reads back what it called.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FakeCall, FakeScript } from './fake-remote.js';
import { REMOTE_CLI, start, tempDir, unionml, type RunOptions, type RunResult } from './run.js';

// tsx by its path: the command may run in a folder outside the workspace.
const NODE_ARGS = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, '--conditions=@unionml/source'];

function environment(script: FakeScript, env: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; callsFile: string } {
  const callsFile = join(tempDir('unionml-fake-calls-'), 'calls.json');
  return { callsFile, env: { UNIONML_FAKE_REMOTE: JSON.stringify(script), UNIONML_FAKE_CALLS: callsFile, ...env } };
}

function readCalls(file: string): FakeCall[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FakeCall[]) : [];
}

/** Runs the CLI with the fake; resolves to its output and the fake's calls. */
export async function fakeUnionml(args: string[], script: FakeScript = {}, options: RunOptions = {}): Promise<RunResult & { calls: FakeCall[] }> {
  const { env, callsFile } = environment(script, options.env);
  const result = await unionml(args, { ...options, env, nodeArgs: NODE_ARGS, bin: REMOTE_CLI });
  return { ...result, calls: readCalls(callsFile) };
}

/** Starts the CLI with the fake without waiting; `calls()` reads the fake's calls once it has exited. */
export function startFake(args: string[], script: FakeScript = {}, options: RunOptions = {}): { child: ChildProcess; calls: () => FakeCall[] } {
  const { env, callsFile } = environment(script, options.env);
  const child = start(args, { ...options, env, nodeArgs: NODE_ARGS, bin: REMOTE_CLI });
  return { child, calls: () => readCalls(callsFile) };
}
