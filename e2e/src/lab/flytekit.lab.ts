// The Flyte lab's acceptance with flytekit 1.16 (PyPI): a plain Python workflow (two tasks, a pandas DataFrame
// between them) registered with `pyflyte register` (fast registration: the code goes up through DataProxy's signed
// URL), executed with FlyteRemote.execute, waited for and its outputs fetched. Real propeller runs both tasks in the
// flytekit image (tools/flyte-lab/images/build-flytekit-image.sh: Debian from debootstrap, flytekit from PyPI).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runAsync } from '../support.js';
import { domain, expectLabUp, flytectlOk, flytekitRemote } from './support.js';

const stamp = Date.now().toString(36);
const project = `flytekit${stamp}`;
const version = `lab${stamp}`;
const workflowFile = join(repoRoot, 'e2e', 'fixtures', 'lab', 'flytekit_app', 'wf.py');
let image = '';

interface Report {
  phase: string;
  error: { message: string } | null;
  outputs: { rows: number; mean_square: number; frame: { columns: string[]; records: Record<string, unknown>[] } } | null;
  nodes: { id: string; phase: string }[];
}

beforeAll(async () => {
  await expectLabUp();
  const built = await runAsync('bash', [join(repoRoot, 'tools', 'flyte-lab', 'images', 'build-flytekit-image.sh')], { cwd: repoRoot, timeoutMs: 900_000 });
  expect(built.status, built.stderr.slice(-3000)).toBe(0);
  image = built.stdout.trim().split('\n').pop()!;
  await flytectlOk(['create', 'project', '--id', project, '--name', project]);
}, 900_000);

describe('flytekit against the lab', () => {
  it('pyflyte register (fast registration through DataProxy) registers the tasks, the workflow and its launch plans', async () => {
    const result = await flytekitRemote<{ entities: { type: string; name: string }[]; distribution: string }>([
      'register',
      '--project',
      project,
      '--domain',
      domain,
      '--image',
      image,
      '--version',
      version,
      workflowFile,
    ]);
    expect(result.status, result.stderr.slice(-3000)).toBe(0);
    const names = result.json.entities.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['wf.make_frame', 'wf.summarize', 'wf.frame_summary', 'frame_summary_every_minute']));
    expect(result.json.distribution).toMatch(/^s3:\/\/my-s3-bucket\//);
  });

  it('FlyteRemote.execute runs the workflow; its outputs (a DataFrame, an int, a float) come back', async () => {
    const result = await flytekitRemote<Report>([
      'execute',
      '--project',
      project,
      '--domain',
      domain,
      '--launch-plan',
      'wf.frame_summary',
      '--version',
      version,
      '--inputs',
      '{"n": 4}',
      '--wait-timeout',
      '600',
    ]);
    expect(result.status, result.stderr.slice(-3000)).toBe(0);
    expect(result.json.phase, JSON.stringify(result.json.error)).toBe('SUCCEEDED');
    expect(result.json.outputs).toMatchObject({ rows: 4, mean_square: 3.5 });
    expect(result.json.outputs!.frame.records).toEqual([
      { i: 0, square: 0, label: 'row-0' },
      { i: 1, square: 1, label: 'row-1' },
      { i: 2, square: 4, label: 'row-2' },
      { i: 3, square: 9, label: 'row-3' },
    ]);
    expect(result.json.nodes.filter((n) => n.id.startsWith('n')).map((n) => n.phase)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it("a task that raises fails the execution with the task's message", async () => {
    const result = await flytekitRemote<Report>([
      'execute',
      '--project',
      project,
      '--domain',
      domain,
      '--launch-plan',
      'wf.frame_summary',
      '--version',
      version,
      '--inputs',
      '{"n": 0}',
      '--wait-timeout',
      '600',
    ]);
    expect(result.status, result.stderr.slice(-3000)).toBe(0);
    expect(result.json.phase).toBe('FAILED');
    expect(result.json.error?.message).toContain('n must be at least 1, got 0');
  });
});
