// The task entrypoints' argument handling: the resolver address, and fast execution (a patch deploy's tasks), which
// must run `unionml execute` after extracting the code archive; and the exit status when not even error.pb can be
// written. Running a task is tested through the CLI and on the Flyte lab (e2e).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeArchive, fileUri, flyteidl } from '@unionml/flyte';
import { describe, expect, it } from 'vitest';
import { executeTaskFromArgs, fastExecuteTaskFromArgs, parseTaskAddress } from './execute.js';

describe('parseTaskAddress', () => {
  it("reads Python UnionML's resolver arguments and refuses anything else", () => {
    expect(parseTaskAddress(['app-module', 'app', 'unionml-obj-name', 'model', 'task-name', 'train_task'])).toEqual({
      module: 'app',
      exportName: 'model',
      taskName: 'train_task',
    });
    expect(() => parseTaskAddress(['task-module', 'app.js', 'task-name', 'train'])).toThrow(expect.objectContaining({ code: 'FLYTE_TASK_UNKNOWN' }) as Error);
  });
});

describe('fastExecuteTaskFromArgs', () => {
  it("refuses a command after -- that is not 'unionml execute', before fetching anything", async () => {
    await expect(fastExecuteTaskFromArgs(['--additional-distribution', 's3://b/fast.tar.gz', '--', 'python', 'x.py'])).rejects.toMatchObject({
      code: 'FLYTE_ARGS_INVALID',
      message: "fast execution runs 'unionml execute ...' after --, got 'python x.py'",
    });
  });

  it('extracts the archive into --dest-dir (relative to the working folder) and reports an unknown task in error.pb', async () => {
    const root = await mkdtemp(join(tmpdir(), 'compiler-fast-'));
    const archive = join(root, 'code.tar.gz');
    await writeFile(archive, codeArchive([{ name: 'app.ts', data: new TextEncoder().encode('export const model = 1;\n') }]).bytes);
    await writeFile(join(root, 'inputs.pb'), flyteidl.core.LiteralMap.encode({ literals: {} }).finish());
    const status = await fastExecuteTaskFromArgs(
      [
        '--additional-distribution',
        fileUri(archive),
        '--dest-dir',
        'code',
        '--',
        '/app/node_modules/.bin/unionml',
        'execute',
        '--inputs',
        fileUri(join(root, 'inputs.pb')),
        '--output-prefix',
        fileUri(join(root, 'out')),
        '--raw-output-data-prefix',
        fileUri(join(root, 'raw')),
        '--',
        'app-module',
        'app',
        'unionml-obj-name',
        'model',
        'task-name',
        'train_task',
      ],
      { cwd: root },
    );
    expect(status).toBe(0); // as flytekit: the failure is in error.pb
    expect(await readFile(join(root, 'code', 'app.ts'), 'utf8')).toBe('export const model = 1;\n');
    const error = flyteidl.core.ErrorDocument.decode(await readFile(join(root, 'out', 'error.pb'))).error!;
    expect(error.code).toBe('SYSTEM:TaskNotFound');
    expect(error.message).toContain('cannot resolve task [app-module app unionml-obj-name model task-name train_task]');
  });
});

describe('executeTaskFromArgs', () => {
  it('resolves to 2, without hanging, when the output prefix cannot be created (under /proc) and error.pb cannot be written', async () => {
    const root = await mkdtemp(join(tmpdir(), 'compiler-execute-'));
    await writeFile(join(root, 'inputs.pb'), flyteidl.core.LiteralMap.encode({ literals: {} }).finish());
    const started = Date.now();
    const status = await executeTaskFromArgs(
      [
        '--inputs',
        fileUri(join(root, 'inputs.pb')),
        '--output-prefix',
        `/proc/unionml-compiler-${process.pid}/0`,
        '--raw-output-data-prefix',
        fileUri(join(root, 'raw')),
        '--',
        'app-module',
        'app',
        'unionml-obj-name',
        'model',
        'task-name',
        'train_task',
      ],
      { cwd: root, env: {} },
    );
    expect(status).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
