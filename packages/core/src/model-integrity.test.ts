// Model file integrity (issue 13): a content hash checked at load, and the sample rows predicted again at load.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Model } from './model.js';
import { predictionDifference } from './model-file.js';
import { makeApp } from './test-support/fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-integrity-'));

type Envelope = Record<string, unknown> & {
  integrity?: string;
  modelObject: { value: { centroids: Record<string, number[]> } };
  sample?: { features: Record<string, unknown>[]; predictions: number[] };
  transformerState?: unknown;
};

async function savedFile(): Promise<{ file: string; envelope: Envelope; text: string }> {
  const { model } = makeApp();
  await model.train();
  const file = join(tmp(), 'model.json');
  await model.save(file);
  const text = readFileSync(file, 'utf8');
  return { file, text, envelope: JSON.parse(text) as Envelope };
}

/** Writes `envelope` with a correct integrity hash for its (changed) content: damage the hash cannot see. */
function rehash(envelope: Envelope): string {
  const { integrity: _, ...rest } = envelope;
  return JSON.stringify({ ...rest, integrity: `sha256:${createHash('sha256').update(JSON.stringify(rest)).digest('hex')}` });
}

describe('model file integrity', () => {
  it('writes sha256:<hex> as the last field, which load and save report as the artifact content hash', async () => {
    const { model } = makeApp();
    await model.train();
    const file = join(tmp(), 'model.json');
    await model.save(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/,"integrity":"sha256:[0-9a-f]{64}"\}\n$/);
    expect(text.startsWith('{"format":"unionml.model"')).toBe(true);
    const fresh = makeApp().model;
    await fresh.load(file);
    expect(fresh.artifact?.contentHash).toBe(model.artifact?.contentHash);
    expect(fresh.artifact?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fresh.artifact?.loadedFrom?.path).toBe(file);
    expect(Date.parse(fresh.artifact!.loadedFrom!.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it.each([
    ['one digit of a weight changed', (e: Envelope) => void (e.modelObject.value.centroids['0']![0]! += 1e-9)],
    ['a weight replaced by a string', (e: Envelope) => void ((e.modelObject.value.centroids['0'] as unknown[])[0] = '12.5')],
    ['the metrics changed', (e: Envelope) => void ((e['metrics'] as { test: { accuracy: number } }).test.accuracy = 1)],
    ['the hyperparameters null', (e: Envelope) => void (e['hyperparameters'] = null)],
  ])('refuses a file whose content changed after it was saved: %s (MODEL_FILE_INTEGRITY)', async (_, damage) => {
    const { file, envelope } = await savedFile();
    damage(envelope);
    writeFileSync(file, JSON.stringify(envelope));
    const error = await makeApp()
      .model.load(file)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'MODEL_FILE_INTEGRITY',
      kind: 'input',
      message: expect.stringContaining('was changed or damaged after it was saved') as string,
    });
  });

  it('loads the same values in another layout (pretty-printed, with a BOM), and files without a hash', async () => {
    const { file, envelope } = await savedFile();
    writeFileSync(file, `\uFEFF${JSON.stringify(envelope, null, 2)}\n`);
    const model = makeApp().model;
    await model.load(file);
    expect(await model.predict({ features: [{ x: 70, x2: 140 }] })).toEqual([1]);
    delete envelope.integrity;
    writeFileSync(file, JSON.stringify(envelope));
    await model.load(file);
    expect(model.artifact?.contentHash).toBeUndefined();
  });

  it('refuses a malformed hash field as corrupt, and loads anything with verify: false', async () => {
    const { file, envelope } = await savedFile();
    writeFileSync(file, JSON.stringify({ ...envelope, integrity: 'md5:abc' }));
    await expect(makeApp().model.load(file)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT', message: expect.stringContaining('"integrity"') as string });
    envelope.modelObject.value.centroids['0']![0]! += 1;
    writeFileSync(file, JSON.stringify(envelope));
    await expect(makeApp().model.load(file, { verify: false })).resolves.toBeDefined();
  });
});

describe('the check at load: the sample rows predicted again', () => {
  it('keeps the first test rows as a request sends them, with their predictions', async () => {
    const { envelope } = await savedFile();
    expect(envelope.sample?.features).toHaveLength(5);
    expect(Object.keys(envelope.sample!.features[0]!)).toEqual(['x', 'x2']);
    expect(envelope.sample?.predictions).toHaveLength(5);
  });

  it('refuses a model that now predicts otherwise (damage the hash does not see: rehashed) with MODEL_CHECK_FAILED', async () => {
    const { file, envelope } = await savedFile();
    // Swap the centroids: every prediction flips.
    const { centroids } = envelope.modelObject.value;
    [centroids['0'], centroids['1']] = [centroids['1']!, centroids['0']!];
    writeFileSync(file, rehash(envelope));
    const model = makeApp().model;
    const error = await model.load(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_CHECK_FAILED', kind: 'input' });
    expect((error as Error).message).toMatch(/for the 5 sample rows it keeps, the model now predicts \[\d\]: \d where the model file has \d/);
    expect(model.artifact).toBeUndefined(); // nothing half-loaded
  });

  it('refuses a model whose predictor fails on the sample, naming the failure', async () => {
    const { file, envelope } = await savedFile();
    envelope.modelObject.value.centroids = { '0': [1] }; // one coordinate for two features: NaN distances
    envelope.sample!.features = [{ x: 'a', x2: 1 }];
    writeFileSync(file, rehash(envelope));
    await expect(makeApp().model.load(file)).rejects.toMatchObject({
      code: 'MODEL_CHECK_FAILED',
      message: expect.stringContaining('predicting the 1 sample rows it keeps failed') as string,
    });
  });

  it('refuses a model whose app changed its predictor since training', async () => {
    const { file } = await savedFile();
    const { model } = makeApp();
    model.predictor((m, features) => m.predict(features.toMatrix()).map((p) => 1 - p));
    await expect(model.load(file)).rejects.toMatchObject({ code: 'MODEL_CHECK_FAILED' });
  });

  it("with verify: 'integrity' (compiled tasks), a changed predictor only warns; a damaged file is still refused", async () => {
    const { file, envelope } = await savedFile();
    const warnings: string[] = [];
    const { model } = makeApp();
    (model as unknown as { logger: unknown }).logger = { info: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) };
    model.predictor((m, features) => m.predict(features.toMatrix()).map((p) => p + 10));
    await model.load(file, { verify: 'integrity' });
    expect(warnings.join('\n')).toContain('fails its check at load');
    expect(await model.predict({ features: [{ x: 70, x2: 140 }] })).toEqual([11]);
    envelope.modelObject.value.centroids['0']![0]! += 1;
    writeFileSync(file, JSON.stringify(envelope));
    await expect(model.load(file, { verify: 'integrity' })).rejects.toMatchObject({ code: 'MODEL_FILE_INTEGRITY' });
  });

  it('refuses a sample that is not { features: [rows], predictions } as corrupt', async () => {
    const { file, envelope } = await savedFile();
    (envelope as Record<string, unknown>)['sample'] = { features: 'x' };
    writeFileSync(file, rehash(envelope));
    await expect(makeApp().model.load(file)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT', message: expect.stringContaining('its sample') as string });
  });

  it('predictionDifference: numbers within 1e-6 relative agree, NaN equals NaN, typed arrays compare as arrays, deep nesting is fine', () => {
    expect(predictionDifference([1, 2.0000000001, NaN], Float64Array.from([1, 2, NaN]))).toBeUndefined();
    expect(predictionDifference([1, 2], [1, 3])).toBe('[1]: 3 where the model file has 2');
    expect(predictionDifference({ a: [1] }, { a: [1], b: 2 })).toMatch(/^the prediction: keys/);
    expect(predictionDifference(['x'], [1])).toBe('[0]: 1 where the model file has "x"');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(predictionDifference(deep, deep)).toBeUndefined();
  });
});

describe('loading a model file at an odd path', () => {
  it('says a symlink loop is a loop, not "not found"; a folder is a folder', async () => {
    const dir = tmp();
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    const model = new Model({ name: 'test_model', dataset: makeApp().dataset });
    await expect(model.load(join(dir, 'a'))).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining('its symlinks form a loop') as string,
    });
    await expect(model.load(dir)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT', message: expect.stringContaining('it is a folder') as string });
    await expect(model.load(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'MODEL_FILE_NOT_FOUND' });
  });
});

describe('hyperparameters in a model file that the app no longer accepts', () => {
  it('are refused with MODEL_FILE_MISMATCH listing the problems and the schema, never handed to init as they are', async () => {
    const { file, envelope } = await savedFile();
    envelope['hyperparameters'] = { shift: 'fast', epochs: 3 };
    writeFileSync(file, rehash(envelope));
    const { model } = makeApp();
    const error = await model.load(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_FILE_MISMATCH', hint: expect.stringContaining('another version of the app') as string });
    expect((error as Error).message).toBe(
      `the hyperparameters in ${file} do not fit the hyperparameter schema of model 'test_model':\n  - unknown key 'epochs' (known: shift)\n  - 'shift': Invalid input: expected number, received string\nexpected: { shift?: number = 0 }`,
    );
    expect((error as Error).message).not.toContain('"code"');
  });
});
