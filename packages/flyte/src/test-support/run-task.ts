import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { taskArgs } from '../builders.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');
const entrypoint = join(here, 'entrypoint.ts');

/** How a task process ended. */
export interface TaskProcess {
  code: number | null;
  stderr: string;
  /** How long it ran, in ms. */
  ms: number;
}

/** How long a task process may run before it is killed (and the test fails with what it wrote). */
const KILL_AFTER_MS = 25_000;

/**
 * Runs the test entrypoint (src/test-support/entrypoint.ts, with tsx) as propeller would: `<entrypoint> --inputs ...
 * -- task-name <name>`, with only PATH, HOME and `env` in its environment.
 */
export function runTask(task: string, prefixes: { inputs: string; outputPrefix: string; raw: string }, env: NodeJS.ProcessEnv = {}): Promise<TaskProcess> {
  const args = taskArgs([], ['task-name', task]).map((arg) =>
    arg
      .replace('{{.input}}', prefixes.inputs)
      .replace('{{.outputPrefix}}', prefixes.outputPrefix)
      .replace('{{.rawOutputDataPrefix}}', prefixes.raw)
      .replace('{{.checkpointOutputPrefix}}', `${prefixes.raw}/_flytecheckpoints`)
      .replace('{{.prevCheckpointPrefix}}', '""'),
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@unionml/source', entrypoint, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = Date.now();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`task ${task} still ran after ${KILL_AFTER_MS} ms (killed); stderr:\n${stderr}`));
    }, KILL_AFTER_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stderr, ms: Date.now() - started });
    });
  });
}
