// The model file envelope, the default saver for the JS ML ecosystem, named metrics, fitted preprocessing and the
// checks at the end of training (issue 12).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { DataFrame } from '@unionml/data';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Dataset } from './dataset.js';
import type { Logger } from './log.js';
import { Model } from './model.js';
import { Centroid, accuracy, frame, makeApp } from './test-support/fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-envelope-'));
const quiet = (): Logger & { warnings: string[] } => {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
};

/** An app without declared features (as in the README), whose model object needs a custom saver. */
function customSaverApp(logger: Logger = quiet()) {
  const dataset = new Dataset({ name: 'd', targets: ['y'], randomState: 1 });
  dataset.reader(() => frame());
  const model = new Model({ name: 'custom', dataset, init: () => new Map<string, number>(), logger });
  model.trainer((m, features, target) => {
    const x = features.toVector('x');
    const y = target.toVector();
    m.set('threshold', Math.min(...x.filter((_, i) => y[i] === 1)));
    return m;
  });
  model.predictor((m, features) => features.toVector('x').map((v) => (v >= m.get('threshold')! ? 1 : 0)));
  model.evaluator((m, features, target) =>
    accuracy(
      features.toVector('x').map((v) => (v >= m.get('threshold')! ? 1 : 0)),
      target.toVector(),
    ),
  );
  model.saver((m, _hp, file) => writeFileSync(file, `threshold=${m.get('threshold')}`));
  model.loader((file) => new Map([['threshold', Number(readFileSync(file, 'utf8').split('=')[1])]]));
  return model;
}

describe('the model file envelope with a custom saver', () => {
  it('keeps the column contract: reordered columns are put in order, missing and unknown ones refused, as with the default saver', async () => {
    const model = customSaverApp();
    await model.train();
    const file = join(tmp(), 'model.bin');
    await model.save(file);
    const fresh = customSaverApp();
    await fresh.load(file);
    expect(fresh.artifact?.featureSchema?.map((c) => c.name)).toEqual(['x', 'x2', 'noise']);
    expect(fresh.artifact?.metrics).toEqual(model.artifact?.metrics);
    const rows = [
      { noise: 1, x2: 120, x: 60 },
      { x: 10, x2: 20, noise: 3 },
    ];
    expect(await fresh.predict({ features: rows })).toEqual([1, 0]);
    await expect(fresh.predict({ features: [{ x: 60, noise: 1 }] })).rejects.toMatchObject({
      code: 'DATA_COLUMNS_MISSING',
      message: expect.stringContaining('x2') as string,
    });
    await expect(fresh.predict({ features: [{ x: 60, x2: 1, noise: 1, extra: 2 }] })).rejects.toMatchObject({ code: 'DATA_COLUMNS_UNEXPECTED' });
    await expect(fresh.predict({ features: [{ x: '60', x2: 1, noise: 1 }] })).rejects.toMatchObject({ code: 'DATA_NOT_NUMERIC' });
  });

  it('keeps the trained model object in memory when a save fails', async () => {
    const model = customSaverApp();
    await model.train();
    const trained = model.artifact;
    model.saver(() => {
      throw new Error('ENOSPC');
    });
    await expect(model.save(join(tmp(), 'model.bin'))).rejects.toMatchObject({ code: 'MODEL_FILE_WRITE' });
    expect(model.artifact).toBe(trained);
    expect(await model.predict({ features: [{ x: 99, x2: 1, noise: 1 }] })).toEqual([1]);
  });

  it('still loads a file of a custom saver from before the envelope, and says what it lacks', async () => {
    const logger = quiet();
    const model = customSaverApp(logger);
    const file = join(tmp(), 'old.bin');
    writeFileSync(file, 'threshold=42');
    expect((await model.load(file)).get('threshold')).toBe(42);
    expect(logger.warnings[0]).toContain("without UnionML's envelope");
    expect(model.artifact?.featureSchema).toBeUndefined();
  });

  it('refuses a changed payload, and a custom payload without a loader', async () => {
    const model = customSaverApp();
    await model.train();
    const file = join(tmp(), 'model.bin');
    await model.save(file);
    const envelope = JSON.parse(readFileSync(file, 'utf8')) as { modelObject: { payload: { data: string } }; integrity?: string };
    envelope.modelObject.payload.data = Buffer.from('threshold=1').toString('base64');
    writeFileSync(file, JSON.stringify(envelope));
    // The file's integrity hash finds it first; without one (files before it), the payload's own SHA-256 does.
    await expect(customSaverApp().load(file)).rejects.toMatchObject({ code: 'MODEL_FILE_INTEGRITY' });
    delete envelope.integrity;
    writeFileSync(file, JSON.stringify(envelope));
    await expect(customSaverApp().load(file)).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining('does not match its SHA-256') as string,
    });
    await model.save(file);
    const noLoader = new Model({ name: 'custom', dataset: model.dataset });
    await expect(noLoader.load(file)).rejects.toMatchObject({ code: 'MODEL_NOT_SERIALIZABLE', message: expect.stringContaining('has no loader') as string });
  });

  it('loads a format version 1 file of the default saver, naming its one metric after the evaluator', async () => {
    const { model } = makeApp();
    const file = join(tmp(), 'v1.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'unionml.model',
        formatVersion: 1,
        model: 'test_model',
        savedAt: '2026-01-01T00:00:00.000Z',
        unionml: '0.1.0',
        hyperparameters: { shift: 0 },
        metrics: { train: 0.97, test: 0.95 },
        featureSchema: [
          { name: 'x', type: 'number' },
          { name: 'x2', type: 'number' },
        ],
        modelObject: { encoding: 'toJSON', className: 'Centroid', value: { shift: 0, centroids: [[[0, 0]], [[1, 2]]] } },
      }),
    );
    await model.load(file);
    expect(model.artifact?.metrics).toEqual({ train: { score: 0.97 }, test: { score: 0.95 } });
    expect(model.artifact?.savedAt).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('the default saver for the JS ML ecosystem', () => {
  /** An mljs-style class: toJSON() and a static load(json). */
  class Forest {
    constructor(readonly trees: { split: number; left: number; right: number }[] = []) {}
    fit(x: number[][]) {
      this.trees.push({ split: -Infinity, left: Number.NaN, right: x.length });
      return this;
    }
    toJSON() {
      return { name: 'Forest', trees: this.trees, weights: new Float32Array([0.5, Infinity]) };
    }
    static load(json: { trees: Forest['trees']; weights: Float32Array }) {
      if (!(json.weights instanceof Float32Array)) throw new Error('weights should be a Float32Array');
      return new Forest(json.trees);
    }
  }

  it('rebuilds an mljs-style class with static load(json), non-finite numbers and typed arrays losslessly', async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader(() => frame());
    const model = new Model({ name: 'forest', dataset, init: () => new Forest() });
    model.trainer((m, f) => m.fit(f.toMatrix()));
    await model.train();
    const file = join(tmp(), 'forest.json');
    await model.save(file);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ tagged: true, modelObject: { encoding: 'toJSON', className: 'Forest', rebuild: 'load' } });
    const loaded = await model.load(file);
    expect(loaded).toBeInstanceOf(Forest);
    expect(loaded.trees).toEqual([{ split: -Infinity, left: Number.NaN, right: 80 }]);
  });

  it('refuses at save time a class with toJSON() and no way back, naming it and the two ways out', async () => {
    class OneWay {
      toJSON() {
        return { w: 1 };
      }
    }
    const model = new Model({ name: 'oneway', dataset: new Dataset(), init: () => new OneWay() });
    model.artifact = { modelObject: new OneWay() };
    await expect(model.save(join(tmp(), 'm.json'))).rejects.toMatchObject({
      code: 'MODEL_NOT_SERIALIZABLE',
      message: expect.stringContaining('its class OneWay has toJSON() but has no static fromJSON(json) or load(json)') as string,
      hint: 'give OneWay a static fromJSON(json) (or load(json)) that rebuilds it and list it in new Model({ modelClasses: [OneWay] }), or register model.saver(...) and model.loader(...)',
    });
  });

  it('stores a TensorFlow.js LayersModel in its own format and loads it with the app’s TensorFlow.js', { timeout: 60_000 }, async () => {
    const tf = await import('@tensorflow/tfjs');
    const make = () => {
      const net = tf.sequential();
      net.add(tf.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }));
      net.add(tf.layers.dense({ units: 1 }));
      return net;
    };
    const model = new Model({ name: 'net', dataset: new Dataset(), init: make });
    const net = make();
    model.artifact = { modelObject: net };
    const file = join(tmp(), 'net.json');
    await model.save(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ modelObject: { encoding: 'tfjs-layers', artifacts: { format: 'layers-model' } } });
    const loaded = await model.load(file);
    const input = tf.tensor2d([[1, 2]]);
    expect(Array.from((loaded.predict(input) as Tensor).dataSync())).toEqual(Array.from((net.predict(input) as Tensor).dataSync()));
  });
});

describe('named metrics', () => {
  const app = () => {
    const { model } = makeApp();
    return model;
  };

  it('names one number by the metric option, else the function name, else score; records pass as named numbers', async () => {
    const model = app();
    model.evaluator({ metric: 'accuracy' })((m, f, t) => accuracy(m.predict(f.toMatrix()), t.toVector()));
    expect(Object.keys((await model.train()).metrics.test ?? {})).toEqual(['accuracy']);
    model.evaluator(function balanced(m, f, t) {
      return accuracy(m.predict(f.toMatrix()), t.toVector());
    });
    expect(Object.keys((await model.train()).metrics.test ?? {})).toEqual(['balanced']);
    model.evaluator((m, f, t) => ({ accuracy: accuracy(m.predict(f.toMatrix()), t.toVector()), rows: f.length }));
    const { metrics } = await model.train();
    expect(metrics).toEqual({ train: { accuracy: expect.any(Number) as number, rows: 80 }, test: { accuracy: expect.any(Number) as number, rows: 20 } });
  });

  it('keeps NaN as NaN (also in the model file), and names a metric that is not a number', async () => {
    const model = app();
    model.evaluator({ metric: 'r2' })(() => Number.NaN);
    expect((await model.train()).metrics.test).toEqual({ r2: Number.NaN });
    const file = join(tmp(), 'nan.json');
    await model.save(file);
    await model.load(file);
    expect(model.artifact?.metrics?.test).toEqual({ r2: Number.NaN });
    model.evaluator(() => ({ f1: 0.5, auc: 'high' }) as never);
    await expect(model.train()).rejects.toThrow("the evaluator of model 'test_model' returned a string for metric 'auc' on the train split");
  });
});

describe('fitted preprocessing', () => {
  it('fits on the train split only, keeps the state in the model file, and applies it identically after loading', async () => {
    const { dataset, model } = makeApp();
    const fits: number[] = [];
    dataset.featureTransformer({
      fit: (features: DataFrame) => {
        fits.push(features.length);
        const x = features.toVector('x');
        return { max: Math.max(...x) };
      },
      transform: (features: DataFrame, { max }: { max: number }) =>
        features.assign(
          'x',
          features.toVector('x').map((v) => v / max),
        ),
    });
    const seen: number[][] = [];
    model.predictor((m, features) => {
      seen.push(features.toVector('x'));
      return m.predict(features.toMatrix());
    });
    await model.train();
    expect(fits).toEqual([80]);
    const state = model.artifact?.transformerState as { max: number };
    expect(state.max).toBeLessThanOrEqual(99);
    const direct = await model.predict({ features: [{ x: 99, x2: 198 }] });
    const file = join(tmp(), 'fitted.json');
    await model.save(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ transformerState: state });
    const { dataset: d2, model: fresh } = makeApp();
    d2.featureTransformer({
      fit: () => {
        throw new Error('must not refit at prediction');
      },
      transform: (features: DataFrame, { max }: { max: number }) =>
        features.assign(
          'x',
          features.toVector('x').map((v) => v / max),
        ),
    });
    await fresh.load(file);
    expect(await fresh.predict({ features: [{ x: 99, x2: 198 }] })).toEqual(direct);
    expect(seen.at(-1)).toEqual([99 / state.max]);
  });

  it('says so when a model has no state for a fitted transformer', async () => {
    const { dataset, model } = makeApp();
    dataset.featureTransformer({ fit: () => ({}), transform: (f: DataFrame) => f });
    model.artifact = { modelObject: new Centroid({ shift: 0 }) };
    await expect(model.predict({ features: [{ x: 1, x2: 2 }] })).rejects.toThrow('the model has no fitted state for it');
    expect(() => dataset.featureTransformer({ fit: 1 } as never)).toThrow('expects a function or { fit, transform } functions');
  });
});

describe('checks at dataset time and at the end of training', () => {
  it('names a misspelled target before the trainer runs, and a missing declaration', async () => {
    const trainer = vi.fn((m: Centroid) => m);
    for (const [targets, message] of [
      [['Y'], "the target column 'Y' of dataset 'dataset' is not in the data; it has: x, x2, noise, y"],
      [[], "dataset 'dataset' declares no target columns"],
    ] as const) {
      const dataset = new Dataset({ targets });
      dataset.reader(() => frame());
      const model = new Model({ dataset, init: Centroid });
      model.trainer(trainer);
      await expect(model.train()).rejects.toMatchObject({ code: 'DATASET_COLUMNS_MISSING', message: expect.stringContaining(message) as string });
    }
    const dataset = new Dataset({ targets: ['Y'] });
    await expect(dataset.getData(frame())).rejects.toMatchObject({ hint: expect.stringContaining("did you mean 'y'?") as string });
    expect(trainer).not.toHaveBeenCalled();
  });

  it('fails the training when the predictor breaks the prediction schema, and records a confusion matrix', async () => {
    const { model } = makeApp();
    await model.train();
    expect(model.artifact?.evaluation).toMatchObject({ kind: 'classification', split: 'test', target: 'y', labels: [0, 1] });
    const evaluation = model.artifact?.evaluation as { matrix: number[][] };
    expect(evaluation.matrix.flat().reduce((a, b) => a + b)).toBe(20);
    const callbacks = vi.fn();
    model.predictor({ callbacks: [callbacks] })((m, features) => m.predict(features.toMatrix()).map(String) as never);
    await expect(model.train()).rejects.toMatchObject({
      code: 'PREDICTION_INVALID',
      message: expect.stringContaining('(checked on the test split after training)') as string,
    });
    expect(callbacks).not.toHaveBeenCalled();
  });

  it('records predicted against actual values for a regression', async () => {
    const dataset = new Dataset({ targets: ['y'], features: ['x'] });
    dataset.reader(() => DataFrame.fromColumns({ x: Array.from({ length: 50 }, (_, i) => i), y: Array.from({ length: 50 }, (_, i) => i * 0.5 + 0.25) }));
    const model = new Model({ dataset, init: () => ({ slope: 0 }), prediction: z.array(z.number()) });
    model.trainer((m) => ({ ...m, slope: 0.5 }));
    model.predictor((m, f) => f.toVector('x').map((x) => x * m.slope));
    await model.train();
    expect(model.artifact?.evaluation).toMatchObject({ kind: 'regression', split: 'test', target: 'y', rows: 10 });
  });
});
