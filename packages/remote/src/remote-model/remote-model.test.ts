// The remote model operations against a FlyteAdmin stand-in (test-support/fake-admin.ts): which launch plan version
// is used, the inputs sent (the same literals a compiled local run makes), the console link logged, waiting (phases,
// progress, failures, a restarting FlyteAdmin, a timeout), outputs read back into an artifact, uploads of features
// through DataProxy, listings and their filters, schedules, and idempotent registration.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { compileModel, trainInputValues, TRANSFORMERS, workflowInputLiterals } from '@unionml/compiler';
import { flattenMetrics } from '@unionml/core';
import { flyteidl, readTar, storageFor, toLiteralMap, type LiteralContext } from '@unionml/flyte';
import { Centroid } from '@unionml/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, memoryLogger } from '../test-support/app.js';
import { FakeAdmin } from '../test-support/fake-admin.js';
import { Connection } from './connection.js';
import { registerApp, TASK_ENTRYPOINT, type RemoteContext } from './operations.js';
import { remote } from './remote-model.js';

const work = mkdtempSync(join(tmpdir(), 'unionml-remote-test-'));
const config = join(work, 'config.yaml');
writeFileSync(config, 'admin:\n  endpoint: dns:///localhost:30080\n  insecure: true\nconsole:\n  endpoint: http://localhost:30080\n');
const compileTarget = { entrypoint: TASK_ENTRYPOINT, module: 'app', exportName: 'model', image: 'img', version: 'v' };

function context(): LiteralContext {
  const dir = mkdtempSync(join(work, 'ctx-'));
  return { storage: storageFor(dir), rawOutputPrefix: pathToFileURL(join(dir, 'raw')).href, workDir: dir, transformers: TRANSFORMERS };
}

let fake: FakeAdmin;
beforeEach(async () => {
  fake = await new FakeAdmin().start();
});
afterEach(() => fake.stop());

function setup() {
  const logger = memoryLogger();
  const { model } = makeApp({ logger });
  const app = remote(model, { admin: fake.client, config, appDir: work, logger, env: {} });
  return { app, model, logger };
}

/**
 * The outputs of a training of `model` in this process: a model file, its hyperparameters and metrics. With
 * `modelUri`, the model file literal names that URI instead (as a cluster's outputs name `s3://` files).
 */
async function trainingOutputs(shift = 0, modelUri?: string): Promise<flyteidl.core.ILiteralMap> {
  const { model } = makeApp();
  const result = await model.train({ hyperparameters: { shift } });
  const file = await model.save(join(mkdtempSync(join(work, 'model-')), 'model.json'));
  const compiled = await compileModel(model, compileTarget);
  const outputs = await toLiteralMap(
    { model_object: { uri: pathToFileURL(file).href }, hyperparameters: result.hyperparameters, metrics: flattenMetrics(result.metrics) },
    compiled.interfaces.train.outputs,
    context(),
  );
  if (modelUri) outputs.literals!['model_object']!.scalar!.blob!.uri = modelUri;
  return outputs;
}

async function predictionOutputs(predictions: number[]): Promise<flyteidl.core.ILiteralMap> {
  const { model } = makeApp();
  const compiled = await compileModel(model, compileTarget);
  return toLiteralMap({ o0: predictions }, compiled.interfaces.predict.outputs, context());
}

const callsOf = (method: string) => fake.calls.filter((c) => c.method === method).map((c) => c.request);

describe('train', () => {
  it('sends the inputs a compiled local run makes to the newest version of {model}.train, and logs the console link', async () => {
    const { app, model, logger } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.addLaunchPlan('test_model.train', 'v2');
    const execution = await app.train({ hyperparameters: { shift: 1 }, n: 50 }, { wait: false });
    expect(execution).toMatchObject({ kind: 'train', project: 'flytesnacks', domain: 'development', launchPlan: { name: 'test_model.train', version: 'v2' } });
    expect(execution.url).toBe(`http://localhost:30080/console/projects/flytesnacks/domains/development/executions/${execution.name}`);
    expect(logger.messages).toContain(
      `Executing test_model.train, execution name: ${execution.name}.\nGo to ${execution.url} to see the execution in the console.`,
    );

    const [request] = callsOf('createExecution') as flyteidl.admin.IExecutionCreateRequest[];
    expect(request!.spec!.launchPlan).toMatchObject({ name: 'test_model.train', version: 'v2' });
    const compiled = await compileModel(model, compileTarget);
    const local = await workflowInputLiterals(compiled.interfaces.train, trainInputValues(model, { hyperparameters: { shift: 1 }, n: 50 }), context());
    const bytes = (literals: Record<string, flyteidl.core.ILiteral>) => flyteidl.core.LiteralMap.encode({ literals }).finish();
    expect(Object.keys(request!.inputs!.literals!).sort()).toEqual(['hyperparameters', 'loader_kwargs', 'n', 'parser_kwargs', 'splitter_kwargs']);
    expect(bytes(request!.inputs!.literals!)).toEqual(bytes(local));
  });

  it('uses the app version given; an unknown one lists the registered versions; none at all is REMOTE_NOT_DEPLOYED', async () => {
    const { app } = setup();
    await expect(app.train({}, { wait: false })).rejects.toMatchObject({ code: 'REMOTE_NOT_DEPLOYED', kind: 'state' });
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.addLaunchPlan('test_model.train', 'v2');
    expect((await app.train({}, { wait: false, appVersion: 'v1' })).launchPlan.version).toBe('v1');
    const error = await app.train({}, { wait: false, appVersion: 'v9' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_VERSION_UNKNOWN', kind: 'input', status: 404 });
    expect((error as Error).message).toBe(
      "app version v9 of model 'test_model' is not deployed to flytesnacks/development: launch plan test_model.train has the versions v2, v1 (newest first)",
    );
  });

  it("refuses wrong hyperparameters and reader arguments before calling FlyteAdmin, with core's codes", async () => {
    const { app } = setup();
    await expect(app.train({ hyperparameters: { shift: 'x' as unknown as number } }, { wait: false })).rejects.toMatchObject({
      code: 'HYPERPARAMETERS_INVALID',
    });
    await expect(app.train({ n: 3 }, { wait: false })).rejects.toMatchObject({ code: 'ARGUMENTS_INVALID' });
    expect(fake.calls).toEqual([]);
  });

  it("waits and returns the artifact: the model object loaded from the model file, the outputs' hyperparameters and metrics", async () => {
    const { app, model } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.nextExecution = { phases: ['QUEUED', 'RUNNING', 'SUCCEEDED'], outputs: await trainingOutputs(0.5) };
    const trained = await app.train({ hyperparameters: { shift: 0.5 } }, { pollMs: 5 });
    expect(trained.modelObject).toBeInstanceOf(Centroid);
    expect(trained.hyperparameters).toEqual({ shift: 0.5 });
    expect(trained.metrics.train?.['score']).toBeGreaterThan(0.9);
    expect(trained.modelVersion).toMatch(/^f\d{19}$/);
    expect(trained.modelUri).toMatch(/^file:\/\/.*model\.json$/);
    expect(model.artifact?.modelObject).toBe(trained.modelObject);
    expect(trained.modelObject.predict([[90, 180]])).toEqual([1]);
  });

  it('reads an s3:// model file through DataProxy when the config has no storage credentials', async () => {
    const { app } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    const outputs = await trainingOutputs(0.25, 's3://fake-bucket/data/ef/n1/model.json');
    const { model: other } = makeApp();
    await other.train({ hyperparameters: { shift: 0.25 } });
    fake.uploads.set('s3://fake-bucket/data/ef/n1/model.json', readFileSync(await other.save(join(mkdtempSync(join(work, 'm-')), 'model.json'))));
    fake.nextExecution = { phases: ['SUCCEEDED'], outputs };
    const trained = await app.train({}, { pollMs: 5 });
    expect(trained.modelUri).toBe('s3://fake-bucket/data/ef/n1/model.json');
    expect(trained.modelObject.hyperparameters).toEqual({ shift: 0.25 });
    expect(callsOf('createDownloadLocation')).toEqual([
      { nativeUrl: 's3://fake-bucket/data/ef/n1/model.json', expiresIn: { seconds: expect.anything() as unknown } },
    ]);
  });
});

describe('wait', () => {
  it('reports the phase and each node while polling, and resolves with the finished status', async () => {
    const { app } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.nextExecution = { phases: ['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED'] };
    const execution = await app.train({}, { wait: false });
    const seen: string[] = [];
    const status = await app.wait(execution, { pollMs: 5, onProgress: (p) => seen.push(`${p.phase} ${p.nodes.map((n) => `${n.id}:${n.phase}`).join(',')}`) });
    expect(seen).toEqual(['QUEUED n0:RUNNING,n1:RUNNING', 'RUNNING n0:RUNNING,n1:RUNNING', 'SUCCEEDED n0:SUCCEEDED,n1:SUCCEEDED']);
    expect(status).toMatchObject({ name: execution.name, phase: 'SUCCEEDED', durationSeconds: 12, launchPlan: { name: 'test_model.train', version: 'v1' } });
    expect(status.nodes).toEqual([
      { id: 'n0', name: 'dataset_task', phase: 'SUCCEEDED', seconds: 2.5 },
      { id: 'n1', name: 'train_task', phase: 'SUCCEEDED', seconds: 2.5 },
    ]);
    // The node names come from the execution's workflow, read once per wait.
    expect(fake.calls.filter((c) => c.method === 'getWorkflow').map((c) => c.request)).toEqual([
      { id: expect.objectContaining({ name: 'test_model.train', version: 'v1', resourceType: 2 }) as unknown },
    ]);
  });

  it('shows node ids alone when the workflow cannot be read; a FlyteAdmin restart during the read is waited out', async () => {
    const { app } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.workflowError = { status: 'NOT_FOUND', calls: 1 };
    const execution = await app.train({}, { wait: false });
    const status = await app.wait(execution, { pollMs: 5, onProgress: () => {} });
    expect(status.nodes.map((n) => [n.id, n.name])).toEqual([
      ['n0', undefined],
      ['n1', undefined],
    ]);

    fake.workflowError = { status: 'UNAVAILABLE', calls: 2 };
    fake.nextExecution = { phases: ['RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'] };
    const again = await app.train({}, { wait: false });
    const restarted = await app.wait(again, { pollMs: 5, onProgress: () => {} });
    expect(restarted.nodes.map((n) => n.name)).toEqual(['dataset_task', 'train_task']);
  });

  it("FAILED is REMOTE_EXECUTION_FAILED (app) with the failing task's own message; ABORTED and TIMED_OUT are state errors", async () => {
    const { app } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.nextExecution = {
      phases: ['RUNNING', 'FAILED'],
      error: { code: 'USER:HyperparametersError', message: "HyperparametersError: invalid hyperparameters for model 'test_model'" },
    };
    const failed = await app.train({}, { pollMs: 5 }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'REMOTE_EXECUTION_FAILED', kind: 'app', flyteErrorCode: 'USER:HyperparametersError' });
    expect((failed as Error).message).toMatch(
      /^execution f\d+ of test_model\.train \(version v1\) failed: HyperparametersError: invalid hyperparameters for model 'test_model'$/,
    );
    for (const [phase, code] of [
      ['ABORTED', 'REMOTE_EXECUTION_ABORTED'],
      ['TIMED_OUT', 'REMOTE_EXECUTION_TIMED_OUT'],
    ] as const) {
      fake.nextExecution = { phases: [phase] };
      await expect(app.wait(await app.train({}, { wait: false }))).rejects.toMatchObject({ code, kind: 'state' });
    }
  });

  it('rides out FlyteAdmin restarting (UNAVAILABLE), and gives up at timeoutMs with REMOTE_WAIT_TIMEOUT', async () => {
    const { app, logger } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.nextExecution = { phases: ['RUNNING', 'SUCCEEDED'] };
    const execution = await app.train({}, { wait: false });
    fake.unavailableCalls = 3;
    await expect(app.wait(execution, { pollMs: 5 })).resolves.toMatchObject({ phase: 'SUCCEEDED' });
    expect(logger.messages.filter((m) => m.startsWith('warning:'))).toEqual([
      `warning: FlyteAdmin at fake:30080 answered UNAVAILABLE to AdminService.GetExecution: connection refused; still waiting for execution ${execution.name}`,
    ]);
    fake.nextExecution = { phases: ['RUNNING'] };
    const running = await app.train({}, { wait: false });
    await expect(app.wait(running, { pollMs: 5, timeoutMs: 60 })).rejects.toMatchObject({
      code: 'REMOTE_WAIT_TIMEOUT',
      kind: 'state',
      execution: running.name,
    });
    // An execution that does not exist is an input error.
    await expect(app.wait('nosuch')).rejects.toMatchObject({ code: 'REMOTE_EXECUTION_UNKNOWN', status: 404 });
  });
});

describe('models and predictions', () => {
  it('fetchModel("latest") is the newest successful training of {model}.train or a training schedule; model.artifact is left alone', async () => {
    const { app, model } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    fake.addLaunchPlan('nightly', 'v1');
    await expect(app.fetchModel()).rejects.toMatchObject({ code: 'REMOTE_NO_MODEL_VERSION', kind: 'state' });
    fake.nextExecution = { phases: ['SUCCEEDED'], outputs: await trainingOutputs(0) };
    const first = await app.train({}, { wait: false });
    fake.nextExecution = { phases: ['FAILED'], error: { code: 'USER:x', message: 'x' } };
    await app.train({}, { wait: false });
    const before = model.artifact;
    const latest = await app.fetchModel();
    expect(latest.modelVersion).toBe(first.name);
    expect(model.artifact).toBe(before);
    const request = callsOf('listExecutions').at(-1) as flyteidl.admin.IResourceListRequest;
    expect(request.filters).toBe('value_in(launch_plan.name,test_model.train;nightly;weekly)+eq(phase,SUCCEEDED)');
    expect(request.sortBy).toEqual({ key: 'created_at', direction: flyteidl.admin.Sort.Direction.DESCENDING });
    await expect(app.fetchModel('latest', { appVersion: 'v0' })).rejects.toMatchObject({ code: 'REMOTE_NO_MODEL_VERSION' });
    await expect(app.fetchModel('nosuch')).rejects.toMatchObject({ code: 'REMOTE_EXECUTION_UNKNOWN' });
  });

  it('predicts from features: uploads them as Parquet through DataProxy and runs predict_from_features with the model version’s model file', async () => {
    const { app } = setup();
    for (const name of ['test_model.train', 'test_model.predict', 'test_model.predict_from_features']) fake.addLaunchPlan(name, 'v1');
    const outputs = await trainingOutputs(0, 's3://fake-bucket/data/ab/n1/model.json');
    fake.nextExecution = { phases: ['SUCCEEDED'], outputs };
    const trained = await app.train({}, { wait: false });
    fake.nextExecution = { phases: ['RUNNING', 'SUCCEEDED'], outputs: await predictionOutputs([0, 1]) };
    const predictions = await app.predict(
      {
        features: [
          { x: 1, x2: 2, y: 0 },
          { x: 90, x2: 180, y: 1 },
        ] as never,
      },
      { pollMs: 5 },
    );
    expect(predictions).toEqual([0, 1]);

    const request = callsOf('createExecution').at(-1) as flyteidl.admin.IExecutionCreateRequest;
    expect(request.spec!.launchPlan!.name).toBe('test_model.predict_from_features');
    const literals = request.inputs!.literals!;
    expect(literals['model_object']!.scalar!.blob!.uri).toBe('s3://fake-bucket/data/ab/n1/model.json');
    const dataset = literals['features']!.scalar!.structuredDataset!;
    expect(dataset.metadata!.structuredDatasetType!.format).toBe('parquet');
    expect(dataset.uri).toMatch(/^s3:\/\/fake-bucket\/flytesnacks\/development\/unionml-[0-9a-f]{20}\/[0-9a-f]{16}$/);
    const uploaded = fake.uploads.get(`${dataset.uri}/00000`);
    expect(uploaded?.subarray(0, 4).toString()).toBe('PAR1');
    const upload = callsOf('createUploadLocation').at(-1) as flyteidl.service.ICreateUploadLocationRequest;
    expect(upload).toMatchObject({ project: 'flytesnacks', domain: 'development', addContentMd5Metadata: true });
    expect(upload.contentMd5).toHaveLength(16);
    expect(trained.name).toMatch(/^f/);
  });

  it('predicts from reader arguments with {model}.predict; listPredictionIds lists both kinds of prediction', async () => {
    const { app } = setup();
    for (const name of ['test_model.train', 'test_model.predict', 'test_model.predict_from_features']) fake.addLaunchPlan(name, 'v1');
    fake.nextExecution = { phases: ['SUCCEEDED'], outputs: await trainingOutputs(0, 's3://fake-bucket/data/cd/n1/model.json') };
    const trained = await app.train({}, { wait: false });
    fake.nextExecution = { phases: ['SUCCEEDED'], outputs: await predictionOutputs([1]) };
    const execution = await app.predict({ n: 20 }, { wait: false, modelVersion: trained.name });
    expect(execution.launchPlan.name).toBe('test_model.predict');
    const request = callsOf('createExecution').at(-1) as flyteidl.admin.IExecutionCreateRequest;
    expect(Object.keys(request.inputs!.literals!).sort()).toEqual(['model_object', 'n']);
    expect(await app.fetchPredictions(execution)).toEqual([1]);
    expect(await app.listPredictionIds({ appVersion: 'v1' })).toEqual([execution.name]);
    expect((callsOf('listExecutions').at(-1) as flyteidl.admin.IResourceListRequest).filters).toBe(
      'value_in(launch_plan.name,test_model.predict;test_model.predict_from_features;hourly_predictions)+eq(launch_plan.version,v1)+eq(phase,SUCCEEDED)',
    );
    // A prediction is not a model version, and a training has no predictions.
    await expect(app.predict({ n: 20 }, { modelVersion: execution.name })).rejects.toMatchObject({ code: 'REMOTE_EXECUTION_UNKNOWN' });
    await expect(app.fetchPredictions(trained)).rejects.toMatchObject({ code: 'REMOTE_EXECUTION_UNKNOWN' });
  });

  it('lists the model versions of an app version, newest first, at most limit', async () => {
    const { app } = setup();
    fake.addLaunchPlan('test_model.train', 'v1');
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await app.train({}, { wait: false })).name);
    expect(await app.listModelVersions({ appVersion: 'v1', limit: 2 })).toEqual([names[2], names[1]]);
    expect(await app.listModelVersions({ appVersion: 'v0' })).toEqual([]);
    const request = callsOf('listExecutions').at(-1) as flyteidl.admin.IResourceListRequest;
    expect(request).toMatchObject({
      limit: 10,
      filters: 'value_in(launch_plan.name,test_model.train;nightly;weekly)+eq(launch_plan.version,v0)+eq(phase,SUCCEEDED)',
    });
  });
});

describe('schedules', () => {
  it('activates and deactivates (deactivate deactivates), by name or all', async () => {
    const { app } = setup();
    for (const name of ['nightly', 'weekly', 'hourly_predictions']) fake.addLaunchPlan(name, 'v1');
    expect(await app.activateSchedules({ appVersion: 'v1' })).toEqual(['nightly', 'weekly', 'hourly_predictions']);
    expect([...fake.states.values()]).toEqual([1, 1, 1]);
    expect(await app.deactivateSchedules({ appVersion: 'v1', names: ['weekly'] })).toEqual(['weekly']);
    expect(Object.fromEntries(fake.states)).toEqual({ 'nightly/v1': 1, 'weekly/v1': 0, 'hourly_predictions/v1': 1 });
  });

  it("names an unknown schedule with Python UnionML's message; prediction runs are the prediction schedule's", async () => {
    const { app } = setup();
    await expect(app.activateSchedules({ appVersion: 'v1', names: ['daily'] })).rejects.toThrow(
      "Schedule 'daily' does not exist. Must be one of ['nightly', 'weekly', 'hourly_predictions']",
    );
    await expect(app.listScheduledTrainingRuns('hourly_predictions', { appVersion: 'v1' })).rejects.toMatchObject({
      code: 'REMOTE_SCHEDULE_UNKNOWN',
      kind: 'input',
      message: "Schedule 'hourly_predictions' does not exist. Must be one of ['nightly', 'weekly']",
    });
    expect(await app.listScheduledPredictionRuns('hourly_predictions', { appVersion: 'v1' })).toEqual([]);
    expect(callsOf('listExecutions').at(-1)).toMatchObject({ limit: 5, filters: 'eq(launch_plan.name,hourly_predictions)+eq(launch_plan.version,v1)' });
  });
});

describe('deploy', () => {
  function ctx(): RemoteContext {
    const { model } = makeApp();
    return {
      model,
      project: 'ts-project',
      domain: 'development',
      appDir: work,
      app: 'app:model',
      registry: undefined,
      imageName: undefined,
      dockerfile: undefined,
      patchDestinationDir: undefined,
      logger: memoryLogger(),
      connection: new Connection({ admin: fake.client, config }),
      cache: {},
    };
  }
  const target = { address: { module: 'app', exportName: 'model' }, image: 'localhost:30000/unionml:test-model-v1', version: 'v1', schedule: true };

  it('creates the project, registers tasks, workflows and launch plans, activates the activateOnDeploy schedules; again it is a no-op', async () => {
    const first = await registerApp(ctx(), fake.client, target);
    expect(fake.projects.has('ts-project')).toBe(true);
    expect(first.registered.map((e) => `${e.kind} ${e.name} ${e.created}`)).toEqual([
      'task test_dataset.dataset_task true',
      'task test_model.train_task true',
      'task test_model.predict_task true',
      'task test_model.predict_from_features_task true',
      'workflow test_model.train true',
      'workflow test_model.predict true',
      'workflow test_model.predict_from_features true',
      'launchPlan test_model.train true',
      'launchPlan test_model.predict true',
      'launchPlan test_model.predict_from_features true',
      'launchPlan nightly true',
      'launchPlan weekly true',
      'launchPlan hourly_predictions true',
    ]);
    expect(first.activated).toEqual(['nightly', 'hourly_predictions']);
    const again = await registerApp(ctx(), fake.client, target);
    expect(again.registered.every((e) => !e.created)).toBe(true);
    expect(callsOf('registerProject')).toHaveLength(1);
    // Without schedules: none registered or activated.
    const none = await registerApp(ctx(), fake.client, { ...target, version: 'v2', schedule: false });
    expect(none.registered.map((e) => e.name)).not.toContain('nightly');
    expect(none.activated).toEqual([]);
  });

  it('a version registered with another definition is REMOTE_VERSION_CONFLICT (state), saying to bump the version or commit', async () => {
    await registerApp(ctx(), fake.client, target);
    const error = await registerApp(ctx(), fake.client, { ...target, image: 'localhost:30000/unionml:other' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_VERSION_CONFLICT', kind: 'state' });
    expect((error as Error).message).toMatch(
      /^app version v1 of model 'test_model' is already registered in ts-project\/development with a different task test_\w+\.\w+: test_\w+\.\w+ task with different structure already exists\. \(Please register a new version of the task\):$/,
    );
    expect((error as { hint: string }).hint).toBe('commit your changes (the app version is the commit) or pass a new app version');
  });

  /** A committed app folder with a .dockerignore; returns it and its commit. */
  function gitApp(): { dir: string; sha: string } {
    const dir = mkdtempSync(join(work, 'git-app-'));
    writeFileSync(join(dir, 'app.ts'), 'export const model = undefined;\n');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, '.dockerignore'), 'node_modules\n*.log\n');
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), '');
    writeFileSync(join(dir, 'debug.log'), 'left out');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    return { dir, sha: git('rev-parse', 'HEAD') };
  }

  it('--patch with no deployed app version is REMOTE_NOT_DEPLOYED: there is no image to reuse', async () => {
    const { dir } = gitApp();
    const error = await remote(makeApp().model, { admin: fake.client, config, appDir: dir, app: 'app:model', logger: memoryLogger(), env: {} })
      .deploy({ patch: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'REMOTE_NOT_DEPLOYED',
      message:
        "model 'test_model' has no app version in flytesnacks/development whose image a patch could reuse (FlyteAdmin has no task test_model.train_task)",
      hint: expect.stringContaining('deploy once without --patch') as string,
    });
    expect(fake.uploads.size).toBe(0);
  });

  it('--patch uploads the code as the image build sees it and registers {commit}-patch{digest} on the last image, running fast-execute first; the same code again is a no-op', async () => {
    const { dir, sha } = gitApp();
    await registerApp({ ...ctx(), project: 'flytesnacks' }, fake.client, target);
    writeFileSync(join(dir, 'app.ts'), 'export const model = 1; // uncommitted\n');
    const app = remote(makeApp().model, { admin: fake.client, config, appDir: dir, app: 'app:model', logger: memoryLogger(), env: {} });
    const result = await app.deploy({ patch: true });
    expect(result.appVersion).toMatch(new RegExp(`^${sha}-patch[0-9a-f]{7}$`));
    expect(result.image).toBe(target.image);
    expect(result.patch).toMatchObject({ of: 'v1', files: 3 });
    expect(result.registered.every((e) => e.created && e.version === result.appVersion)).toBe(true);

    const archive = fake.uploads.get(result.patch!.distribution)!;
    expect(readTar(gunzipSync(archive)).map((f) => [f.name, Buffer.from(f.data).toString()])).toEqual([
      ['.dockerignore', 'node_modules\n*.log\n'],
      ['Dockerfile', 'FROM scratch\n'],
      ['app.ts', 'export const model = 1; // uncommitted\n'],
    ]);
    const task = fake.calls.filter((c) => c.method === 'createTask').at(-1)!.request as flyteidl.admin.ITaskCreateRequest;
    expect(task.spec!.template!.container!.image).toBe(target.image);
    expect(task.spec!.template!.container!.args!.slice(0, 8)).toEqual([
      'unionml',
      'fast-execute',
      '--additional-distribution',
      result.patch!.distribution,
      '--',
      'unionml',
      'execute',
      '--inputs',
    ]);
    expect(result.patch!.distribution).toMatch(/^s3:\/\/fake-bucket\/flytesnacks\/development\/unionml-fast-[0-9a-f]{32}\/fast[0-9a-f]{32}\.tar\.gz$/);

    const again = await app.deploy({ patch: true });
    expect(again.appVersion).toBe(result.appVersion);
    expect(again.registered.some((e) => e.created)).toBe(false);
    writeFileSync(join(dir, 'app.ts'), 'export const model = 2;\n');
    const changed = await app.deploy({ patch: true });
    expect(changed.appVersion).not.toBe(result.appVersion);
    expect(changed.patch!.of).toBe(result.appVersion);
  });

  it("needs a registry for a cluster that is not on this machine (Python UnionML's error), before building anything", async () => {
    const { app } = setup();
    await expect(app.deploy({ appVersion: 'v1' })).rejects.toMatchObject({
      code: 'IMAGE_REGISTRY_REQUIRED',
      message: 'You must specify a registry in `remote(model, { registry })` when deploying to a remote cluster (endpoint fake:30080).',
    });
  });
});
