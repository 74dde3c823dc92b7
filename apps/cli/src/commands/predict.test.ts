import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onlyJson, tempDir, unionml } from '../test-support/run.js';

let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = tempDir();
  modelPath = join(dir, 'model.json');
  const trained = await unionml(['train', 'tiny:model', '--local', '-o', modelPath]);
  expect(trained.code, trained.stderr).toBe(0);
  writeFileSync(
    join(dir, 'records.json'),
    JSON.stringify([
      { x: 1, x2: 2 },
      { x: 99, x2: 198 },
      { x: 10, x2: 20 },
    ]),
  );
  writeFileSync(join(dir, 'request.json'), JSON.stringify({ features: [{ x: 80, x2: 160 }] }));
});

function predict(args: string[]) {
  return unionml(['predict', 'tiny:model', '--local', '--model-path', modelPath, ...args]);
}

function expectError(result: { code: number | null; stderr: string; stdout: string }, message: string, code = 1) {
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(`error: ${message}`);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('unionml predict --local', () => {
  it('predicts from a JSON file of records and prints the predictions as JSON', async () => {
    const result = await predict(['-f', join(dir, 'records.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('[0,1,0]\n');
    expect(result.stderr).toContain('tiny app: console.log while predicting');
  });

  it('--json prints {"predictions": [...]} and nothing else on stdout', async () => {
    const result = await predict(['-f', join(dir, 'records.json'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(onlyJson(result)).toEqual({ predictions: [0, 1, 0] });
  });

  it('takes a request body {"features": [...]} as the features file', async () => {
    const result = await predict(['-f', join(dir, 'request.json'), '--json']);
    expect(onlyJson(result)).toEqual({ predictions: [1] });
  });

  it("predicts from the reader's arguments with -i", async () => {
    const result = await predict(['-i', '{"n": 10, "offset": 95}', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(onlyJson(result)).toEqual({ predictions: Array(10).fill(1) });
  });

  it('reads features relative to the current folder', async () => {
    const result = await unionml(
      ['predict', `${join(import.meta.dirname, '../test-support/apps/tiny.ts')}:model`, '--local', '--model-path', 'model.json', '-f', 'records.json'],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('[0,1,0]\n');
  });

  it('reports bad JSON in the features file with its path, line and column', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '[\n  {"x": 1, "x2": 2},\n  {"x": 3 "x2": 6}\n]\n');
    const result = await predict(['-f', file, '--json']);
    expectError(result, `${file} is not valid JSON: unexpected '"', expected ',' or '}' at line 3, column 11`);
    expect(result.stderr).toContain('  {"x": 3 "x2": 6}\n');
    expect(onlyJson(result)).toMatchObject({ error: { code: 'INPUT_BAD_JSON' } });
  });

  it('reports bad JSON in -i as --inputs, a usage error (exit 2)', async () => {
    expectError(await predict(['-i', "{'n': 10}"]), `--inputs is not valid JSON: unexpected ''', expected a "quoted" property name at line 1, column 2`, 2);
  });

  it('reports a missing features file', async () => {
    const result = await predict(['-f', join(dir, 'nope.json'), '--json']);
    expectError(result, `features file not found: ${join(dir, 'nope.json')}`);
    expect(onlyJson(result)).toMatchObject({ error: { code: 'DATA_FILE_NOT_FOUND' } });
  });

  it('reports missing and unexpected columns', async () => {
    writeFileSync(join(dir, 'missing.json'), JSON.stringify([{ x: 1 }]));
    writeFileSync(join(dir, 'extra.json'), JSON.stringify([{ x: 1, x2: 2, colour: 'red' }]));
    writeFileSync(join(dir, 'text.json'), JSON.stringify([{ x: 1, x2: 'two' }]));
    const missing = await predict(['-f', join(dir, 'missing.json'), '--json']);
    expectError(missing, 'missing column x2 in the features; present: x');
    expect(onlyJson(missing)).toMatchObject({ error: { code: 'DATA_COLUMNS_MISSING', hint: expect.any(String) as string } });
    expectError(await predict(['-f', join(dir, 'extra.json')]), 'unexpected column colour in the features; expected: x, x2');
    expectError(await predict(['-f', join(dir, 'text.json')]), 'column \'x2\' row 0 is not a finite number: "two"');
  });

  it('reports a missing model file', async () => {
    const missing = join(dir, 'none.json');
    const result = await unionml(['predict', 'tiny:model', '--local', '--model-path', missing, '-f', join(dir, 'records.json'), '--json']);
    expectError(result, `model file not found: ${missing}`);
    expect(result.stderr).toContain('  hint: train and save one first');
    expect(onlyJson(result)).toMatchObject({ error: { code: 'MODEL_FILE_NOT_FOUND' } });
  });

  it('reports a corrupt, foreign or mismatched model file', async () => {
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(modelPath, 'utf8').slice(0, 50));
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"weights": [1, 2]}');
    const cases: Array<[string, string, string, string]> = [
      ['tiny:model', truncated, 'MODEL_FILE_CORRUPT', `${truncated} is not a valid model file`],
      ['tiny:model', foreign, 'MODEL_FILE_FOREIGN', `${foreign} is not a UnionML model file`],
      ['tiny:other', modelPath, 'MODEL_FILE_MISMATCH', `${modelPath} holds model 'tiny_classifier', not 'other_classifier'`],
    ];
    for (const [address, file, code, message] of cases) {
      const result = await unionml(['predict', address, '--local', '--model-path', file, '-f', join(dir, 'records.json'), '--json']);
      expectError(result, message);
      expect(onlyJson(result)).toMatchObject({ error: { code } });
    }
  });

  it('names the step when the predictor throws', async () => {
    writeFileSync(join(dir, 'thirteen.json'), JSON.stringify([{ x: -13, x2: -26 }]));
    const result = await predict(['-f', join(dir, 'thirteen.json'), '--json']);
    expectError(result, "prediction with model 'tiny_classifier' failed: the predictor exploded on x = -13");
    expect(onlyJson(result)).toMatchObject({ error: { code: 'PREDICTION_FAILED' } });
  });

  it('reports an app that cannot be loaded', async () => {
    const result = await unionml(['predict', 'tiny:nope', '--local', '--model-path', modelPath, '-f', join(dir, 'records.json')]);
    expectError(result, `${join(import.meta.dirname, '../test-support/apps/tiny.ts')} has no export named 'nope'`);
  });
});
