import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flyteidl, readBundle } from '@unionml/flyte';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Dataset, Model } from '@unionml/core';
import { Centroid, makeApp } from './test-support/fixtures.js';
import { compileModel, packageModel } from './index.js';

const target = { entrypoint: ['unionml', 'execute'], module: 'app', exportName: 'model', image: 'localhost:30000/app:v1', version: 'v1' };

describe('compileModel', () => {
  it("makes Python UnionML's four tasks, three workflows and their default launch plans", async () => {
    const { model } = makeApp({ name: 'clf' });
    const compiled = await compileModel(model, target);
    const names = (xs: { id?: flyteidl.core.IIdentifier | null }[]) => xs.map((x) => x.id?.name);
    expect(names(compiled.bundle.tasks.map((t) => t.template!))).toEqual([
      'test_dataset.dataset_task',
      'clf.train_task',
      'clf.predict_task',
      'clf.predict_from_features_task',
    ]);
    expect(names(compiled.bundle.workflows.map((w) => w.template!))).toEqual(['clf.train', 'clf.predict', 'clf.predict_from_features']);
    expect(names(compiled.bundle.launchPlans)).toEqual(['clf.train', 'clf.predict', 'clf.predict_from_features']);
    for (const entity of [
      ...compiled.bundle.tasks.map((t) => t.template!),
      ...compiled.bundle.workflows.map((w) => w.template!),
      ...compiled.bundle.launchPlans,
    ]) {
      expect(entity.id).toMatchObject({ project: 'flytesnacks', domain: 'development', version: 'v1' });
    }
  });

  it('writes task containers that run `unionml execute` with the task address and Flyte templates', async () => {
    const { model } = makeApp({ name: 'clf' });
    const { tasks } = await compileModel(model, { ...target, env: { LOG_LEVEL: 'debug' } });
    const train = tasks.train_task.template!;
    expect(train.container?.image).toBe('localhost:30000/app:v1');
    expect(train.container?.args).toEqual([
      'unionml',
      'execute',
      '--inputs',
      '{{.input}}',
      '--output-prefix',
      '{{.outputPrefix}}',
      '--raw-output-data-prefix',
      '{{.rawOutputDataPrefix}}',
      '--checkpoint-path',
      '{{.checkpointOutputPrefix}}',
      '--prev-checkpoint',
      '{{.prevCheckpointPrefix}}',
      '--',
      'app-module',
      'app',
      'unionml-obj-name',
      'model',
      'task-name',
      'train_task',
    ]);
    expect(train.container?.env).toEqual([{ key: 'LOG_LEVEL', value: 'debug' }]);
    expect(train.metadata?.runtime).toMatchObject({ flavor: 'unionml-ts' });
    const hyper = train.interface?.inputs?.variables?.['hyperparameters']?.type;
    expect(hyper?.simple).toBe(flyteidl.core.SimpleType.STRUCT);
    expect(hyper?.metadata?.fields?.['properties']).toBeDefined();
    expect(train.interface?.outputs?.variables?.['metrics']?.type?.mapValueType?.simple).toBe(flyteidl.core.SimpleType.FLOAT);
    expect(train.interface?.inputs?.variables?.['data']?.type?.structuredDatasetType?.format).toBe('parquet');
  });

  it("carries the components' task settings to the templates", async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader({ cache: true, cacheVersion: '7', retries: 2 })(() => []);
    const model = new Model({ name: 'm', dataset, init: () => new Centroid(), prediction: z.array(z.number()) });
    model.trainer({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' }, timeoutSeconds: 3600, interruptible: true })((m) => m);
    const { tasks } = await compileModel(model, target);
    expect(tasks.dataset_task.template!.metadata).toMatchObject({ discoverable: true, discoveryVersion: '7', retries: { retries: 2 } });
    const train = tasks.train_task.template!;
    expect(train.metadata).toMatchObject({ interruptible: true });
    expect(Number(train.metadata?.timeout?.seconds)).toBe(3600);
    const quantity = (list: flyteidl.core.Resources.IResourceEntry[] | null | undefined, name: flyteidl.core.Resources.ResourceName) =>
      list?.find((r) => (r.name ?? 0) === name)?.value;
    expect(quantity(train.container?.resources?.requests, flyteidl.core.Resources.ResourceName.CPU)).toBe('2');
    expect(quantity(train.container?.resources?.limits, flyteidl.core.Resources.ResourceName.MEMORY)).toBe('8Gi');
  });

  it('gives the default launch plans the schema defaults and leaves the rest required', async () => {
    const { model } = makeApp({ name: 'clf' });
    const { launchPlans } = await compileModel(model, target);
    const params = (i: number) => launchPlans[i]!.spec!.defaultInputs!.parameters!;
    expect(Object.keys(params(0)).sort()).toEqual(['hyperparameters', 'loader_kwargs', 'n', 'parser_kwargs', 'splitter_kwargs']);
    expect(params(0)['n']?.default?.scalar?.primitive?.integer?.toString()).toBe('100');
    expect(params(2)['model_object']?.required).toBe(true);
    expect(params(2)['features']?.required).toBe(true);
  });

  it('compiles schedules into launch plans with fixed inputs and refuses invalid ones', async () => {
    const { model } = makeApp({ name: 'clf' });
    model.scheduleTraining('nightly', { expression: '0 2 * * *', hyperparameters: { shift: 1 }, n: 50 });
    model.scheduleTraining('hourly', { fixedRate: { value: 1, unit: 'hour' } });
    const { launchPlans } = await compileModel(model, target);
    const nightly = launchPlans.find((lp) => lp.id?.name === 'nightly')!;
    expect(nightly.spec?.entityMetadata?.schedule?.cronSchedule?.schedule).toBe('0 2 * * *');
    expect(Object.keys(nightly.spec?.fixedInputs?.literals ?? {}).sort()).toEqual(['hyperparameters', 'n']);
    const hourly = launchPlans.find((lp) => lp.id?.name === 'hourly')!;
    expect(hourly.spec?.entityMetadata?.schedule?.rate).toMatchObject({ value: 1, unit: flyteidl.admin.FixedRateUnit.HOUR });

    const bad = makeApp({ name: 'bad' }).model;
    bad.scheduleTraining('broken', { expression: '61 * * * *' });
    await expect(compileModel(bad, target)).rejects.toThrow(/^Schedule is invalid/);
    const noModel = makeApp({ name: 'nm' }).model;
    noModel.schedulePrediction('p', { expression: '@daily' });
    await expect(compileModel(noModel, target)).rejects.toThrow("the prediction schedule 'p' of model 'nm' needs modelUri");
    const badHp = makeApp({ name: 'bh' }).model;
    badHp.scheduleTraining('s', { expression: '@daily', hyperparameters: { shfit: 1 } as never });
    await expect(compileModel(badHp, target)).rejects.toMatchObject({ code: 'HYPERPARAMETERS_INVALID' });
  });

  it("keeps Python UnionML's schedule errors at declaration", () => {
    const { model } = makeApp();
    expect(() => model.scheduleTraining('s', { expression: '@daily', fixedRate: { value: 1, unit: 'day' } })).toThrow(
      "You must specify exactly one of 'expression' or 'fixedRate', not both.",
    );
    expect(() => model.scheduleTraining('s', {})).toThrow("You must specify exactly one of 'expression' or 'fixedRate'.");
    model.scheduleTraining('s', { expression: '@daily' });
    expect(() => model.scheduleTraining('s', { expression: '@hourly' })).toThrow('Scheduled job s must have a unique name. Existing schedules: [s]');
    expect(() => model.scheduleTraining('t', { fixedRate: { value: 0, unit: 'day' } })).toThrow('fixedRate must be');
    expect(model.schedules.map((s) => s.name)).toEqual(['s']);
  });
});

describe('packageModel', () => {
  it('writes a registration bundle in registration order', async () => {
    const { model } = makeApp({ name: 'clf' });
    const output = join(mkdtempSync(join(tmpdir(), 'unionml-package-')), 'bundle.tgz');
    const { files } = await packageModel(model, { ...target, output });
    expect(files).toEqual([
      '0_test_dataset.dataset_task_1.pb',
      '1_clf.train_task_1.pb',
      '2_clf.predict_task_1.pb',
      '3_clf.predict_from_features_task_1.pb',
      '4_clf.train_2.pb',
      '5_clf.predict_2.pb',
      '6_clf.predict_from_features_2.pb',
      '7_clf.train_3.pb',
      '8_clf.predict_3.pb',
      '9_clf.predict_from_features_3.pb',
    ]);
    const bundle = await readBundle(output);
    expect(bundle.files).toEqual(files);
    expect(bundle.workflows[0]?.template?.nodes?.map((n) => n.id)).toEqual(['n0', 'n1']);
  });
});
