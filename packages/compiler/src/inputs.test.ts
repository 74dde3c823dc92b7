import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeMsgpack, storageFor, type LiteralContext } from '@unionml/flyte';
import { describe, expect, it } from 'vitest';
import { compileModel } from './compile.js';
import { TRANSFORMERS } from './dataframe.js';
import { predictInputValues, trainInputValues, workflowInputLiterals } from './inputs.js';
import { makeApp } from './test-support/fixtures.js';

const target = { entrypoint: ['unionml', 'execute'], module: 'app', exportName: 'model', image: 'img:v1', version: 'v1' };

function context(): LiteralContext {
  const dir = mkdtempSync(join(tmpdir(), 'unionml-inputs-'));
  return { storage: storageFor(dir), rawOutputPrefix: pathToFileURL(join(dir, 'raw')).href, workDir: dir, transformers: TRANSFORMERS };
}

describe('trainInputValues', () => {
  it("names the train workflow's inputs and applies the schemas' defaults", () => {
    const { model } = makeApp();
    expect(trainInputValues(model, {})).toEqual({ hyperparameters: { shift: 0 }, loader_kwargs: {}, splitter_kwargs: {}, parser_kwargs: {}, n: 100 });
    expect(trainInputValues(model, { hyperparameters: { shift: 2 }, splitterKwargs: { testSize: 0.5 }, n: 40 })).toEqual({
      hyperparameters: { shift: 2 },
      loader_kwargs: {},
      splitter_kwargs: { testSize: 0.5 },
      parser_kwargs: {},
      n: 40,
    });
  });

  it("refuses wrong hyperparameters and reader arguments with core's coded errors, before anything runs", () => {
    const { model } = makeApp();
    expect(() => trainInputValues(model, { hyperparameters: { shift: 'x' } })).toThrow(expect.objectContaining({ code: 'HYPERPARAMETERS_INVALID' }));
    expect(() => trainInputValues(model, { n: 2 })).toThrow(expect.objectContaining({ code: 'ARGUMENTS_INVALID' }));
  });
});

describe('workflowInputLiterals', () => {
  it('converts the given inputs and leaves out undefined ones (the launch plan defaults them)', async () => {
    const { model } = makeApp();
    const compiled = await compileModel(model, target);
    const literals = await workflowInputLiterals(
      compiled.interfaces.train,
      { ...trainInputValues(model, { hyperparameters: { shift: 1 } }), n: undefined },
      context(),
    );
    expect(Object.keys(literals).sort()).toEqual(['hyperparameters', 'loader_kwargs', 'parser_kwargs', 'splitter_kwargs']);
    const hp = literals['hyperparameters']!.scalar!.binary!;
    expect(hp.tag).toBe('msgpack');
    expect(decodeMsgpack(hp.value!)).toEqual({ shift: 1 });
  });

  it('writes a DataFrame input as a Parquet structured dataset, and a model file as a blob reference', async () => {
    const { model } = makeApp();
    const compiled = await compileModel(model, target);
    const literals = await workflowInputLiterals(
      compiled.interfaces.predictFromFeatures,
      { model_object: { uri: 's3://bucket/model.json' }, features: [{ x: 1, x2: 2 }] },
      context(),
    );
    expect(literals['model_object']!.scalar!.blob!.uri).toBe('s3://bucket/model.json');
    expect(literals['features']!.scalar!.structuredDataset!.metadata!.structuredDatasetType!.format).toBe('parquet');
    expect(predictInputValues(model, { uri: 's3://b/m' }, {})).toEqual({ model_object: { uri: 's3://b/m' }, n: 100 });
  });

  it('names an input the workflow does not have', async () => {
    const { model } = makeApp();
    const compiled = await compileModel(model, target);
    await expect(workflowInputLiterals(compiled.interfaces.predict, { model_object: { uri: 's3://b/m' }, m: 3 }, context())).rejects.toThrow(
      /unknown variable 'm'/,
    );
  });
});
