// The user's guide "Flyte Cluster" journey, end to end, against whatever cluster the Flyte config names: a demo
// cluster started with `flytectl demo start` on a user's machine (FLYTECTL_CONFIG=~/.flyte/config-sandbox.yaml), or
// the Flyte lab in CI (tools/flyte-lab: its config is used when FLYTECTL_CONFIG is not set and the lab is up).
// `unionml init` an app (wired to this workspace's packages through `npm pack` tarballs) → deploy → train (no wait,
// then wait) → remote predict equals local predict on the same model file → list-model-versions and fetch-model →
// a failing training run shows the task's message → serve --remote answers /predict.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, repoRoot, runAsync, runOk, startServer, type Served } from '../support.js';

const labConfig = join(repoRoot, 'tools', 'flyte-lab', '.state', 'config.yaml');
const config = process.env['FLYTECTL_CONFIG'] ?? (existsSync(labConfig) ? labConfig : join(process.env['HOME'] ?? '', '.flyte', 'config.yaml'));
const work = mkdtempSync(join(tmpdir(), 'unionml-sandbox-'));
const packs = join(work, 'packs');
const PUBLISHED = ['errors', 'data', 'flyte', 'docker', 'core', 'compiler', 'server', 'remote', 'cli'];
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

let served: Served | undefined;
let appVersion = '';

beforeAll(() => {
  expect(existsSync(config), `no Flyte config at ${config}: start a cluster (flytectl demo start, or npx nx run flyte-lab:up)`).toBe(true);
  mkdirSync(packs);
  runOk('npm', ['pack', '--silent', '--pack-destination', packs, ...PUBLISHED.flatMap((p) => ['-w', `@unionml/${p}`])], { cwd: repoRoot });
  expect(readdirSync(packs).filter((f) => f.endsWith('.tgz'))).toHaveLength(PUBLISHED.length);
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
    // No bridge network on this machine's daemon, and no base image can be pulled: the local base image.
    const build = ['--build-arg', 'BASE_IMAGE=unionml-node-base:latest', '--network', 'host'];
    const first = json<{ appVersion: string; image: string }>(await unionml(['deploy', 'app:model', ...remoteFlags, ...build, '--json']));
    appVersion = first.appVersion;
    expect(appVersion).toMatch(/^[0-9a-f]{40}$/); // the app's git commit (unionml init commits)
    const again = json<{ appVersion: string }>(await unionml(['deploy', 'app:model', ...remoteFlags, ...build, '--json']));
    expect(again.appVersion).toBe(appVersion);
  });

  it('trains on the cluster without waiting, then waits: the model version and metrics as good as a local run', async () => {
    const started = json<{ execution: string; url?: string }>(
      await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 200}}', '--json']),
    );
    expect(started.execution).toBeTruthy();
    const trained = json<{ modelVersion: string; metrics: { train: number; test: number } }>(
      await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"epochs": 200}}', '--wait', '--json']),
    );
    const local = json<{ metrics: { train: number; test: number } }>(
      await unionml(['train', 'app:model', '--local', '-i', '{"hyperparameters": {"epochs": 200}}', '-o', join(work, 'local.json'), '--json']),
    );
    expect(trained.metrics.test).toBeGreaterThanOrEqual(local.metrics.test - 1e-9);
    const versions = json<{ modelVersions: string[] }>(await unionml(['list-model-versions', 'app:model', ...remoteFlags, '-v', appVersion, '--json']));
    expect(versions.modelVersions[0]).toBe(trained.modelVersion);
    expect(versions.modelVersions).toContain(started.execution);
  });

  it('predicts on the cluster what the same model file predicts locally', async () => {
    const modelFile = join(work, 'remote-model.json');
    json(await unionml(['fetch-model', 'app:model', ...remoteFlags, '-m', 'latest', '-o', modelFile, '--json']));
    const features = join(app, 'data', 'sample_features.json');
    const remote = json<{ predictions: number[] }>(await unionml(['predict', 'app:model', ...remoteFlags, '-f', features, '--wait', '--json']));
    const local = json<{ predictions: number[] }>(await unionml(['predict', 'app:model', '--local', '--model-path', modelFile, '-f', features, '--json']));
    expect(remote.predictions).toEqual(local.predictions);
  });

  it("a failing training run shows the task's own message", async () => {
    // Valid hyperparameters that make training diverge: the task itself fails (the model object contains NaN).
    const failed = await unionml(['train', 'app:model', ...remoteFlags, '-i', '{"hyperparameters": {"learningRate": 1e300}}', '--wait']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/REMOTE_EXECUTION_FAILED|failed/);
    expect(failed.stderr).toMatch(/NaN/);
    expect(failed.stderr).not.toMatch(/^\s+at /m);
  });

  it('serve --remote serves the newest model of the cluster', async () => {
    served = await startServer('npx', ['--no-install', 'unionml', 'serve', 'app:model', '--remote', ...remoteFlags, '--port', '0'], {
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
