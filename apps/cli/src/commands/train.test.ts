import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, onlyJson, tempDir, unionml } from '../test-support/run.js';

/** Runs `unionml train` with the tiny app, saving to a fresh folder. */
async function train(args: string[], options: { json?: boolean } = {}) {
  const dir = tempDir();
  const modelPath = join(dir, 'model.json');
  const result = await unionml(['train', ...args, ...(args.includes('-o') ? [] : ['-o', modelPath]), ...(options.json ? ['--json'] : [])]);
  return { ...result, dir, modelPath };
}

function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('unionml train --local', () => {
  it('trains, prints the metrics and saves the model file', async () => {
    const { code, stdout, stderr, modelPath } = await train(['tiny:model', '--local']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^\[unionml\] trained model 'tiny_classifier' in \d+\.\d s$/m);
    expect(stdout).toContain('[unionml] metrics: score: train 1.0000, test 0.9500\n');
    expect(stdout).toContain(`[unionml] saved model to ${modelPath}\n`);
    // What the app prints goes to stderr: stdout is for the CLI's results.
    expect(stdout).not.toContain('tiny app');
    expect(stderr).toContain('tiny app: console.log while loading');
    const file = JSON.parse(readFileSync(modelPath, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'unionml.model',
      model: 'tiny_classifier',
      hyperparameters: { shift: 0 },
      metrics: { train: { score: 1 }, test: { score: 0.95 } },
    });
  });

  it('--json prints exactly one JSON object on stdout, although the app writes to stdout', async () => {
    const result = await train(['tiny:model', '--local'], { json: true });
    expect(result.code, result.stderr).toBe(0);
    const report = onlyJson(result);
    expect(report).toEqual({
      model: 'tiny_classifier',
      modelPath: result.modelPath,
      hyperparameters: { shift: 0 },
      metrics: { train: { score: 1 }, test: { score: 0.95 } },
      seconds: expect.any(Number) as number,
    });
    expect(Object.keys(report as object)).toEqual(['model', 'modelPath', 'hyperparameters', 'metrics', 'seconds']);
    for (const line of ['console.log while loading', 'process.stdout.write while loading', 'console.info while training', 'console.debug while training']) {
      expect(result.stderr).toContain(`tiny app: ${line}`);
    }
    expect(result.stderr).toContain("[unionml] trained model 'tiny_classifier'");
  });

  it('takes hyperparameters, trainer, splitter and reader arguments from --inputs, in camelCase or snake_case', async () => {
    const camel = await train(
      ['tiny:model', '--local', '-i', '{"hyperparameters": {"shift": 0.5}, "trainerKwargs": {"epochs": 2}, "splitterKwargs": {"testSize": 0.5}, "n": 40}'],
      { json: true },
    );
    const snake = await train(
      ['tiny:model', '--local', '-i', '{"hyperparameters": {"shift": 0.5}, "trainer_kwargs": {"epochs": 2}, "splitter_kwargs": {"test_size": 0.5}, "n": 40}'],
      { json: true },
    );
    expect(camel.code, camel.stderr).toBe(0);
    expect(snake.code, snake.stderr).toBe(0);
    const a = onlyJson(camel) as { hyperparameters: unknown; metrics: unknown };
    const b = onlyJson(snake) as { hyperparameters: unknown; metrics: unknown };
    expect(a.hyperparameters).toEqual({ shift: 0.5 });
    expect(b).toMatchObject({ hyperparameters: a.hyperparameters, metrics: a.metrics });
    // The trainer's epochs reached it: the centroids move by shift * epochs.
    const once = await train([
      'tiny:model',
      '--local',
      '-i',
      '{"hyperparameters": {"shift": 0.5}, "trainer_kwargs": {"epochs": 1}, "splitter_kwargs": {"test_size": 0.5}, "n": 40}',
    ]);
    expect(once.code, once.stderr).toBe(0);
    const centroid = (path: string) =>
      (JSON.parse(readFileSync(path, 'utf8')) as { modelObject: { value: { centroids: Record<string, number[]> } } }).modelObject.value.centroids['0']![0]!;
    expect(centroid(snake.modelPath)).toBe(centroid(camel.modelPath));
    expect(centroid(camel.modelPath) - centroid(once.modelPath)).toBeCloseTo(0.5, 10);
  });

  it('reads --inputs @FILE', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inputs.json'), '{"hyperparameters": {"shift": 2}}');
    const result = await unionml(['train', 'tiny:model', '--local', '-i', `@${join(dir, 'inputs.json')}`, '-o', join(dir, 'm.json'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(onlyJson(result)).toMatchObject({ hyperparameters: { shift: 2 } });
  });

  it('reports bad JSON in --inputs with where it is, before loading the app, as a usage error (exit 2)', async () => {
    const result = await train(['tiny:model', '--local', '-i', '{"hyperparameters": {"shift": 1,}}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --inputs is not valid JSON: trailing comma before } at line 1, column 33');
    expect(result.stderr).toContain('  {"hyperparameters": {"shift": 1,}}\n');
    expect(result.stderr).toMatch(/\n {34}\^\n/);
    expect(result.stderr).toContain('  hint: check quotes, commas and brackets');
    expect(result.stderr).not.toContain('tiny app'); // the app was not loaded
    expectNoStack(result.stderr);
  });

  it('reports bad JSON in an --inputs file under its path', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inputs.json'), '{\n  "n": 20\n  "offset": 1\n}\n');
    const result = await unionml(['train', 'tiny:model', '--local', '-i', `@${join(dir, 'inputs.json')}`, '-o', join(dir, 'm.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${join(dir, 'inputs.json')} is not valid JSON: unexpected '"', expected ',' or '}' at line 3, column 3`);
  });

  it.each([
    ['[1, 2]', '--inputs must be a JSON object, got an array', 2],
    ['{"trainerKwargs": {}, "trainer_kwargs": {}}', "--inputs has both 'trainerKwargs' and 'trainer_kwargs'", 2],
    ['{"hyperparameters": {"shift": "far"}}', "invalid hyperparameters for model 'tiny_classifier'", 1],
    ['{"hyperparameters": {"depth": 3}}', "invalid hyperparameters for model 'tiny_classifier'", 1],
    ['{"n": 3}', "invalid reader arguments for dataset 'tiny_dataset'", 1],
    ['{"splitter_kwargs": {"folds": 3}}', "unknown key 'folds'", 1],
  ])('rejects --inputs %s', async (inputs, message, exitCode) => {
    const result = await train(['tiny:model', '--local', '-i', inputs], { json: true });
    expect(result.code).toBe(exitCode);
    expect(result.stderr).toContain(message);
    expectNoStack(result.stderr);
    expect(onlyJson(result)).toEqual({
      error: expect.objectContaining({ code: expect.any(String) as string, message: expect.stringContaining(message) as string }) as object,
    });
  });

  it.each([
    ['nope:model', 'APP_NOT_FOUND', `error: cannot find the app module 'nope' from ${APPS.replace(/\/$/, '')}; tried:`],
    ['tiny:nope', 'APP_EXPORT_MISSING', "has no export named 'nope'; it exports: "],
    ['tiny:notAModel', 'APP_NOT_A_MODEL', "'notAModel' in "],
    ['tiny:dataset', 'APP_NOT_A_MODEL', 'is a Dataset, not a UnionML Model'],
    ['broken:model', 'APP_IMPORT_FAILED', 'broken app: the database is unreachable'],
    ['tiny:', 'APP_ADDRESS_INVALID', "has no export name after ':'"],
  ])('explains an app that cannot be loaded: %s', async (address, code, message) => {
    const human = await train([address, '--local']);
    // A malformed APP:MODEL is a usage error, as other malformed arguments.
    const exitCode = code === 'APP_ADDRESS_INVALID' ? 2 : 1;
    expect(human.code).toBe(exitCode);
    expect(human.stderr).toContain(message);
    expect(human.stderr).toMatch(/\n {2}hint: /);
    expectNoStack(human.stderr);
    expect(human.stdout).toBe('');
    const json = await train([address, '--local'], { json: true });
    expect(json.code).toBe(exitCode);
    expect(onlyJson(json)).toEqual({
      error: { code, message: expect.stringContaining(message.replace(/^error: /, '')) as string, hint: expect.any(String) as string },
    });
  });

  it('--verbose prints the stack and its cause', async () => {
    const result = await train(['broken:model', '--local', '--verbose']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AppLoadError: failed to load the app .*\n\s+at /);
    expect(result.stderr).toContain('caused by:');
    expect(result.stderr).toMatch(/Error: broken app: the database is unreachable\n\s+at .*broken\.ts/);
  });

  it('names the step when the app code throws (the stack only with --verbose)', async () => {
    const inputs = '{"trainer_kwargs": {"explode": true}}';
    const human = await train(['tiny:model', '--local', '-i', inputs]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain("error: training model 'tiny_classifier' failed: the trainer exploded\n  hint: the error comes from the app's code");
    expectNoStack(human.stderr);
    const json = await train(['tiny:model', '--local', '-i', inputs], { json: true });
    expect(onlyJson(json)).toEqual({
      error: { code: 'TRAINING_FAILED', message: "training model 'tiny_classifier' failed: the trainer exploded", hint: expect.any(String) as string },
    });
    const verbose = await train(['tiny:model', '--local', '-i', inputs, '--verbose']);
    expect(verbose.stderr).toMatch(/caused by:\nError: the trainer exploded\n\s+at .*tiny\.ts/);
  });

  it('fails before training when the model file cannot be written there', async () => {
    const dir = tempDir();
    const missing = await unionml(['train', 'tiny:model', '--local', '-o', join(dir, 'no', 'such', 'model.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `error: cannot write the model file ${join(dir, 'no', 'such', 'model.json')}: the folder ${join(dir, 'no', 'such')} does not exist`,
    );
    expect(missing.stderr).not.toContain('training model');
    mkdirSync(join(dir, 'folder'));
    const folder = await unionml(['train', 'tiny:model', '--local', '-o', join(dir, 'folder')]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('it is a folder');
  });

  it('refuses a device, a FIFO or a report on /dev/full before training, and writes through a symlink (the link stays)', async () => {
    const dir = tempDir();
    const device = await unionml(['train', 'tiny:model', '--local', '-o', '/dev/full']);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain('error: cannot write the model file /dev/full: it is a character device, not a regular file');
    expect(device.stderr).not.toContain('training model');
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const fifo = await unionml(['train', 'tiny:model', '--local', '-o', join(dir, 'fifo')]);
    expect(fifo.stderr).toContain('is a FIFO (named pipe), not a regular file');
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    const report = await unionml(['train', 'tiny:model', '--local', '-o', join(dir, 'm.json'), '--report', '/dev/full']);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain('error: cannot write the report /dev/full: it is a character device');
    expect(report.stderr).not.toContain('training model');
    writeFileSync(join(dir, 'v1.json'), '');
    symlinkSync('v1.json', join(dir, 'current.json'));
    const linked = await unionml(['train', 'tiny:model', '--local', '-o', join(dir, 'current.json')]);
    expect(linked.code, linked.stderr).toBe(0);
    expect(lstatSync(join(dir, 'current.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'v1.json'), 'utf8')).toContain('"integrity":"sha256:');
  });

  it('keeps a training whose model file cannot be saved: the metrics are printed, and --json gives them beside the error', async () => {
    const human = await train(['tiny:unsaveable', '--local']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^\[unionml\] metrics: accuracy: train 1\.0000, test 0\.9500$/m);
    expect(human.stderr).toContain("error: the saver of model 'unsaveable' failed: ENOSPC: no space left on device");
    expectNoStack(human.stderr);
    const json = await train(['tiny:unsaveable', '--local'], { json: true });
    expect(json.code).toBe(1);
    expect(onlyJson(json)).toMatchObject({
      error: { code: 'MODEL_FILE_WRITE', message: "the saver of model 'unsaveable' failed: ENOSPC: no space left on device" },
      result: { model: 'unsaveable', modelPath: null, metrics: { train: { accuracy: 1 }, test: { accuracy: 0.95 } } },
    });
  });

  it('--report writes a self-contained HTML report of the metrics and the confusion matrix', async () => {
    const dir = tempDir();
    const reportPath = join(dir, 'report.html');
    const result = await train(['tiny:model', '--local', '--report', reportPath]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`[unionml] wrote the report to ${reportPath}`);
    const html = readFileSync(reportPath, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('tiny_classifier');
    expect(html).toMatch(/<th scope="row">score<\/th>/);
    expect(html).toContain('Confusion matrix');
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:\/\//); // nothing from the network
    const folder = await train(['tiny:model', '--local', '--report', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`error: cannot write the report ${dir}: it is a folder`);
    expect(folder.stderr).not.toContain('training model');
  });

  it('saves relative to the current folder by default (model.json)', async () => {
    const dir = tempDir();
    const result = await unionml(['train', `${APPS}tiny.ts:model`, '--local'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`saved model to ${join(dir, 'model.json')}`);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toMatchObject({ model: 'tiny_classifier' });
  });

  it('exits when done even if the app leaves a timer running', async () => {
    const started = Date.now();
    const result = await train(['lingering:model', '--local'], { json: true });
    expect(result.code, result.stderr).toBe(0);
    expect(onlyJson(result)).toMatchObject({ model: 'tiny_classifier' });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
