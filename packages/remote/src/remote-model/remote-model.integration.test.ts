// remote(model) against the Flyte lab (tools/flyte-lab: FlyteAdmin's API on localhost:30080, MinIO on :30002, a
// registry on :30000, real flytepropeller and a pod runner; its client config in tools/flyte-lab/.state/config.yaml),
// with the digits example: deploy (image built on the local daemon with `--network host` from the local base image,
// pushed to the lab's registry; a project of its own; a unique app version per run), train with and without waiting,
// predict from features (compared with a local prediction from the same model file) and from the reader, model
// versions, a failing training, a re-deploy, and the faults a user meets: a failed or unknown model version, an
// execution terminated while waited for, another definition under a deployed version, a push the registry refuses,
// an unknown project or app version, an unreachable endpoint.
// Skipped, saying so, when the lab (or the Docker daemon and its base image) is not there: `npx nx run flyte-lab:up`
// (failed instead when UNIONML_REQUIRE_LAB is set, as CI sets it once the lab is up).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type AnyModel } from '@unionml/core';
import { flyteidl } from '@unionml/flyte';
import { AdminClient, readFlyteConfig } from '@unionml/flyte/admin';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../test-support/app.js';
import { remote, type RemoteModel } from './remote-model.js';
import type { ExecutionProgress, RemoteArtifact, RemoteExecution } from './types.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const digits = join(repo, 'examples', 'digits');
const LAB_CONFIG = process.env['FLYTE_LAB_CONFIG'] ?? join(repo, 'tools', 'flyte-lab', '.state', 'config.yaml');
const LAB_ADMIN = `http://127.0.0.1:${process.env['FLYTE_LAB_ADMIN_PORT'] ?? '30080'}`;
const BASE_IMAGE = 'unionml-node-base:latest';

async function labProblem(): Promise<string | undefined> {
  const health = await fetch(`${LAB_ADMIN}/healthcheck`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => (r.ok ? undefined : `HTTP ${r.status}`),
    (error: unknown) => String(error),
  );
  if (health)
    return `the Flyte lab does not answer at ${LAB_ADMIN}/healthcheck (${health}): start it with \`npx nx run flyte-lab:up\` (tools/flyte-lab/README.md)`;
  if (!existsSync(LAB_CONFIG)) return `${LAB_CONFIG} is missing: start the lab with \`npx nx run flyte-lab:up\``;
  const image = spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { encoding: 'utf8' });
  if (image.status !== 0) return `no Docker daemon with the base image ${BASE_IMAGE}: run \`npm run docker:up\``;
  return undefined;
}

const SKIP = await labProblem();
if (SKIP) console.warn(`remote-model.integration.test.ts skipped: ${SKIP}`);

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
  .toString(36)
  .padStart(2, '0')}`;
const project = `tsremote${stamp}`;
const appVersion = `it${stamp}`;
const features = JSON.parse(readFileSync(join(digits, 'data', 'sample_features.json'), 'utf8')) as Record<string, number>[];
const logger = memoryLogger();
const timings: Record<string, string> = {};
const seconds = (since: number) => (performance.now() - since) / 1000;

let model: AnyModel;
let app: RemoteModel;
let image = '';
let trained: RemoteArtifact;
let second: RemoteExecution<'train'>;
let failedVersion = '';

describe('remote(model) with the digits app on the Flyte lab', () => {
  beforeEach((context) => {
    // In CI (UNIONML_REQUIRE_LAB) a missing lab fails these tests instead of skipping them.
    if (SKIP && process.env['UNIONML_REQUIRE_LAB']) throw new Error(SKIP);
    if (SKIP) context.skip(SKIP);
  });
  beforeAll(async () => {
    if (SKIP) return;
    model = await loadModel('app:model', { cwd: digits });
    app = remote(model, { config: LAB_CONFIG, project, appDir: digits, logger }) as RemoteModel;
  });
  afterAll(async () => {
    await app?.close();
    if (image) spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
    if (Object.keys(timings).length)
      console.log(
        `remote model on the lab (project ${project}):\n${Object.entries(timings)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}`,
      );
  });

  it('deploys: builds the image and pushes it to the lab registry, creates the project, registers 4 tasks, 3 workflows, 3 launch plans', async () => {
    const started = performance.now();
    const deployed = await app.deploy({ appVersion, buildArgs: { BASE_IMAGE }, network: 'host' });
    timings['deploy (first; the image cache is whatever the daemon has)'] =
      `${seconds(started).toFixed(1)} s (build and push ${deployed.seconds.build.toFixed(1)} s, register ${deployed.seconds.register.toFixed(2)} s)`;
    image = deployed.image;
    expect(deployed).toMatchObject({
      appVersion,
      project,
      domain: 'development',
      image: `localhost:30000/unionml:digits-classifier-${appVersion}`,
      activated: [],
    });
    expect(deployed.registered.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'task digits_dataset.dataset_task',
      'task digits_classifier.train_task',
      'task digits_classifier.predict_task',
      'task digits_classifier.predict_from_features_task',
      'workflow digits_classifier.train',
      'workflow digits_classifier.predict',
      'workflow digits_classifier.predict_from_features',
      'launchPlan digits_classifier.train',
      'launchPlan digits_classifier.predict',
      'launchPlan digits_classifier.predict_from_features',
    ]);
    expect(deployed.registered.every((e) => e.created && e.version === appVersion)).toBe(true);
    const tags = (await (await fetch('http://127.0.0.1:30000/v2/unionml/tags/list')).json()) as { tags: string[] };
    expect(tags.tags).toContain(`digits-classifier-${appVersion}`);
  }, 900_000);

  it('deploying the same version again builds from the cache and registers nothing new', async () => {
    const started = performance.now();
    const again = await app.deploy({ appVersion, buildArgs: { BASE_IMAGE }, network: 'host' });
    timings['deploy again (warm image cache, nothing new to register)'] =
      `${seconds(started).toFixed(1)} s (build and push ${again.seconds.build.toFixed(1)} s, register ${again.seconds.register.toFixed(2)} s)`;
    expect(again.registered).toHaveLength(10);
    expect(again.registered.filter((e) => e.created)).toEqual([]);
  }, 900_000);

  it('trains and waits: the metrics, the hyperparameters, and a model object that predicts', async () => {
    const started = performance.now();
    trained = await app.train({ hyperparameters: { epochs: 200 } }, { appVersion });
    timings['train (wait), in all'] = `${seconds(started).toFixed(1)} s`;
    expect(trained.metrics.test?.['accuracy']).toBeGreaterThan(0.9);
    expect(trained.hyperparameters).toEqual({ learningRate: 0.05, epochs: 200, l2: 0.0001 });
    expect(trained.modelUri).toMatch(/^s3:\/\/my-s3-bucket\/data\/.*\/model\.json$/);
    expect(trained.modelVersion).toMatch(/^[a-z][a-z0-9]+$/);
    expect(model.artifact?.modelObject).toBe(trained.modelObject);
    const predictions: unknown = await model.predict({ features });
    expect(predictions as number[]).toHaveLength(features.length);
    const link = logger.messages.find((m) => m.includes(trained.modelVersion))!;
    expect(link).toBe(
      `Executing digits_classifier.train, execution name: ${trained.modelVersion}.\nGo to http://localhost:30080/console/projects/${project}/domains/development/executions/${trained.modelVersion} to see the execution in the console.`,
    );
    expect((await fetch(link.split('Go to ')[1]!.split(' ')[0]!)).status).toBe(200);
  }, 900_000);

  it('trains without waiting: a handle at once, then wait (with progress) and load', async () => {
    let started = performance.now();
    second = await app.train({ hyperparameters: { epochs: 100 } }, { appVersion, wait: false });
    const submit = seconds(started);
    expect(second).toMatchObject({ kind: 'train', project, domain: 'development', launchPlan: { name: 'digits_classifier.train', version: appVersion } });
    started = performance.now();
    const progress: ExecutionProgress[] = [];
    const status = await app.wait(second, { onProgress: (p) => progress.push(p) });
    const waited = seconds(started);
    expect(status).toMatchObject({ name: second.name, phase: 'SUCCEEDED' });
    // The node names come from the workflow's compiled closure (GetWorkflow): admin's node executions have only ids.
    expect(status.nodes.map((n) => `${n.name} (${n.id}) ${n.phase}`)).toEqual(['dataset_task (n0) SUCCEEDED', 'train_task (n1) SUCCEEDED']);
    expect(progress.map((p) => p.phase)).toContain('RUNNING');
    started = performance.now();
    const loaded = await app.load(second);
    const load = seconds(started);
    expect(loaded.modelVersion).toBe(second.name);
    expect(loaded.metrics.test?.['accuracy']).toBeGreaterThan(0.9);
    timings['train (no wait, then wait, then load)'] =
      `our client ${(submit + load).toFixed(2)} s (create execution ${submit.toFixed(2)} s, outputs and model file ${load.toFixed(2)} s), ` +
      `the cluster ${waited.toFixed(1)} s waited (Flyte's duration ${status.durationSeconds.toFixed(1)} s; nodes ${status.nodes.map((n) => `${n.id} ${n.seconds.toFixed(1)} s`).join(', ')})`;
  }, 900_000);

  it("FlyteAdmin's DataProxy GetData on a flyte:// URL gives a finished node's outputs as GetNodeExecutionData does", async () => {
    // (A test of @unionml/flyte/admin's client, here because this file has finished executions of its own.)
    const admin = await AdminClient.connect(readFlyteConfig({ path: LAB_CONFIG, env: {} }));
    try {
      const executionId = { project, domain: 'development', name: second.name };
      const { nodeExecutions } = await admin.service.listNodeExecutions({ workflowExecutionId: executionId, limit: 50 });
      const node = nodeExecutions.find((n) => !['start-node', 'end-node'].includes(n.id!.nodeId!))!;
      expect(node.id!.nodeId).toMatch(/^n\d$/);
      const expected = await admin.service.getNodeExecutionData({ id: { nodeId: node.id!.nodeId!, executionId } });
      const data = await admin.dataProxy.getData({ flyteUrl: `flyte://v1/${project}/development/${second.name}/${node.id!.nodeId!}/o` });
      expect(Object.keys(data.literalMap?.literals ?? {}).length).toBeGreaterThan(0);
      expect(flyteidl.core.LiteralMap.encode(data.literalMap!).finish()).toEqual(flyteidl.core.LiteralMap.encode(expected.fullOutputs!).finish());
    } finally {
      admin.close();
    }
  });

  it('predicts from features on the cluster as the local predict does with the same model file', async () => {
    const fetched = await app.fetchModel(trained.modelVersion, { appVersion });
    const local = remote(model, { config: LAB_CONFIG, project, appDir: digits, logger }) as RemoteModel;
    const started = performance.now();
    const execution = await local.predict({ features }, { appVersion, modelVersion: trained.modelVersion, wait: false });
    const submit = seconds(started);
    const status = await local.wait(execution);
    const waited = seconds(started) - submit;
    const fetchStarted = performance.now();
    const predictions = await local.fetchPredictions(execution);
    const fetch = seconds(fetchStarted);
    await local.close();
    timings['predict from features'] =
      `our client ${(submit + fetch).toFixed(2)} s (model version, upload, create execution ${submit.toFixed(2)} s; predictions ${fetch.toFixed(2)} s), the cluster ${waited.toFixed(1)} s waited (Flyte's duration ${status.durationSeconds.toFixed(1)} s)`;
    expect(execution.launchPlan.name).toBe('digits_classifier.predict_from_features');
    await model.load(fetched.modelFile);
    expect(predictions).toEqual(await model.predict({ features }));
  }, 900_000);

  it('predicts from the reader (the dataset task, then the predict task) with {model}.predict', async () => {
    const started = performance.now();
    const predictions = await app.predict({}, { appVersion, modelVersion: second.name });
    timings['predict from the reader (wait), in all'] = `${seconds(started).toFixed(1)} s`;
    expect(predictions).toHaveLength(1797);
    expect(await app.listPredictionIds({ appVersion })).toHaveLength(2);
  }, 900_000);

  it("lists the app version's model versions, newest first, and fetches the latest", async () => {
    expect(await app.listModelVersions({ appVersion })).toEqual([second.name, trained.modelVersion]);
    const output = join(mkdtempSync(join(tmpdir(), 'unionml-remote-it-')), 'model.json');
    const latest = await app.fetchModel('latest', { appVersion, output });
    expect(latest).toMatchObject({ modelVersion: second.name, modelFile: output, hyperparameters: { epochs: 100 } });
    expect(JSON.parse(readFileSync(output, 'utf8'))).toMatchObject({ format: 'unionml.model', model: 'digits_classifier' });
  }, 900_000);

  it("a training that fails carries the task's own message in a coded app error", async () => {
    const error = await app.train({ hyperparameters: { learningRate: 1e300, epochs: 3 } }, { appVersion }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_EXECUTION_FAILED', kind: 'app' });
    expect((error as Error).message).toMatch(
      /^execution \w+ of digits_classifier\.train \(version it\w+\) failed: .*training diverged: the weights are NaN or infinite/s,
    );
    expect((error as { url: string }).url).toMatch(/^http:\/\/localhost:30080\/console\/projects\//);
    failedVersion = (error as { execution: string }).execution;
  }, 900_000);

  it("a model version that failed is the training's own failure; one that does not exist is REMOTE_EXECUTION_UNKNOWN", async () => {
    expect(failedVersion).toMatch(/^[a-z][a-z0-9]+$/);
    const failed = await app.fetchModel(failedVersion).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'REMOTE_EXECUTION_FAILED', execution: failedVersion });
    expect((failed as Error).message).toContain('training diverged: the weights are NaN or infinite');
    const prediction = await app.predict({ features }, { modelVersion: failedVersion, wait: false }).catch((e: unknown) => e);
    expect(prediction).toMatchObject({ code: 'REMOTE_EXECUTION_FAILED', execution: failedVersion });
    const unknown = await app.fetchModel('nosuchexecution').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'REMOTE_EXECUTION_UNKNOWN', kind: 'input', status: 404 });
    expect((unknown as Error).message).toBe(`model version nosuchexecution does not exist in ${project}/development`);
  }, 900_000);

  it('an execution terminated while it is waited for is REMOTE_EXECUTION_ABORTED with the cause', async () => {
    const execution = await app.train({ hyperparameters: { epochs: 3 } }, { appVersion, wait: false });
    const admin = await AdminClient.connect(readFlyteConfig({ path: LAB_CONFIG, env: {} }));
    try {
      await admin.service.terminateExecution({ id: { project, domain: 'development', name: execution.name }, cause: 'stopped by the integration test' });
    } finally {
      admin.close();
    }
    const error = await app.wait(execution).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_EXECUTION_ABORTED', kind: 'state', execution: execution.name });
    expect((error as Error).message).toContain('stopped by the integration test');
  }, 900_000);

  it('a deploy of another definition under a deployed version is REMOTE_VERSION_CONFLICT, saying to bump the version or commit', async () => {
    const other = remote(model, { config: LAB_CONFIG, project, appDir: digits, logger, imageName: 'unionml-other' }) as RemoteModel;
    try {
      const error = await other.deploy({ appVersion, buildArgs: { BASE_IMAGE }, network: 'host' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REMOTE_VERSION_CONFLICT', kind: 'state' });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^app version ${appVersion} of model 'digits_classifier' is already registered in ${project}/development with a different task digits_\\w+\\.\\w+: `,
        ),
      );
      expect((error as { hint: string }).hint).toBe('commit your changes (the app version is the commit) or pass a new app version');
    } finally {
      await other.close();
      spawnSync('docker', ['rmi', `localhost:30000/unionml-other:digits-classifier-${appVersion}`], { encoding: 'utf8' });
    }
  }, 900_000);

  it('a push the registry does not take is DOCKER_PUSH_FAILED naming the registry, and nothing is registered', async () => {
    const unreachable = remote(model, { config: LAB_CONFIG, project, appDir: digits, logger, registry: 'localhost:30999' }) as RemoteModel;
    try {
      const error = await unreachable.deploy({ appVersion: `${appVersion}-push`, buildArgs: { BASE_IMAGE }, network: 'host' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DOCKER_PUSH_FAILED' });
      expect((error as Error).message).toContain('localhost:30999');
      const versions = await app.listModelVersions({ appVersion: `${appVersion}-push` });
      expect(versions).toEqual([]);
      const listed = await app.train({}, { appVersion: `${appVersion}-push`, wait: false }).catch((e: unknown) => e);
      expect(listed).toMatchObject({ code: 'REMOTE_VERSION_UNKNOWN' });
    } finally {
      await unreachable.close();
      spawnSync('docker', ['rmi', `localhost:30999/unionml:digits-classifier-${appVersion}-push`], { encoding: 'utf8' });
    }
  }, 900_000);

  it('a project that does not exist is REMOTE_NOT_DEPLOYED naming it', async () => {
    const elsewhere = remote(model, { config: LAB_CONFIG, project: `nosuch${stamp}`, appDir: digits, logger }) as RemoteModel;
    try {
      const error = await elsewhere.train({}, { wait: false }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REMOTE_NOT_DEPLOYED' });
      expect((error as Error).message).toContain(`nosuch${stamp}/development`);
      expect((error as { hint: string }).hint).toContain(`check the project (nosuch${stamp})`);
    } finally {
      await elsewhere.close();
    }
  });

  it('an app version that is not deployed is a coded input error listing the deployed ones', async () => {
    const error = await app.train({}, { appVersion: 'no-such-version', wait: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_VERSION_UNKNOWN', kind: 'input', status: 404 });
    expect((error as Error).message).toBe(
      `app version no-such-version of model 'digits_classifier' is not deployed to ${project}/development: launch plan digits_classifier.train has the versions ${appVersion} (newest first)`,
    );
  });

  it('an endpoint nothing answers on is a coded environment error naming it', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'unionml-remote-it-')), 'config.yaml');
    writeFileSync(config, 'admin:\n  endpoint: dns:///localhost:1\n  insecure: true\n');
    const unreachable = remote(model, { config, appDir: digits, logger }) as RemoteModel;
    const error = await unreachable.train({}, { wait: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FLYTE_ADMIN_UNAVAILABLE', kind: 'environment' });
    expect((error as Error).message).toContain('localhost:1');
    await unreachable.close();
  }, 60_000);
});
