import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Dataset, Model } from '@unionml/core';
import { Centroid, makeApp } from './test-support/fixtures.js';
import { planModel, taskDefinition } from './plan.js';

describe('planModel', () => {
  it("declares Python UnionML's tasks with their interfaces and default resources", () => {
    const { model } = makeApp({ name: 'clf' });
    const plan = planModel(model);
    expect(Object.fromEntries(Object.entries(plan.tasks).map(([k, t]) => [k, t.name]))).toEqual({
      dataset_task: 'test_dataset.dataset_task',
      train_task: 'clf.train_task',
      predict_task: 'clf.predict_task',
      predict_from_features_task: 'clf.predict_from_features_task',
    });
    expect(plan.tasks.dataset_task.interface).toEqual({
      inputs: { n: { kind: 'int' } },
      outputs: { data: expect.objectContaining({ kind: 'structuredDataset', format: 'parquet' }) as object },
    });
    expect(Object.keys(plan.tasks.train_task.interface.inputs)).toEqual(['hyperparameters', 'data', 'loader_kwargs', 'splitter_kwargs', 'parser_kwargs']);
    expect(plan.tasks.train_task.interface.outputs).toMatchObject({
      model_object: { kind: 'blob' },
      hyperparameters: { kind: 'struct' },
      metrics: { kind: 'map', of: { kind: 'float' } },
    });
    expect(plan.tasks.predict_task.interface.outputs).toEqual({ o0: { kind: 'list', of: { kind: 'float' } } });
    expect(plan.tasks.train_task.options).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(plan.hyperparameters).toMatchObject({ optional: true, default: { shift: 0 } });
  });

  it('passes task settings from the options forms and trainer kwargs as inputs', () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader({ cache: true, cacheVersion: '2', retries: 3 })(() => []);
    const model = new Model({
      name: 'm',
      dataset,
      init: () => new Centroid(),
      prediction: z.array(z.int()),
      trainerKwargs: z.object({ epochs: z.int().default(1) }),
    });
    model.trainer({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } })((m) => m);
    const plan = planModel(model);
    expect(plan.tasks.dataset_task.options).toMatchObject({ cache: true, cacheVersion: '2', retries: 3 });
    expect(plan.tasks.train_task.options).toMatchObject({ requests: { cpu: '2', memory: '4Gi' } });
    expect(plan.tasks.train_task.interface.inputs['epochs']).toEqual({ kind: 'int' });
    expect(plan.prediction).toEqual({ kind: 'list', of: { kind: 'int' } });
  });

  it('refuses what Flyte cannot carry, naming it', () => {
    const noPrediction = new Model({ name: 'np', dataset: new Dataset(), init: () => 1 });
    expect(() => planModel(noPrediction)).toThrow(
      expect.objectContaining({
        code: 'FLYTE_DECLARATION_MISSING',
        message: expect.stringContaining("model 'np' does not declare its prediction type") as string,
      }),
    );
    const notTable = new Model({ name: 'nt', dataset: new Dataset({ tabular: false }), init: () => 1, prediction: z.number() });
    expect(() => planModel(notTable)).toThrow(expect.objectContaining({ code: 'FLYTE_TYPE_UNSUPPORTED' }));
    const clash = new Model({ name: 'c', dataset: new Dataset({ readerArgs: z.object({ features: z.string() }) }), init: () => 1, prediction: z.number() });
    expect(() => planModel(clash)).toThrow(
      expect.objectContaining({ code: 'FLYTE_NAME_CLASH', message: expect.stringContaining("reader argument 'features'") as string }),
    );
    const badArg = new Model({ name: 'b', dataset: new Dataset({ readerArgs: z.object({ when: z.bigint() }) }), init: () => 1, prediction: z.number() });
    expect(() => planModel(badArg)).toThrow("cannot declare reader argument 'when' to Flyte: it is a zod bigint");
    const badPrediction = new Model({ name: 'bp', dataset: new Dataset(), init: () => 1, prediction: z.map(z.string(), z.number()) });
    expect(() => planModel(badPrediction)).toThrow("cannot declare the prediction of model 'bp' to Flyte: it is a zod map");
  });
});

describe('taskDefinition', () => {
  it('runs the tasks as the container would, and refuses unknown task names', async () => {
    const { model } = makeApp();
    const dataset = taskDefinition(model, 'dataset_task');
    const { data } = await dataset.run({ n: 100 }, {} as never);
    expect((data as { shape: number[] }).shape).toEqual([100, 4]);
    expect(() => taskDefinition(model, 'deploy_task')).toThrow(
      expect.objectContaining({ code: 'FLYTE_TASK_UNKNOWN', message: expect.stringContaining("model 'test_model' has no task 'deploy_task'") as string }),
    );
  });
});
