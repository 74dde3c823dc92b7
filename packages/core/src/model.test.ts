import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFrame } from '@unionml/data';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Dataset } from './dataset.js';
import type { Logger } from './log.js';
import { Model } from './model.js';
import { MODEL_FILE_FORMAT } from './model-file.js';
import { Centroid, accuracy, frame, makeApp } from './test-support/fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-model-'));
const features5 = frame(100).take([0, 10, 60, 70, 99]).select(['x', 'x2']).toRecords();

describe('Model.train', () => {
  it('trains, evaluates train and test splits, and sets the artifact', async () => {
    const { model } = makeApp();
    const result = await model.train({ hyperparameters: { shift: 0 }, n: 100 });
    expect(result.modelObject).toBeInstanceOf(Centroid);
    expect(result.hyperparameters).toEqual({ shift: 0 });
    // an anonymous evaluator's one number is named 'score'
    expect(result.metrics.train?.['score']).toBeGreaterThan(0.9);
    expect(result.metrics.test?.['score']).toBeGreaterThan(0.9);
    expect(model.artifact?.modelObject).toBe(result.modelObject);
    expect(model.artifact?.metrics).toEqual(result.metrics);
    expect(model.artifact?.featureSchema?.map((c) => c.name)).toEqual(['x', 'x2']);
  });

  it('applies schema defaults and the reader arguments', async () => {
    const { model } = makeApp();
    let rows = 0;
    model.trainer((m, features, target) => {
      rows = features.length;
      return m.fit(features.toMatrix(), target.toVector());
    });
    const result = await model.train({ n: 50 });
    expect(result.hyperparameters).toEqual({ shift: 0 });
    expect(rows).toBe(40);
  });

  it('rejects unknown and wrong-typed hyperparameters with the expected schema', async () => {
    const { model } = makeApp();
    await expect(model.train({ hyperparameters: { shfit: 1 } as never })).rejects.toMatchObject({
      code: 'HYPERPARAMETERS_INVALID',
      message: "invalid hyperparameters for model 'test_model':\n  - unknown key 'shfit' (did you mean 'shift'?)\nexpected: { shift?: number = 0 }",
    });
    await expect(model.train({ hyperparameters: { shift: 'big' } as never })).rejects.toThrow(/'shift': Invalid input: expected number, received string/);
    await expect(model.train({ hyperparameters: { Shift: 1 } as never })).rejects.toThrow("unknown key 'Shift' (did you mean 'shift'?)");
  });

  it('passes trainer kwargs, validated by their schema', async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader(() => frame());
    const model = new Model({ dataset, init: () => new Centroid({ shift: 0 }), trainerKwargs: z.object({ epochs: z.int().default(1) }) });
    const seen: unknown[] = [];
    model.trainer((m, features, target, kwargs) => {
      seen.push(kwargs);
      return m.fit(features.toMatrix(), target.toVector());
    });
    await model.train({ trainerKwargs: { epochs: 3 } });
    await model.train();
    expect(seen).toEqual([{ epochs: 3 }, { epochs: 1 }]);
    await expect(model.train({ trainerKwargs: { epochs: 'x' } as never })).rejects.toMatchObject({ code: 'ARGUMENTS_INVALID' });
  });

  it('gives clear errors for missing or misbehaving components', async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader(() => frame());
    const model = new Model({ dataset });
    await expect(model.train()).rejects.toThrow("model 'model' has no trainer");
    model.trainer((m) => m);
    await expect(model.train()).rejects.toThrow("model 'model' has no init");
    model.init(() => ({ w: 1 }));
    model.trainer(() => undefined as never);
    await expect(model.train()).rejects.toThrow("the trainer of model 'model' returned undefined");
    model.trainer((m) => m);
    model.evaluator(() => 'good' as never);
    await expect(model.train()).rejects.toThrow("the evaluator of model 'model' returned a string on the train split");
    expect(() => new Model({ dataset: {} as never })).toThrow('new Model({ dataset }) needs a Dataset');
    expect(() => model.trainer('x' as never)).toThrow('model.trainer(...) expects a function, or an options object');
  });

  it('works without an evaluator (no metrics) and with plain-function init', async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader(() => frame());
    const model = new Model({ dataset, init: (hp: { k: number }) => ({ k: hp.k, fitted: false }) });
    model.trainer((m) => ({ ...m, fitted: true }));
    const result = await model.train({ hyperparameters: { k: 2 } });
    expect(result).toEqual({ modelObject: { k: 2, fitted: true }, hyperparameters: { k: 2 }, metrics: {} });
  });
});

describe('Model.predict', () => {
  it('needs a trained model and some input', async () => {
    const { model } = makeApp();
    await expect(model.predict({ features: features5 })).rejects.toMatchObject({ code: 'MODEL_NOT_TRAINED' });
    await model.train();
    await expect(model.predict(undefined as never)).rejects.toMatchObject({ code: 'PREDICT_NO_INPUT' });
  });

  it('predicts from features and from reader inputs, with the same answers', async () => {
    const { model } = makeApp();
    await model.train();
    expect(await model.predict({ features: features5 })).toEqual([0, 0, 1, 1, 1]);
    const fromReader = await model.predict({ inputs: { n: 100 } });
    const fromFeatures = await model.predict({ features: frame(100).select(['x', 'x2']) });
    expect(fromReader).toEqual(fromFeatures);
    expect(await model.predict({ n: 100 })).toEqual(fromReader);
  });

  it('checks the prediction against its schema', async () => {
    const { model } = makeApp();
    await model.train();
    model.predictor(() => ['not', 'numbers'] as never);
    await expect(model.predict({ features: features5 })).rejects.toMatchObject({ code: 'PREDICTION_INVALID' });
  });

  it('takes synchronous and asynchronous predictors, feature loaders and transformers alike, and rejects what they throw', async () => {
    const { model, dataset } = makeApp();
    await model.train();
    const expected = await model.predict({ features: features5 });
    const sync = model.predict({ features: features5 });
    expect(sync).toBeInstanceOf(Promise); // a promise even when nothing on the way is asynchronous
    expect(await sync).toEqual(expected);
    const refused = model.predict({ features: [{ nope: 1 }] as never });
    expect(refused).toBeInstanceOf(Promise); // what the synchronous path throws, the promise rejects with
    await expect(refused).rejects.toMatchObject({ code: 'DATA_COLUMNS_MISSING' });
    const predictor = (m: Centroid, f: DataFrame) => m.predict(f.toMatrix());
    model.predictor((m: Centroid, f: DataFrame) => Promise.resolve(predictor(m, f)));
    expect(await model.predict({ features: features5 })).toEqual(expected);
    model.predictor((m: Centroid, f: DataFrame) => ({ then: (resolve: (v: number[]) => void) => resolve(predictor(m, f)) }) as never);
    expect(await model.predictFromFeatures(model.artifact!.modelObject, (await dataset.getFeatures(features5, model.artifact)) as never)).toEqual(expected);
    model.predictor(() => {
      throw new Error('predictor down');
    });
    const failing = model.predict({ features: features5 });
    await expect(failing).rejects.toThrow('predictor down');
    model.predictor(() => Promise.resolve(undefined as never));
    await expect(model.predict({ features: features5 })).rejects.toThrow("the predictor of model 'test_model' returned undefined");
    model.predictor(predictor);
    dataset.featureLoader((raw) => Promise.resolve(DataFrame.from(raw as never)));
    expect(await model.predict({ features: features5 })).toEqual(expected);
    dataset.featureTransformer((f) => Promise.resolve(f));
    expect(await model.predict({ features: features5 })).toEqual(expected);
  });

  describe('callbacks', () => {
    it('are called after every prediction; their errors are logged to the logger passed in, never thrown', async () => {
      const { model } = makeApp();
      const calls: unknown[][] = [];
      const errors: string[] = [];
      const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: (m) => errors.push(m) };
      const predictor = (m: Centroid, f: DataFrame) => m.predict(f.toMatrix());
      const registered = model.predictor({
        callbacks: [
          (m, f, p) => {
            calls.push([m, f.length, p]);
          },
          function failing() {
            throw new Error('monitoring down');
          },
        ],
      })(predictor);
      expect(registered).toBe(predictor);
      await model.train();
      const prediction = await model.predict({ features: features5 }, { logger });
      await model.predict({ inputs: { n: 20 } }, { logger });
      expect(calls).toHaveLength(2);
      expect(calls[0]).toEqual([model.artifact?.modelObject, 5, prediction]);
      expect(errors).toEqual(['error in post-prediction callback[failing]: monitoring down', 'error in post-prediction callback[failing]: monitoring down']);
    });
  });
});

describe('Model.save and Model.load', () => {
  it('keeps z.bigint() hyperparameters (Flyte int64s): numbers within 2^53, decimal strings beyond, bigints again on load', async () => {
    const bigApp = () => {
      const dataset = new Dataset({ name: 'big_dataset', targets: ['y'] });
      dataset.reader(() => frame(10));
      const model = new Model({ name: 'big_model', dataset, hyperparameters: z.object({ seed: z.bigint(), small: z.bigint() }), init: () => ({ w: 1 }) });
      model.trainer((m) => m);
      model.predictor(() => []);
      return model;
    };
    const model = bigApp();
    // `small` as JSON and msgpack give it: a number (the schema's input type says bigint)
    const trained = await model.train({ hyperparameters: { seed: 2n ** 60n, small: 3 as unknown as bigint } });
    expect(trained.hyperparameters).toEqual({ seed: 2n ** 60n, small: 3n });
    const file = await model.save(join(tmp(), 'big.json'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ hyperparameters: { seed: '1152921504606846976', small: 3 } });
    const fresh = bigApp();
    await fresh.load(file);
    expect(fresh.artifact?.hyperparameters).toEqual({ seed: 2n ** 60n, small: 3n });
  });

  it('round-trips a class with toJSON/fromJSON used as init, with metadata', async () => {
    const { model } = makeApp();
    await model.train({ hyperparameters: { shift: 0.5 } });
    const file = join(tmp(), 'model.json');
    expect(await model.save(file)).toBe(file);
    const saved: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({
      format: MODEL_FILE_FORMAT,
      formatVersion: 2,
      model: 'test_model',
      hyperparameters: { shift: 0.5 },
      modelObject: { encoding: 'toJSON', className: 'Centroid' },
    });

    const { model: fresh } = makeApp();
    const loaded = await fresh.load(file);
    expect(loaded).toBeInstanceOf(Centroid);
    expect(loaded.centroids).toEqual(model.artifact!.modelObject.centroids);
    expect(fresh.artifact?.metrics).toEqual(model.artifact?.metrics);
    expect(await fresh.predict({ features: features5 })).toEqual(await model.predict({ features: features5 }));
  });

  it('finds fromJSON through an init function, a registered class, or stores plain JSON data', async () => {
    class Registered extends Centroid {}
    const dataset = new Dataset({ features: ['x'], targets: ['y'] });
    dataset.reader(() => frame());
    const viaFunction = new Model({ dataset, init: () => new Centroid({ shift: 0 }) });
    viaFunction.trainer((m, f, t) => m.fit(f.toMatrix(), t.toVector()));
    await viaFunction.train();
    const file = join(tmp(), 'm.json');
    await viaFunction.save(file);
    expect(await viaFunction.load(file)).toBeInstanceOf(Centroid);

    // the saver refuses what the loader could not rebuild, at save time, naming the class and the ways out
    const unlisted = new Model({ dataset, name: 'reg' });
    unlisted.artifact = { modelObject: new Registered({ shift: 1 }) };
    await expect(unlisted.save(file)).rejects.toMatchObject({
      code: 'MODEL_NOT_SERIALIZABLE',
      message: expect.stringContaining('its class Registered has toJSON() but is not init, not made by init, and not listed in modelClasses') as string,
      hint: expect.stringContaining('new Model({ modelClasses: [Registered] }), or register model.saver(...) and model.loader(...)') as string,
    });
    const viaClasses = new Model({ dataset, name: 'reg', modelClasses: [Registered] });
    viaClasses.artifact = { modelObject: new Registered({ shift: 1 }) };
    await viaClasses.save(file);
    expect(await viaClasses.load(file)).toBeInstanceOf(Registered);
    expect(() => new Model({ dataset, name: 'bad', modelClasses: [class NoFromJSON {} as never] })).toThrow(
      'NoFromJSON has no static fromJSON(json) or load(json) method',
    );

    const plain = new Model({ dataset, name: 'plain' });
    plain.artifact = { modelObject: { weights: [1, 2] } };
    await plain.save(file);
    expect(await plain.load(file)).toEqual({ weights: [1, 2] });
  });

  it('writes atomically: no temporary files remain and a failed save keeps the old file', async () => {
    const dir = tmp();
    const file = join(dir, 'model.json');
    const plain = new Model({ dataset: new Dataset(), name: 'plain' });
    plain.artifact = { modelObject: { w: [1] } };
    await plain.save(file);
    const before = readFileSync(file, 'utf8');
    plain.artifact = { modelObject: { forest: { trees: [{}, {}, {}, { split: new Map() }] } } };
    await expect(plain.save(file)).rejects.toMatchObject({
      code: 'MODEL_NOT_SERIALIZABLE',
      message: 'the model object cannot be stored as JSON: forest.trees[3].split is a Map, which JSON would store as {}',
    });
    plain.artifact = { modelObject: new Map() };
    await expect(plain.save(file)).rejects.toThrow(
      "the default saver cannot save the model object of model 'plain': a Map has no toJSON() and is not plain JSON data",
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['model.json']);
    plain.artifact = { modelObject: { w: [1] } };
    await expect(plain.save(join(dir, 'no-such-dir', 'm.json'))).rejects.toMatchObject({ code: 'MODEL_FILE_WRITE' });
  });

  it('names the file when it is missing, corrupt, foreign or for another model', async () => {
    const dir = tmp();
    const { model } = makeApp();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    await expect(model.load(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_FOUND',
      message: `model file not found: ${join(dir, 'missing.json')}`,
    });
    const truncated = write('truncated.json', '{"format": "unionml.model", "formatVer');
    await expect(model.load(truncated)).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining(`${truncated} is not a valid model file: its JSON is truncated or corrupt`) as string,
    });
    const foreign = write('foreign.json', '{"weights": [1, 2]}');
    await expect(model.load(foreign)).rejects.toMatchObject({
      code: 'MODEL_FILE_FOREIGN',
      message: `${foreign} is not a UnionML model file (it has no "format": "unionml.model" header)`,
    });
    const binary = write('binary.bin', '\u0000\u0001\u0002');
    await expect(model.load(binary)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
    const other = write(
      'other.json',
      JSON.stringify({ format: 'unionml.model', formatVersion: 1, model: 'other', modelObject: { encoding: 'json', value: 1 } }),
    );
    await expect(model.load(other)).rejects.toMatchObject({ code: 'MODEL_FILE_MISMATCH', message: `${other} holds model 'other', not 'test_model'` });
    const broken = write(
      'broken.json',
      JSON.stringify({
        format: 'unionml.model',
        formatVersion: 1,
        model: 'test_model',
        modelObject: { encoding: 'toJSON', className: 'Centroid', value: null },
      }),
    );
    await expect(model.load(broken)).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining(`cannot rebuild the model object from ${broken}`) as string,
    });
    const noObject = write('noobject.json', JSON.stringify({ format: 'unionml.model', formatVersion: 1, model: 'test_model' }));
    await expect(model.load(noObject)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
  });

  it('uses a custom saver and loader, also for folders, inside the envelope, atomically', async () => {
    const dir = tmp();
    const target = join(dir, 'saved.model');
    const dataset = new Dataset();
    const model = new Model({ dataset, name: 'custom' });
    model.saver((obj, hp, path) => {
      mkdirSync(join(path, 'sub'), { recursive: true });
      writeFileSync(join(path, 'sub', 'weights.txt'), JSON.stringify({ obj, hp }));
    });
    model.loader((path) => (JSON.parse(readFileSync(join(path, 'sub', 'weights.txt'), 'utf8')) as { obj: unknown }).obj);
    model.artifact = { modelObject: { v: 1 }, hyperparameters: { a: 1 }, metrics: { test: { f1: 0.5 } } };
    await model.save(target);
    model.artifact = { modelObject: { v: 2 }, metrics: { test: { f1: 0.75 } } };
    await model.save(target); // replaces the file
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({
      format: 'unionml.model',
      metrics: { test: { f1: 0.75 } },
      modelObject: { encoding: 'custom', payload: { kind: 'directory', name: 'saved.model' } },
    });
    expect(await model.load(target)).toEqual({ v: 2 });
    expect(model.artifact?.metrics).toEqual({ test: { f1: 0.75 } });
    expect(readdirSync(dir)).toEqual(['saved.model']);
    model.saver(() => {
      throw new Error('disk full');
    });
    await expect(model.save(target)).rejects.toThrow("the saver of model 'custom' failed: disk full");
    expect(await model.load(target)).toEqual({ v: 2 });
    expect(readdirSync(dir)).toEqual(['saved.model']);
    model.saver(() => undefined);
    await expect(model.save(target)).rejects.toThrow("the saver of model 'custom' wrote nothing at the path it was given");
  });

  it('needs an artifact to save, and a path to load from the environment', async () => {
    const { model } = makeApp();
    await expect(model.save(join(tmp(), 'x.json'))).rejects.toMatchObject({ code: 'MODEL_NOT_TRAINED' });
    const previous = process.env['UNIONML_TEST_MODEL'];
    delete process.env['UNIONML_TEST_MODEL'];
    await expect(model.loadFromEnv('UNIONML_TEST_MODEL')).rejects.toMatchObject({ code: 'MODEL_PATH_NOT_SET' });
    await model.train();
    const file = join(tmp(), 'env.json');
    await model.save(file);
    process.env['UNIONML_TEST_MODEL'] = file;
    expect(await makeApp().model.loadFromEnv('UNIONML_TEST_MODEL')).toBeInstanceOf(Centroid);
    if (previous === undefined) delete process.env['UNIONML_TEST_MODEL'];
  });
});

describe('names', () => {
  it('uses Python UnionML workflow names', () => {
    const { model } = makeApp({ name: 'digits_classifier' });
    expect([model.trainWorkflowName, model.predictWorkflowName, model.predictFromFeaturesWorkflowName]).toEqual([
      'digits_classifier.train',
      'digits_classifier.predict',
      'digits_classifier.predict_from_features',
    ]);
    expect(Model.isModel(model)).toBe(true);
    expect(Model.isModel({})).toBe(false);
  });
});

// keep `accuracy` referenced for readers of this file: the fixtures' evaluator uses it
void accuracy;
