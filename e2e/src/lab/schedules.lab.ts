// The Flyte lab's acceptance for schedules: a fixed-rate launch plan (one minute, flytekit's FixedRate), once
// activated with `flytectl update launchplan --activate`, starts executions (mode SCHEDULED) that run to the end;
// deactivated, it starts no more.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runAsync } from '../support.js';
import { domain, expectLabUp, flytectlJson, flytectlOk, flytekitRemote, waitForExecution, type ExecutionJson } from './support.js';

const stamp = Date.now().toString(36);
const project = `schedules${stamp}`;
const version = `lab${stamp}`;
const launchPlan = 'frame_summary_every_minute';

async function executions(): Promise<ExecutionJson[]> {
  const list = await flytectlJson<ExecutionJson[] | ExecutionJson>(['get', 'execution', '-p', project, '-d', domain]).catch(() => []);
  return (Array.isArray(list) ? list : [list]).filter((e) => e.spec?.launchPlan?.name === launchPlan);
}

beforeAll(async () => {
  await expectLabUp();
  const built = await runAsync('bash', [join(repoRoot, 'tools', 'flyte-lab', 'images', 'build-flytekit-image.sh')], { cwd: repoRoot, timeoutMs: 900_000 });
  expect(built.status, built.stderr.slice(-3000)).toBe(0);
  const image = built.stdout.trim().split('\n').pop()!;
  await flytectlOk(['create', 'project', '--id', project, '--name', project]);
  const registered = await flytekitRemote([
    'register',
    '--project',
    project,
    '--domain',
    domain,
    '--image',
    image,
    '--version',
    version,
    join(repoRoot, 'e2e', 'fixtures', 'lab', 'flytekit_app', 'wf.py'),
  ]);
  expect(registered.status, registered.stderr.slice(-3000)).toBe(0);
}, 900_000);

describe('schedules on the lab', () => {
  it('an activated fixed-rate launch plan starts executions; deactivated, it stops', async () => {
    expect(await executions()).toHaveLength(0);
    await flytectlOk(['update', 'launchplan', '-p', project, '-d', domain, launchPlan, '--version', version, '--activate', '--force']);
    const activatedAt = Date.now();

    // The first tick is one rate after activation (FlyteAdmin's scheduler): wait up to two and a half minutes.
    let started: ExecutionJson[] = [];
    while (Date.now() - activatedAt < 150_000 && started.length === 0) {
      await new Promise((r) => setTimeout(r, 5000));
      started = await executions();
    }
    expect(started.length, 'no scheduled execution within 150 s of activation').toBeGreaterThan(0);
    const first = started[0]!;
    expect(first.spec?.metadata?.mode).toBe('SCHEDULED');
    const done = await waitForExecution(project, first.id.name, 600_000);
    expect(done.closure.phase, JSON.stringify(done.closure.error)).toBe('SUCCEEDED');

    await flytectlOk(['update', 'launchplan', '-p', project, '-d', domain, launchPlan, '--version', version, '--deactivate', '--force']);
    const count = (await executions()).length;
    // Longer than one rate: a live schedule would have fired again.
    await new Promise((r) => setTimeout(r, 75_000));
    expect((await executions()).length).toBe(count);
  });
});
