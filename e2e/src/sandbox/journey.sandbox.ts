// The user's guide "Flyte Cluster" journey, end to end, against whatever cluster the Flyte config names: a demo
// cluster started with `flytectl demo start` on a user's machine (FLYTECTL_CONFIG=~/.flyte/config-sandbox.yaml), or
// the Flyte lab in CI (tools/flyte-lab: its config is used when FLYTECTL_CONFIG is not set and the lab is up).
// `unionml init` an app (wired to this workspace's packages through `npm pack` tarballs) → deploy → train (no wait,
// then wait) → remote predict equals local predict on the same model file → list-model-versions and fetch-model →
// a code change and training and prediction schedules deployed with --patch: the schedules are active and their runs
// run the new code on the last image → deactivate-schedules → train again uses the newest (patch) app version →
// a failing training run shows the task's message → serve --remote answers /predict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Metrics } from '@unionml/core';
import { flyteidl } from '@unionml/flyte';
import { AdminClient, readFlyteConfig } from '@unionml/flyte/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPublished, post, repoRoot, runAsync, runOk, startServer, type Served } from '../support.js';

const labConfig = join(repoRoot, 'tools', 'flyte-lab', '.state', 'config.yaml');
const config = process.env['FLYTECTL_CONFIG'] ?? (existsSync(labConfig) ? labConfig : join(process.env['HOME'] ?? '', '.flyte', 'config.yaml'));
const work = mkdtempSync(join(tmpdir(), 'unionml-sandbox-'));
const packs = join(work, 'packs');
const app = join(work, 'digits_app');
const stamp = Date.now().toString(36);
const project = `sandbox${stamp}`;
const remoteFlags = ['--config', config, '-p', project, '-d', 'development'];
const env = { FLYTECTL_CONFIG: config };
const unionml = (args: string[], timeoutMs = 900_000) => runAsync('npx', ['--no-install', 'unionml', ...args], { cwd: app, env, timeoutMs });
const json = <T>(result: { status: number | null; stdout: string; stderr: string }): T => {
  expect(result.status, result.stderr.slice(-3000)).toBe(0);
  return JSON.parse(result.stdout) as T;
};

/**
 * The image build's options: where the local base image of tools/scripts/docker-up.sh exists (this workspace's CI:
 * no image can be pulled, and the daemon has no bridge network), that image on the host network; elsewhere (a user's
 * machine with a demo cluster) the Dockerfile's defaults. SANDBOX_BUILD_ARGS (space-separated) overrides both.
 */
const build =
  process.env['SANDBOX_BUILD_ARGS']?.split(' ').filter(Boolean) ??
  (spawnSync('docker', ['image', 'inspect', 'unionml-node-base:latest'], { stdio: 'ignore' }).status === 0
    ? ['--build-arg', 'BASE_IMAGE=unionml-node-base:latest', '--network', 'host']
    : []);

let served: Served | undefined;
let appVersion = '';
let image = '';
let patchVersion = '';

/** The state of a launch plan as FlyteAdmin has it, read with our own gRPC client. */
async function launchPlanState(name: string, version: string): Promise<'ACTIVE' | 'INACTIVE'> {
  const admin = await AdminClient.connect(readFlyteConfig({ path: config }));
  try {
    const lp = await admin.service.getLaunchPlan({
      id: { resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN, project, domain: 'development', name, version },
    });
    return lp.closure?.state === flyteidl.admin.LaunchPlanState.ACTIVE ? 'ACTIVE' : 'INACTIVE';
  } finally {
    admin.close();
  }
}

type Run = { name: string; phase: string };

/** Polls a schedule's runs (newest first) until one has SUCCEEDED; a FAILED run fails the test with its name. */
async function scheduledSuccess(kind: 'training' | 'prediction', schedule: string, version: string, timeoutMs = 480_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  let runs: Run[] = [];
  while (Date.now() < deadline) {
    runs = json<{ runs: Run[] }>(await unionml([`list-scheduled-${kind}-runs`, 'app:model', schedule, ...remoteFlags, '-v', version, '--json'])).runs;
    const failed = runs.find((r) => r.phase === 'FAILED');
    expect(failed, `scheduled ${kind} run ${failed?.name} failed`).toBeUndefined();
    const done = runs.find((r) => r.phase === 'SUCCEEDED');
    if (done) return done;
    await sleep(10_000);
  }
  throw new Error(`no ${kind} run of schedule ${schedule} succeeded within ${timeoutMs / 1000} s; runs: ${JSON.stringify(runs)}`);
}

beforeAll(() => {
  expect(existsSync(config), `no Flyte config at ${config}: start a cluster (flytectl demo start, or npx nx run flyte-lab:up)`).toBe(true);
  mkdirSync(packs);
  packPublished(packs);
  runOk('node', [join(repoRoot, 'apps/cli/bin/unionml.js'), 'init', 'digits_app', '--packages-from', packs], { cwd: work });
  runOk('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, timeoutMs: 900_000 });
  // The app version is the git commit, and a deploy refuses uncommitted changes: commit the lock file, as a user would.
  runOk('git', ['add', '-A'], { cwd: app });
  runOk('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'lock file'], { cwd: app });
}, 1_200_000);

afterAll(async () => {
  await served?.stop();
});

describe('the Flyte cluster journey of the user guide', () => {
  it('deploys the app: image built and pushed, tasks, workflows and launch plans registered; a second deploy changes nothing', async () => {
    const first = json<{ appVersion: string; image: string }>(await unionml(['deploy', 'app:model', ...remoteFlags, ...build, '--json']));
    appVersion = first.appVersion;
    image = first.image;
    expect(appVersion).toMatch(/^[0-9a-f]{40}$/); // the app's git commit (unionml init commits)
    const again = json<{ appVersion: string }>(await unionml(['deploy', 'app:model', ...remoteFlags, ...build, '--json']));
    expect(again.appVersion).toBe(appVersion);
  });

  it('trains on the cluster without waiting, then waits: the model version and metrics as good as a local run', async () => {
    const started = json<{ execution: string; url?: string }>(
      await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 200}}', '--json']),
    );
    expect(started.execution).toBeTruthy();
    const waited = await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 200}}', '--wait', '--json']);
    const trained = json<{ modelVersion: string; metrics: Metrics }>(waited);
    // The live view names the nodes by their tasks (from the workflow's closure), not by ids alone.
    expect(waited.stderr).toContain('[unionml]   train_task (n1): SUCCEEDED in ');
    const local = json<{ metrics: Metrics }>(
      await unionml(['train', 'app:model', '--local', '-i', '{"hyperparameters": {"epochs": 200}}', '-o', join(work, 'local.json'), '--json']),
    );
    expect(trained.metrics.test!['accuracy']).toBeGreaterThanOrEqual(local.metrics.test!['accuracy']! - 1e-9);
    const versions = json<{ modelVersions: string[] }>(await unionml(['list-model-versions', 'app:model', ...remoteFlags, '-v', appVersion, '--json']));
    expect(versions.modelVersions[0]).toBe(trained.modelVersion);
    expect(versions.modelVersions).toContain(started.execution);
  });

  // Only where this test can restart the control plane itself: the lab (a demo cluster's FlyteAdmin runs in its
  // Kubernetes; `kubectl rollout restart` would do the same there).
  it.runIf(config === labConfig)('train --wait rides out the control plane restarting: the wait resumes and the model comes back', async () => {
    const waiting = unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 50}}', '--wait', '--json']);
    await sleep(8_000); // the execution is created; the CLI is polling it
    const pidFile = join(repoRoot, 'tools', 'flyte-lab', '.state', 'run', 'flyte-lab-admin.pid');
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    await sleep(5_000); // the CLI's polls are refused meanwhile
    runOk('bash', [join(repoRoot, 'tools', 'flyte-lab', 'up.sh')], { cwd: repoRoot, timeoutMs: 300_000 });
    const trained = json<{ modelVersion: string; metrics: Metrics }>(await waiting);
    expect(trained.metrics.test!['accuracy']).toBeGreaterThan(0.5);
  });

  it('predicts on the cluster what the same model file predicts locally', async () => {
    const modelFile = join(work, 'remote-model.json');
    json(await unionml(['fetch-model', 'app:model', ...remoteFlags, '-m', 'latest', '-o', modelFile, '--json']));
    const features = join(app, 'data', 'sample_features.json');
    const remote = json<{ predictions: number[] }>(await unionml(['predict', 'app:model', ...remoteFlags, '-f', features, '--wait', '--json']));
    const local = json<{ predictions: number[] }>(await unionml(['predict', 'app:model', '--local', '--model-path', modelFile, '-f', features, '--json']));
    expect(remote.predictions).toEqual(local.predictions);
  });

  it('deploys a code change and schedules with --patch: no image build, the schedules active, their runs run the new code', async () => {
    const fetched = json<{ modelUri: string }>(await unionml(['fetch-model', 'app:model', ...remoteFlags, '-o', join(work, 'scheduled-model.json'), '--json']));
    // A code-only change a user would patch: the predictor now answers digit + 10 (visible in any prediction made by
    // the new code), and a training and a prediction schedule, every minute.
    const appFile = join(app, 'app.ts');
    const before = readFileSync(appFile, 'utf8');
    const predictor = 'model.predictor((estimator, features) => estimator.predict(features.toTypedMatrix()));';
    expect(before).toContain(predictor);
    writeFileSync(
      appFile,
      before.replace(predictor, 'model.predictor((estimator, features) => estimator.predict(features.toTypedMatrix()).map((digit) => digit + 10));') +
        "\nmodel.scheduleTraining('train_every_minute', { fixedRate: { value: 1, unit: 'minute' }, hyperparameters: { epochs: 50 } });\n" +
        `model.schedulePrediction('predict_every_minute', { fixedRate: { value: 1, unit: 'minute' }, modelUri: ${JSON.stringify(fetched.modelUri)} });\n`,
    );
    const patched = json<{ appVersion: string; image: string; activated: string[]; patch: { of: string; files: number } }>(
      await unionml(['deploy', 'app:model', ...remoteFlags, '--patch', '--json']),
    );
    expect(patched.appVersion).toMatch(new RegExp(`^${appVersion}-patch[0-9a-f]{7}$`));
    expect(patched.image).toBe(image);
    expect(patched.patch.of).toBe(appVersion);
    expect([...patched.activated].sort()).toEqual(['predict_every_minute', 'train_every_minute']);
    patchVersion = patched.appVersion;
    expect(await launchPlanState('train_every_minute', patchVersion)).toBe('ACTIVE');
    expect(await launchPlanState('predict_every_minute', patchVersion)).toBe('ACTIVE');

    const [training, prediction] = await Promise.all([
      scheduledSuccess('training', 'train_every_minute', patchVersion),
      scheduledSuccess('prediction', 'predict_every_minute', patchVersion),
    ]);
    const versions = json<{ modelVersions: string[] }>(await unionml(['list-model-versions', 'app:model', ...remoteFlags, '-v', patchVersion, '--json']));
    expect(versions.modelVersions).toContain(training.name);
    const predictions = json<{ predictions: number[] }>(await unionml(['fetch-predictions', 'app:model', ...remoteFlags, '-m', prediction.name, '--json']));
    expect(predictions.predictions.length).toBeGreaterThan(100);
    expect(predictions.predictions.every((p) => p >= 10 && p <= 19)).toBe(true); // the patched predictor ran on the cluster
  });

  it('deactivate-schedules makes them inactive; train then uses the newest app version, the patch', async () => {
    const off = json<{ deactivated: string[] }>(await unionml(['deactivate-schedules', 'app:model', ...remoteFlags, '-v', patchVersion, '--json']));
    expect([...off.deactivated].sort()).toEqual(['predict_every_minute', 'train_every_minute']);
    expect(await launchPlanState('train_every_minute', patchVersion)).toBe('INACTIVE');
    expect(await launchPlanState('predict_every_minute', patchVersion)).toBe('INACTIVE');
    const trained = json<{ appVersion: string; modelVersion: string }>(
      await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 50}}', '--wait', '--json']),
    );
    expect(trained.appVersion).toBe(patchVersion);
  });

  it("a failing training run shows the task's own message", async () => {
    // Valid hyperparameters that make training diverge: the task itself fails (the app refuses NaN weights).
    const failed = await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"learningRate": 1e300}}', '--wait']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/REMOTE_EXECUTION_FAILED|failed/);
    expect(failed.stderr).toMatch(/training diverged: the weights are NaN or infinite/);
    expect(failed.stderr).not.toMatch(/^\s+at /m);
  });

  it('serve --remote serves the newest model of the cluster', async () => {
    // The CLI itself (not under npx, whose SIGTERM would leave the server running after the test).
    served = await startServer(join(app, 'node_modules', '.bin', 'unionml'), ['serve', 'app:model', '--remote', ...remoteFlags, '--port', '0'], {
      cwd: app,
      env,
      timeoutMs: 120_000,
    });
    const sample = JSON.parse(readFileSync(join(app, 'data', 'sample_features.json'), 'utf8')) as unknown[];
    const response = await post(`${served.url}/predict`, { features: sample.slice(0, 3) });
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(3);
  });
});
