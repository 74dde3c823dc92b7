import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchPlan, taskArgs, taskSpec, workflowSpec, type EntityId } from './builders.js';
import { bundleFileNames, readBundle, tarArchive, writeBundle, type Bundle } from './bundle.js';
import { BundleError } from './errors.js';
import { flyteidl } from './idl.js';
import { t } from './types.js';

const id = (name: string): EntityId => ({ project: 'flytesnacks', domain: 'development', name, version: 'v1' });
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-bundle-'));
});

function sample(): Bundle {
  const task = (name: string) =>
    taskSpec({
      id: id(name),
      interface: { inputs: { x: t.float() }, outputs: { o0: t.float() } },
      image: 'img:1',
      args: taskArgs(['run'], ['task-name', name]),
    });
  const tasks = [task('app.train'), task('app.evaluate')];
  const wf = workflowSpec({
    id: id('app.wf'),
    interface: { inputs: { x: t.float() }, outputs: { o0: t.float() } },
    nodes: [
      { id: 'n0', task: tasks[0]!.template!, inputs: { x: { input: 'x' } } },
      { id: 'n1', task: tasks[1]!.template!, inputs: { x: { node: 'n0', output: 'o0' } } },
    ],
    outputs: { o0: { node: 'n1', output: 'o0' } },
  });
  return {
    tasks,
    workflows: [wf],
    launchPlans: [
      launchPlan({ id: id('app.wf'), workflow: wf }),
      launchPlan({ id: id('app.wf_daily'), workflow: wf, defaultInputs: { x: { scalar: { primitive: { floatValue: 1 } } } }, schedule: { cron: '@daily' } }),
    ],
  };
}

const bytesOf = (bundle: Bundle) => [
  ...bundle.tasks.map((m) => Buffer.from(flyteidl.admin.TaskSpec.encode(m).finish()).toString('hex')),
  ...bundle.workflows.map((m) => Buffer.from(flyteidl.admin.WorkflowSpec.encode(m).finish()).toString('hex')),
  ...bundle.launchPlans.map((m) => Buffer.from(flyteidl.admin.LaunchPlan.encode(m).finish()).toString('hex')),
];

describe('writeBundle', () => {
  it('writes a flat .tgz with pyflyte names in registration order, that tar lists and readBundle reads back', async () => {
    const file = join(root, 'out', 'flyte-package.tgz');
    const bundle = sample();
    const { files } = await writeBundle(file, bundle);
    expect(files).toEqual(['0_app.train_1.pb', '1_app.evaluate_1.pb', '2_app.wf_2.pb', '3_app.wf_3.pb', '4_app.wf_daily_3.pb']);
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(files);
    expect([...listed].sort()).toEqual(files);
    const read = await readBundle(file);
    expect(read.files).toEqual(files);
    expect(bytesOf(read)).toEqual(bytesOf(bundle));
    expect(read.workflows[0]!.template!.nodes!.map((n) => n.id)).toEqual(['n0', 'n1']);
    expect(read.launchPlans[1]!.spec!.entityMetadata!.schedule!.cronSchedule!.schedule).toBe('@daily');
    // no temporary files left next to it
    expect(await readdir(join(root, 'out'))).toEqual(['flyte-package.tgz']);
  });

  it('gives identical bytes for the same bundle (fixed mtime, owner and gzip header)', async () => {
    await writeBundle(join(root, 'a.tgz'), sample());
    await writeBundle(join(root, 'b.tgz'), sample());
    expect((await readFile(join(root, 'a.tgz'))).equals(await readFile(join(root, 'b.tgz')))).toBe(true);
    const verbose = execFileSync('tar', ['-tvzf', join(root, 'a.tgz')], { encoding: 'utf8' });
    expect(verbose).toMatch(/^-rw-r--r-- root\/root .* 1970-01-01 00:00 0_app.train_1.pb$/m);
  });

  it('zero-pads the index as pyflyte does (ceil(log10(count)) digits), so names sort in registration order', () => {
    const many = sample();
    many.tasks = Array.from({ length: 9 }, (_, i) => taskSpec({ id: id(`t${i}`), interface: { inputs: {}, outputs: {} }, image: 'i', args: ['a'] }));
    const names = bundleFileNames(many);
    expect(names).toHaveLength(12);
    expect(names[0]).toBe('00_t0_1.pb');
    expect(names[11]).toBe('11_app.wf_daily_3.pb');
    expect([...names].sort()).toEqual(names);
    expect(bundleFileNames({ tasks: [many.tasks[0]!], workflows: [], launchPlans: [] })).toEqual(['0_t0_1.pb']);
    const ten = Array.from({ length: 10 }, (_, i) => taskSpec({ id: id(`t${i}`), interface: { inputs: {}, outputs: {} }, image: 'i', args: ['a'] }));
    expect(bundleFileNames({ tasks: ten, workflows: [], launchPlans: [] })[9]).toBe('9_t9_1.pb');
  });

  it('keeps long names whole (PAX header), as tar reads them', async () => {
    const name = `app.${'very_long_module_name.'.repeat(6)}train`;
    const bundle: Bundle = {
      tasks: [taskSpec({ id: id(name), interface: { inputs: {}, outputs: {} }, image: 'i', args: ['a'] })],
      workflows: [],
      launchPlans: [],
    };
    const file = join(root, 'long.tgz');
    const { files } = await writeBundle(file, bundle);
    expect(files[0]!.length).toBeGreaterThan(100);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim()).toBe(files[0]);
    expect((await readBundle(file)).tasks[0]!.template!.id!.name).toBe(name);
  });
});

describe('readBundle', () => {
  it('reads a folder of .pb files and a plain .tar, in lexicographic order', async () => {
    const file = join(root, 'x.tgz');
    const { files } = await writeBundle(file, sample());
    const folder = join(root, 'extracted');
    await mkdir(folder);
    execFileSync('tar', ['-xzf', file, '-C', folder]);
    const fromFolder = await readBundle(folder);
    expect(fromFolder.files).toEqual(files);
    expect(bytesOf(fromFolder)).toEqual(bytesOf(sample()));
    const tar = join(root, 'x.tar');
    execFileSync('tar', ['-cf', tar, '-C', folder, ...files.slice().reverse()]);
    expect((await readBundle(tar)).files).toEqual(files);
  });

  it('skips a fast-registration source archive and rejects other files', async () => {
    const pb = flyteidl.admin.TaskSpec.encode(sample().tasks[0]!).finish();
    const ok = join(root, 'fast.tgz');
    await writeFile(
      ok,
      gzipSync(
        tarArchive([
          { name: '0_t_1.pb', data: pb },
          { name: 'fast0123abcd.tar.gz', data: new Uint8Array(3) },
        ]),
      ),
    );
    expect((await readBundle(ok)).files).toEqual(['0_t_1.pb']);
    const bad = join(root, 'bad.tgz');
    await writeFile(bad, gzipSync(tarArchive([{ name: 'README.md', data: new Uint8Array(3) }])));
    await expect(readBundle(bad)).rejects.toThrow(BundleError);
    await expect(readBundle(bad)).rejects.toThrow(/holds README.md, which is not a registration file/);
    await expect(readBundle(join(root, 'missing.tgz'))).rejects.toThrow(/does not exist/);
  });
});
