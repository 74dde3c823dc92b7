import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMetrics } from './commands/train.js';
import { checkInputKeys, readFeatures, readInputs, trainOptions } from './inputs.js';
import { tempDir } from './test-support/run.js';

describe('trainOptions', () => {
  it('maps snake_case keys to the options of Model.train and keeps reader arguments', () => {
    expect(
      trainOptions({
        hyperparameters: { a: 1 },
        trainer_kwargs: { e: 2 },
        loader_kwargs: {},
        splitter_kwargs: { test_size: 0.3, random_state: 7, shuffle: false },
        parser_kwargs: { targets: ['y'] },
        path: 'x.csv',
      }),
    ).toEqual({
      hyperparameters: { a: 1 },
      trainerKwargs: { e: 2 },
      loaderKwargs: {},
      splitterKwargs: { testSize: 0.3, randomState: 7, shuffle: false },
      parserKwargs: { targets: ['y'] },
      path: 'x.csv',
    });
    expect(trainOptions({ trainerKwargs: { e: 1 }, splitterKwargs: { testSize: 0.1 } })).toEqual({
      trainerKwargs: { e: 1 },
      splitterKwargs: { testSize: 0.1 },
    });
  });

  it('refuses both spellings of one key', () => {
    expect(() => trainOptions({ loaderKwargs: {}, loader_kwargs: {} })).toThrow("--inputs has both 'loaderKwargs' and 'loader_kwargs'");
    expect(() => trainOptions({ splitter_kwargs: { testSize: 0.1, test_size: 0.2 } })).toThrow("--inputs splitter_kwargs has both 'testSize' and 'test_size'");
  });

  it("keeps a '__proto__' key as a key (not '[object Object]', not a prototype), so that it is named as unknown", () => {
    const options = trainOptions(JSON.parse('{"__proto__": {"C": 1}, "splitter_kwargs": {"__proto__": 1}}') as Record<string, unknown>);
    expect(Object.keys(options)).toEqual(['__proto__', 'splitterKwargs']);
    expect(Object.keys(options['splitterKwargs'] as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(options)).toBe(Object.prototype);
    expect(() => checkInputKeys(options, [], 'train')).toThrow("--inputs has unknown key '__proto__'");
  });
});

describe('readInputs and readFeatures', () => {
  it('reads JSON text or @FILE, and says where JSON is bad', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.json'), '{"n": 1}');
    expect(await readInputs('{"n": 2}', dir)).toEqual({ n: 2 });
    expect(await readInputs('@in.json', dir)).toEqual({ n: 1 });
    await expect(readInputs('{"n": }', dir)).rejects.toMatchObject({
      code: 'CLI_INPUTS_INVALID',
      kind: 'usage',
      message: expect.stringMatching(/^--inputs is not valid JSON: .* at line 1, column 7/) as string,
    });
    await expect(readInputs('"text"', dir)).rejects.toMatchObject({ code: 'CLI_INPUTS_INVALID', message: '--inputs must be a JSON object, got a string' });
    await expect(readInputs('@missing.json', dir)).rejects.toMatchObject({
      code: 'DATA_FILE_NOT_FOUND',
      message: `inputs file not found: ${join(dir, 'missing.json')}`,
    });
  });

  it('unwraps {"features": [...]} and passes other JSON through', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), '[{"x": 1}]');
    writeFileSync(join(dir, 'b.json'), '{"features": [{"x": 1}]}');
    writeFileSync(join(dir, 'c.json'), '{"x": [1, 2]}');
    expect(await readFeatures('a.json', dir)).toEqual([{ x: 1 }]);
    expect(await readFeatures('b.json', dir)).toEqual([{ x: 1 }]);
    expect(await readFeatures('c.json', dir)).toEqual({ x: [1, 2] });
  });
});

describe('formatMetrics', () => {
  it('prints each metric by name with its splits, 4 decimals, NaN as NaN', () => {
    expect(formatMetrics({ train: { accuracy: 0.99930410577 }, test: { accuracy: 0.97222 } })).toBe('accuracy: train 0.9993, test 0.9722');
    expect(formatMetrics({ train: { r2: 1, mse: Number.NaN }, test: { r2: 0.5 } })).toBe('r2: train 1.0000, test 0.5000; mse: train NaN');
    expect(formatMetrics({})).toBe('none (the model has no evaluator)');
  });
});

describe('checkInputKeys', () => {
  it('refuses unknown keys with the nearest known one, as a usage error (exit 2)', () => {
    const check =
      (options: Record<string, unknown>, names: readonly string[] | undefined, command: 'train' | 'predict' = 'train') =>
      () =>
        checkInputKeys(options, names, command);
    expect(check({ hyperparams: {} }, [])).toThrow(
      expect.objectContaining({ code: 'CLI_USAGE', message: "--inputs has unknown key 'hyperparams' (did you mean 'hyperparameters'?)" }),
    );
    expect(check({ trainer_kwarg: {}, path: 'x' }, [])).toThrow("--inputs has unknown keys 'trainer_kwarg' (did you mean 'trainer_kwargs'?), 'path'");
    expect(check({ N: 5 }, ['n', 'offset'])).toThrow(
      expect.objectContaining({
        message: "--inputs has unknown key 'N' (did you mean 'n'?)",
        hint: expect.stringContaining("the reader's arguments are n, offset") as string,
      }),
    );
    expect(check({ hyperparameters: {} }, ['n'], 'predict')).toThrow("--inputs has unknown key 'hyperparameters'");
  });

  it('accepts the known keys in both spellings, and anything when the reader takes undeclared arguments', () => {
    expect(() => checkInputKeys({ hyperparameters: {}, trainerKwargs: {}, n: 1 }, ['n'], 'train')).not.toThrow();
    expect(() => checkInputKeys({ path: 'x' }, undefined, 'train')).not.toThrow();
    expect(() => checkInputKeys({ n: 1 }, ['n'], 'predict')).not.toThrow();
  });
});
