// `unionml train` and `unionml predict` without --local: they go to the RemoteModel (a stand-in at the CLI's seam,
// test-support/fake-remote.ts), print the execution or, with --wait, its result; Ctrl-C stops the wait only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeUnionml, startFake } from '../test-support/fake-cli.js';
import type { FakeScript } from '../test-support/fake-remote.js';
import { APPS, onlyJson, tempDir, unionml } from '../test-support/run.js';

let modelFile: string;
let features: string;
beforeAll(async () => {
  const dir = tempDir();
  features = join(dir, 'features.json');
  writeFileSync(
    features,
    JSON.stringify([
      { x: 1, x2: 2 },
      { x: 99, x2: 198 },
    ]),
  );
  modelFile = join(dir, 'model.json');
  const trained = await unionml(['train', 'tiny:model', '--local', '-o', modelFile]);
  expect(trained.code, trained.stderr).toBe(0);
});

const URL = 'http://localhost:30080/console/projects/flytesnacks/domains/development/executions/fexec123';
const RUNNING: FakeScript['progress'] = [
  { name: 'fexec123', phase: 'RUNNING', elapsedSeconds: 0.5, nodes: [{ id: 'n0', phase: 'RUNNING', seconds: 0 }] },
  {
    name: 'fexec123',
    phase: 'RUNNING',
    elapsedSeconds: 2,
    nodes: [
      { id: 'n0', phase: 'SUCCEEDED', seconds: 1.2 },
      { id: 'n1', phase: 'RUNNING', seconds: 0.1 },
    ],
  },
];

function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('unionml train on the cluster (no --local)', () => {
  it('starts {model}.train and returns: the execution (the model version), its console link, how to follow and terminate it', async () => {
    const result = await fakeUnionml(['train', 'tiny:model', '-i', '{"hyperparameters": {"shift": 0.5}, "trainer_kwargs": {"epochs": 2}, "n": 40}']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'train', 'close']);
    // The same --inputs mapping as --local (snake_case accepted); the CLI does not wait unless --wait, as Python UnionML.
    expect(result.calls[1]!.args).toEqual([{ hyperparameters: { shift: 0.5 }, trainerKwargs: { epochs: 2 }, n: 40 }, { wait: false }]);
    expect(result.stdout).toBe(
      [
        '[unionml] training fexec123 started (tiny_classifier.train, app version v1) in flytesnacks/development',
        '[unionml] follow it:    unionml fetch-model tiny:model -m fexec123 -o model.json',
        '[unionml] terminate it: flytectl delete execution fexec123 -p flytesnacks -d development',
        'fexec123',
        '',
      ].join('\n'),
    );
    // The console link is RemoteModel's log line (Python UnionML's message), on stderr, once.
    expect(result.stderr).toContain(`Go to ${URL} to see the execution in the console.`);
    expect(result.stderr.split(URL)).toHaveLength(2);
    expectNoStack(result.stderr);
  });

  it('passes the cluster options and the app to remote(): --config (from the current folder), -p, -d, the app folder and address', async () => {
    const result = await fakeUnionml(['train', 'tiny:model', '--config', 'flyte.yaml', '-p', 'ml', '-d', 'staging', '-v', 'abc123']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[0]).toEqual({
      method: 'remote',
      args: [
        'tiny_classifier',
        { config: join(APPS, 'flyte.yaml'), project: 'ml', domain: 'staging', appDir: APPS.replace(/\/$/, ''), app: 'tiny:model', logger: 'given' },
      ],
    });
    expect(result.calls[1]!.args[1]).toEqual({ wait: false, appVersion: 'abc123' });
    expect(result.stdout).toContain('follow it:    unionml fetch-model tiny:model -m fexec123 -o model.json --config flyte.yaml -p ml -d staging');
    expect(result.stdout).toContain('terminate it: flytectl delete execution fexec123 -p ml -d staging --config flyte.yaml');
    const home = await fakeUnionml(['train', 'tiny:model', '--config', '~/.flyte/config-sandbox.yaml', '--json']);
    expect((onlyJson(home) as { follow: string }).follow).toBe(
      'unionml fetch-model tiny:model -m fexec123 -o model.json --config ~/.flyte/config-sandbox.yaml',
    );
  });

  it('--json prints the execution as one JSON object', async () => {
    const result = await fakeUnionml(['train', 'tiny:model', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(onlyJson(result)).toEqual({
      model: 'tiny_classifier',
      kind: 'train',
      execution: 'fexec123',
      project: 'flytesnacks',
      domain: 'development',
      launchPlan: { name: 'tiny_classifier.train', version: 'v1' },
      appVersion: 'v1',
      url: URL,
      follow: 'unionml fetch-model tiny:model -m fexec123 -o model.json',
      terminate: 'flytectl delete execution fexec123 -p flytesnacks -d development',
    });
    expect(result.stderr).toContain('[unionml] training fexec123 started');
  });

  it('--wait waits (plain progress lines off a terminal) and prints the model version, metrics and hyperparameters; -o saves the model file', async () => {
    const output = join(tempDir(), 'remote-model.json');
    const result = await fakeUnionml(['train', 'tiny:model', '--wait', '-o', output], { progress: RUNNING, modelFile });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'train', 'wait', 'load', 'close']);
    expect(result.stdout).toBe(
      [
        "[unionml] trained model 'tiny_classifier' on Flyte in 2.5 s: model version fexec123",
        '[unionml] metrics: score: train 1.0000, test 0.9500',
        '[unionml] hyperparameters: {"shift":0.5}',
        `[unionml] saved model to ${output}`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toContain('[unionml] waiting for fexec123 (Ctrl-C stops waiting, not the execution)\n');
    expect(result.stderr).toContain('[unionml]   node n0: SUCCEEDED in 1.2s\n');
    expect(readFileSync(output, 'utf8')).toBe(readFileSync(modelFile, 'utf8'));
  });

  it('--wait --json prints the artifact as one JSON object', async () => {
    const result = await fakeUnionml(['train', 'tiny:model', '-w', '--json'], { progress: RUNNING });
    expect(result.code, result.stderr).toBe(0);
    const report = onlyJson(result);
    expect(report).toEqual({
      model: 'tiny_classifier',
      modelVersion: 'fexec123',
      appVersion: 'v1',
      project: 'flytesnacks',
      domain: 'development',
      url: URL,
      hyperparameters: { shift: 0.5 },
      metrics: { train: { score: 1 }, test: { score: 0.95 } },
      durationSeconds: 2.5,
      seconds: expect.any(Number) as number,
    });
  });

  it('a failed execution is its coded error (exit 1, no stack); --json has it too', async () => {
    const wait = {
      code: 'REMOTE_EXECUTION_FAILED' as const,
      message: 'execution fexec123 of tiny_classifier.train failed: the trainer exploded',
      hint: 'fix it',
    };
    const result = await fakeUnionml(['train', 'tiny:model', '--wait'], { wait });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: execution fexec123 of tiny_classifier.train failed: the trainer exploded\n  hint: fix it');
    expectNoStack(result.stderr);
    expect(result.calls.at(-1)?.method).toBe('close');
    const json = await fakeUnionml(['train', 'tiny:model', '--wait', '--json'], { wait });
    expect(json.code).toBe(1);
    expect(onlyJson(json)).toEqual({ error: { code: 'REMOTE_EXECUTION_FAILED', message: wait.message, hint: 'fix it' } });
  });

  it("says @unionml/remote's errors in the CLI's words (a hint naming app.listModelVersions() names the command)", async () => {
    const result = await fakeUnionml(['predict', 'tiny:model', '-f', features, '-m', 'nope'], {
      fail: {
        method: 'predict',
        code: 'REMOTE_EXECUTION_UNKNOWN',
        message: 'model version nope does not exist',
        hint: 'list the model versions: app.listModelVersions()',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: model version nope does not exist\n  hint: list the model versions: unionml list-model-versions tiny:model\n');
  });
});

describe('unionml predict on the cluster (no --local)', () => {
  it('-f starts {model}.predict_from_features with the features file and the latest model version, and returns', async () => {
    const result = await fakeUnionml(['predict', 'tiny:model', '-f', features]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]).toEqual({
      method: 'predict',
      args: [
        {
          features: [
            { x: 1, x2: 2 },
            { x: 99, x2: 198 },
          ],
        },
        { wait: false, modelVersion: 'latest' },
      ],
    });
    expect(result.stdout).toContain('[unionml] prediction fexec123 started (tiny_classifier.predict_from_features, app version v1)');
    expect(result.stdout).toContain('follow it:    unionml fetch-predictions tiny:model -m fexec123\n');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('fexec123');
  });

  it('-i starts {model}.predict with the reader arguments, the app and model versions given', async () => {
    const result = await fakeUnionml(['predict', 'tiny:model', '-i', '{"n": 20}', '-v', 'v7', '-m', 'train42', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]!.args).toEqual([{ inputs: { n: 20 } }, { wait: false, appVersion: 'v7', modelVersion: 'train42' }]);
    expect(onlyJson(result)).toMatchObject({ kind: 'predict', execution: 'fexec123', launchPlan: { name: 'tiny_classifier.predict' } });
  });

  it('--wait prints the predictions as JSON on stdout (as --local does); --json adds the prediction id and link', async () => {
    const plain = await fakeUnionml(['predict', 'tiny:model', '-f', features, '--wait'], { predictions: [0, 1] });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('[0,1]\n');
    expect(plain.calls.map((c) => c.method)).toEqual(['remote', 'predict', 'wait', 'fetchPredictions', 'close']);
    expect(plain.stderr).toContain("[unionml] prediction fexec123 with model 'tiny_classifier' succeeded on Flyte in 2.5 s");
    const json = await fakeUnionml(['predict', 'tiny:model', '-f', features, '--wait', '--json'], { predictions: [0, 1] });
    expect(onlyJson(json)).toEqual({
      predictions: [0, 1],
      predictionId: 'fexec123',
      appVersion: 'v1',
      url: URL,
      durationSeconds: 2.5,
      seconds: expect.any(Number) as number,
    });
  });

  it('reads the features before connecting: a missing file fails without a call', async () => {
    const result = await fakeUnionml(['predict', 'tiny:model', '-f', 'nope.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: features file not found');
    expect(result.calls).toEqual([]);
  });
});

describe('Ctrl-C while waiting', () => {
  /** Starts a waiting command, sends SIGINT once it waits, and collects what it printed. */
  async function interrupt(args: string[]) {
    const { child, calls } = startFake(args, { wait: 'hang', progress: RUNNING });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the command did not wait:\n${stderr}`)), 20_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('node n1: RUNNING')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const exit = await exited;
    return { ...exit, stdout, stderr, calls: calls() };
  }

  it('stops waiting, not the execution: says how to follow and terminate it, exits 130', async () => {
    const result = await interrupt(['train', 'tiny:model', '--wait', '-p', 'ml']);
    expect(result).toMatchObject({ code: 130, signal: null, stdout: '' });
    expect(result.stderr).toContain(
      [
        '[unionml] stopped waiting; the training fexec123 is still running on Flyte: http://localhost:30080/console/projects/ml/domains/development/executions/fexec123',
        '[unionml] follow it:    unionml fetch-model tiny:model -m fexec123 -o model.json -p ml',
        '[unionml] terminate it: flytectl delete execution fexec123 -p ml -d development',
      ].join('\n'),
    );
    expectNoStack(result.stderr);
    // Nothing was loaded or terminated; the connection was closed.
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'train', 'wait', 'close']);
  });

  it('with --json, prints the execution with interrupted: true and the phase last seen', async () => {
    const result = await interrupt(['predict', 'tiny:model', '-f', features, '--wait', '--json']);
    expect(result.code).toBe(130);
    expect(JSON.parse(result.stdout)).toMatchObject({
      kind: 'predict',
      execution: 'fexec123',
      interrupted: true,
      phase: 'RUNNING',
      follow: 'unionml fetch-predictions tiny:model -m fexec123',
      terminate: 'flytectl delete execution fexec123 -p flytesnacks -d development',
    });
  });

  it('fetch-model -m NAME waiting for a running training: Ctrl-C says to run the same command again', async () => {
    const output = join(tempDir(), 'm.json');
    const result = await interrupt(['fetch-model', 'tiny:model', '-m', 'fexec123', '-o', output, '--json']);
    expect(result.code).toBe(130);
    expect(JSON.parse(result.stdout)).toEqual({
      interrupted: true,
      execution: 'fexec123',
      phase: 'RUNNING',
      follow: `unionml fetch-model tiny:model -m fexec123 -o ${output}`,
      terminate: 'flytectl delete execution fexec123 -p flytesnacks -d development',
    });
    expect(result.calls.map((c) => c.method)).toEqual(['remote', 'wait', 'close']);
  });
});
