// The listings, fetches and schedule commands through the RemoteModel stand-in (test-support/fake-remote.ts),
// including the three Python UnionML bugs they fix: fetch-predictions writes its file, deactivate-schedules
// deactivates, list-scheduled-prediction-runs lists prediction runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeUnionml } from '../test-support/fake-cli.js';
import { APPS, onlyJson, tempDir, unionml } from '../test-support/run.js';

/** The git commit of the fixture apps' folder: the listings' default app version, as Python UnionML's. */
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: APPS, encoding: 'utf8' }).trim();

let modelFile: string;
beforeAll(async () => {
  modelFile = join(tempDir(), 'model.json');
  const trained = await unionml(['train', 'tiny:model', '--local', '-o', modelFile]);
  expect(trained.code, trained.stderr).toBe(0);
});

describe('list-model-versions and list-prediction-ids', () => {
  it('list the versions of the git commit by default, newest first, as "- name" lines', async () => {
    const result = await fakeUnionml(['list-model-versions', 'tiny:model'], { modelVersions: ['b2', 'a1'] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]).toEqual({ method: 'listModelVersions', args: [{ appVersion: commit, limit: 10 }] });
    expect(result.stdout).toBe(
      `[unionml] model versions (model 'tiny_classifier', app version ${commit}, flytesnacks/development), newest first:\n- b2\n- a1\n`,
    );
  });

  it('take -v and --limit; --json prints one object', async () => {
    const result = await fakeUnionml(['list-prediction-ids', 'tiny:model', '-v', 'v3', '--limit', '1', '--json'], { predictionIds: ['p2', 'p1'] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]).toEqual({ method: 'listPredictionIds', args: [{ appVersion: 'v3', limit: 1 }] });
    expect(onlyJson(result)).toEqual({ model: 'tiny_classifier', appVersion: 'v3', project: 'flytesnacks', domain: 'development', predictionIds: ['p2'] });
  });

  it('say when there is none, and that the app version defaults to the git commit', async () => {
    const result = await fakeUnionml(['list-model-versions', 'tiny:model']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('[unionml] no model versions (');
    expect(result.stdout).toContain('the app version is the git commit unless -v names one');
  });

  it('outside a git repository, ask for -v', async () => {
    const dir = tempDir();
    const result = await fakeUnionml(['list-model-versions', join(APPS, 'tiny.ts:model')], {}, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not in a git repository with a commit; the listings default to the git commit of the app folder');
    expect(result.stderr).toContain('hint: pass the app version: --app-version V');
  });
});

describe('fetch-model', () => {
  it('saves the model file of the latest model version where -o says', async () => {
    const output = join(tempDir(), 'fetched.json');
    const result = await fakeUnionml(['fetch-model', 'tiny:model', '-o', output, '--json'], { modelFile, modelVersions: ['m7'] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'fetchModel', 'close']);
    expect(result.calls[1]!.args).toEqual(['latest', { output }]);
    expect(readFileSync(output, 'utf8')).toBe(readFileSync(modelFile, 'utf8'));
    expect(onlyJson(result)).toEqual({
      model: 'tiny_classifier',
      modelVersion: 'm7',
      modelPath: output,
      modelUri: 's3://my-s3-bucket/data/m7/model.json',
      hyperparameters: { shift: 0.5 },
      metrics: { train: { score: 1 }, test: { score: 0.95 } },
    });
    // The file is a model file that predict --local takes.
    const features = join(tempDir(), 'f.json');
    writeFileSync(features, '[{"x": 1, "x2": 2}]');
    const predicted = await unionml(['predict', 'tiny:model', '--local', '--model-path', output, '-f', features]);
    expect([predicted.code, predicted.stdout]).toEqual([0, '[0]\n']);
  });

  it('with -m NAME, waits for the training first (nothing shown when it is done), with -v for latest', async () => {
    const output = join(tempDir(), 'fetched.json');
    const result = await fakeUnionml(['fetch-model', 'tiny:model', '-m', 't1', '-v', 'v2', '-o', output], { modelFile });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'wait', 'fetchModel', 'close']);
    expect(result.calls[2]!.args).toEqual(['t1', { appVersion: 'v2', output }]);
    expect(result.stderr).not.toContain('waiting for');
    expect(result.stdout).toContain(`[unionml] saved model version t1 of model 'tiny_classifier' to ${output}`);
  });

  it('needs -o, and a folder that exists, before connecting', async () => {
    const missing = await fakeUnionml(['fetch-model', 'tiny:model']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: missing -o MODEL_FILE');
    const noFolder = await fakeUnionml(['fetch-model', 'tiny:model', '-o', join(tempDir(), 'no', 'm.json')]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toMatch(/error: cannot write the model file .*: the folder .* does not exist/);
    expect([...missing.calls, ...noFolder.calls]).toEqual([]);
  });
});

describe('fetch-predictions', () => {
  it('-o writes the predictions as JSON (Python UnionML opened the file read-only)', async () => {
    const output = join(tempDir(), 'predictions.json');
    const result = await fakeUnionml(['fetch-predictions', 'tiny:model', '-m', 'p9', '-o', output], { predictions: [1, 0, 1] });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual([1, 0, 1]);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'wait', 'fetchPredictions', 'close']);
    expect(result.stdout).toBe(`[unionml] saved the predictions of p9 (model 'tiny_classifier') to ${output}\n`);
  });

  it('latest is the newest successful prediction of the app version; without -o the predictions go to stdout', async () => {
    const result = await fakeUnionml(['fetch-predictions', 'tiny:model'], { predictionIds: ['p2', 'p1'], predictions: [0] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]).toEqual({ method: 'listPredictionIds', args: [{ appVersion: commit, limit: 1 }] });
    expect(result.calls[2]).toEqual({ method: 'fetchPredictions', args: ['p2'] });
    expect(result.stdout).toBe('[0]\n');
    const json = await fakeUnionml(['fetch-predictions', 'tiny:model', '-v', 'v1', '--json'], { predictionIds: ['p2'], predictions: [0] });
    expect(onlyJson(json)).toEqual({ model: 'tiny_classifier', predictionId: 'p2', predictions: [0] });
  });

  it('no prediction yet is CLI_NO_PREDICTION (exit 1); an -o folder that does not exist fails before connecting', async () => {
    const none = await fakeUnionml(['fetch-predictions', 'tiny:model', '-v', 'v1', '--json']);
    expect(none.code).toBe(1);
    expect(onlyJson(none)).toMatchObject({
      error: { code: 'CLI_NO_PREDICTION', message: expect.stringContaining('has no successful prediction with app version v1') as string },
    });
    const output = join(tempDir(), 'no', 'p.json');
    const noFolder = await fakeUnionml(['fetch-predictions', 'tiny:model', '-o', output, '--json']);
    expect(noFolder.code).toBe(1);
    expect(onlyJson(noFolder)).toMatchObject({ error: { code: 'CLI_OUTPUT_WRITE_FAILED' } });
    expect(noFolder.calls).toEqual([]);
    expect(existsSync(output)).toBe(false);
  });
});

describe('schedules', () => {
  it('activate-schedules activates every schedule of the git commit, or those named', async () => {
    const all = await fakeUnionml(['activate-schedules', 'tiny:model'], { schedules: ['nightly', 'weekly'] });
    expect(all.code, all.stderr).toBe(0);
    expect(all.calls[1]).toEqual({ method: 'activateSchedules', args: [{ appVersion: commit }] });
    expect(all.stdout).toBe(`[unionml] activated schedules nightly, weekly of model 'tiny_classifier' (app version ${commit}) in flytesnacks/development\n`);
    const named = await fakeUnionml(['activate-schedules', 'tiny:model', '-v', 'v2', '--name', 'nightly', '--name', 'weekly', '--json']);
    expect(named.calls[1]).toEqual({ method: 'activateSchedules', args: [{ appVersion: 'v2', names: ['nightly', 'weekly'] }] });
    expect(onlyJson(named)).toEqual({ model: 'tiny_classifier', appVersion: 'v2', activated: ['nightly', 'weekly'] });
  });

  it('deactivate-schedules deactivates (Python UnionML activated them)', async () => {
    const result = await fakeUnionml(['deactivate-schedules', 'tiny:model', '-v', 'v2', '--name', 'nightly', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'deactivateSchedules', 'close']);
    expect(onlyJson(result)).toEqual({ model: 'tiny_classifier', appVersion: 'v2', deactivated: ['nightly'] });
  });

  it('a model without schedules changes nothing, and says so', async () => {
    const result = await fakeUnionml(['deactivate-schedules', 'tiny:model', '-v', 'v2']);
    expect(result.stdout).toBe("[unionml] model 'tiny_classifier' declares no schedules: nothing deactivated\n");
  });

  it('list-scheduled-training-runs lists the training runs; list-scheduled-prediction-runs the prediction runs (not the training runs)', async () => {
    const runs = [
      { name: 'r2', phase: 'RUNNING' as const, createdAt: '2026-01-02T02:00:00.000Z' },
      { name: 'r1', phase: 'SUCCEEDED' as const, createdAt: '2026-01-01T02:00:00.000Z' },
    ];
    const training = await fakeUnionml(['list-scheduled-training-runs', 'tiny:model', 'nightly', '-v', 'v2'], { runs });
    expect(training.code, training.stderr).toBe(0);
    expect(training.calls[1]).toEqual({ method: 'listScheduledTrainingRuns', args: ['nightly', { appVersion: 'v2', limit: 5 }] });
    expect(training.stdout).toBe(
      [
        "[unionml] training runs (schedule 'nightly' of model 'tiny_classifier', app version v2), newest first:",
        '- r2  RUNNING  2026-01-02T02:00:00.000Z',
        '- r1  SUCCEEDED  2026-01-01T02:00:00.000Z',
        '',
      ].join('\n'),
    );
    const prediction = await fakeUnionml(['list-scheduled-prediction-runs', 'tiny:model', 'hourly', '-v', 'v2', '--limit', '1', '--json'], { runs });
    expect(prediction.calls[1]).toEqual({ method: 'listScheduledPredictionRuns', args: ['hourly', { appVersion: 'v2', limit: 1 }] });
    expect(onlyJson(prediction)).toEqual({
      model: 'tiny_classifier',
      schedule: 'hourly',
      appVersion: 'v2',
      runs: runs.map((r) => ({
        ...r,
        launchPlan: { name: 'hourly', version: 'v1' },
        url: `http://localhost:30080/console/projects/flytesnacks/domains/development/executions/${r.name}`,
      })),
    });
  });

  it('an unknown schedule is the remote error REMOTE_SCHEDULE_UNKNOWN (exit 1)', async () => {
    const result = await fakeUnionml(['list-scheduled-training-runs', 'tiny:model', 'nope', '-v', 'v2'], {
      fail: { method: 'listScheduledTrainingRuns', code: 'REMOTE_SCHEDULE_UNKNOWN', message: "Schedule 'nope' does not exist. Must be one of []" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Schedule 'nope' does not exist. Must be one of []");
  });
});
