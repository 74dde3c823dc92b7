// The Flyte lab's acceptance with flytectl v0.9.8 and UnionML's digits app, as the "Flyte Cluster" guide's user
// works against `flytectl demo start`: build and push the app's image to the registry on localhost:30000, create a
// project, `flytectl register files` the bundle of `unionml package`, read the entities back, create executions from
// an execution spec file, and read the outputs with flytekit's FlyteRemote; real flytepropeller runs both tasks in the
// digits image (pulled from the registry by the pod runner) and the model file it writes loads in UnionML.
// Also what the control plane refuses: a workflow with a type error and an execution without a required input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flyteidl, readBundle, writeBundle } from '@unionml/flyte';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runAsync } from '../support.js';
import { adminHttp, domain, expectLabUp, flytectl, flytectlJson, flytectlOk, flytekitRemote, waitForExecution } from './support.js';

const cli = join(repoRoot, 'apps', 'cli', 'bin', 'unionml.js');
const digits = join(repoRoot, 'examples', 'digits');
const work = mkdtempSync(join(tmpdir(), 'unionml-lab-digits-'));
const stamp = Date.now().toString(36);
const project = `digits${stamp}`;
const version = `lab${stamp}`;
const image = `localhost:30000/unionml:digits-classifier-${version}`;
const unionml = (args: string[], cwd = digits) => runAsync(process.execPath, [cli, ...args], { cwd, timeoutMs: 900_000 });

/**
 * The train launch plan's inputs as a user writes them in a flytectl execution spec: plain YAML maps (flytectl turns
 * them into STRUCT literals). The spec `flytectl get launchplan --execFile` writes shows the defaults as msgpack bytes
 * ({value: [...], tag: msgpack}), which flytectl cannot read back as msgpack: it would send that map itself.
 */
function trainInputs(hyperparameters: Record<string, number>): string {
  const map = (o: Record<string, number>) =>
    Object.keys(o).length
      ? `\n${Object.entries(o)
          .map(([k, v]) => `        ${k}: ${v}`)
          .join('\n')}`
      : ' {}';
  return `inputs:\n    hyperparameters:${map(hyperparameters)}\n    loader_kwargs: {}\n    parser_kwargs: {}\n    splitter_kwargs: {}\n`;
}

/** Replaces the `inputs:` block of an execution spec file. */
const withInputs = (inputs: string) => (yaml: string) => yaml.replace(/^inputs:\n(?:\s{4}.*\n)+/m, inputs);

/** An execution spec file from `flytectl get launchplan --execFile`, with `edit` applied to its text. */
async function execFile(launchPlan: string, name: string, edit: (yaml: string) => string = (y) => y): Promise<string> {
  const file = join(work, `${name}.yaml`);
  await flytectlOk(['get', 'launchplan', '-p', project, '-d', domain, launchPlan, '--version', version, '--execFile', file]);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return file;
}

/** `flytectl create execution --execFile`; returns the new execution's name. */
async function createExecution(file: string): Promise<string> {
  const out = await flytectlOk(['create', 'execution', '--execFile', file, '-p', project, '-d', domain]);
  const name = /name:"([a-z0-9-]+)"/.exec(out)?.[1];
  expect(name, out).toBeTruthy();
  return name!;
}

/**
 * The log link propeller put on a node's task execution (its log template: the pod runner's file, served by the
 * control plane), read through FlyteAdmin's REST gateway as the console reads it (snake_case JSON for
 * Accept: application/json).
 */
async function taskLogLink(execution: string, nodeId: string): Promise<string> {
  const url = `${adminHttp}/api/v1/task_executions/${project}/${domain}/${execution}/${nodeId}?limit=10`;
  const tasks = (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as {
    task_executions: { closure: { logs?: { uri: string; name: string }[] } }[];
  };
  const uri = tasks.task_executions[0]?.closure.logs?.find((l) => l.name.startsWith('Pod logs (flyte-lab)'))?.uri;
  expect(uri, JSON.stringify(tasks)).toMatch(/^http:\/\/localhost:30080\/logs\//);
  return uri!;
}

beforeAll(async () => {
  await expectLabUp();
  // The image, pushed to the lab's registry as `unionml build --sandbox --push` does for a demo cluster; the local
  // tag is then removed, so that the pod runner pulls it from localhost:30000 as the demo cluster's kubelet would.
  const built = await unionml([
    'build',
    'app:model',
    '--version',
    version,
    '--build-arg',
    'BASE_IMAGE=unionml-node-base:latest',
    '--network',
    'host',
    '--sandbox',
    '--push',
    '--json',
  ]);
  expect(built.status, built.stderr.slice(-3000)).toBe(0);
  expect((JSON.parse(built.stdout) as { image: string; pushed: boolean }).image).toBe(image);
  spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
}, 900_000);

afterAll(() => {
  // The pulled image (its layers stay shared with the other digits images on the daemon).
  spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
});

describe('flytectl and the digits app on the lab', () => {
  it('creates a project and lists it', async () => {
    await flytectlOk(['create', 'project', '--id', project, '--name', project, '--description', 'the lab e2e suite']);
    const projects = await flytectlJson<{ id: string; domains: { id: string }[] }[] | { id: string; domains: { id: string }[] }>(['get', 'project', project]);
    const found = Array.isArray(projects) ? projects.find((p) => p.id === project) : projects;
    expect(found?.domains.map((d) => d.id)).toEqual(['development', 'staging', 'production']);
    const again = await flytectl(['create', 'project', '--id', project, '--name', project]);
    expect(again.status).not.toBe(0);
    expect(again.stdout + again.stderr).toMatch(/already exists/i);
  });

  it('registers the bundle of unionml package with flytectl register files, twice (the second time changes nothing)', async () => {
    const bundle = join(work, 'digits.tgz');
    const packaged = await unionml(['package', 'app:model', '--image', image, '--version', version, '-p', project, '-d', domain, '-o', bundle, '--json']);
    expect(packaged.status, packaged.stderr).toBe(0);
    for (let i = 0; i < 2; i++) {
      const out = await flytectlOk(['register', 'files', '--archive', bundle, '-p', project, '-d', domain, '--version', version]);
      expect(out.match(/\| Success /g), out).toHaveLength(10);
    }
  });

  it('reads the task, workflow and launch plan back', async () => {
    const task = await flytectlJson<{ id: { name: string; version: string }; closure: { compiledTask: { template: { container: { image: string } } } } }>([
      'get',
      'task',
      '-p',
      project,
      '-d',
      domain,
      'digits_classifier.train_task',
      '--version',
      version,
    ]);
    expect(task.id).toMatchObject({ name: 'digits_classifier.train_task', version });
    expect(task.closure.compiledTask.template.container.image).toBe(image);
    const workflow = await flytectlJson<{ id: { name: string } }>([
      'get',
      'workflow',
      '-p',
      project,
      '-d',
      domain,
      'digits_classifier.train',
      '--version',
      version,
    ]);
    expect(workflow.id.name).toBe('digits_classifier.train');
    const lp = await flytectlJson<{ id: { name: string }; closure: { expectedInputs: { parameters: Record<string, unknown> } } }>([
      'get',
      'launchplan',
      '-p',
      project,
      '-d',
      domain,
      'digits_classifier.train',
      '--version',
      version,
    ]);
    expect(Object.keys(lp.closure.expectedInputs.parameters)).toContain('hyperparameters');
  });

  it('trains on the cluster: both tasks run in the digits image, FlyteRemote reads the outputs, the model file loads in UnionML', async () => {
    const name = await createExecution(await execFile('digits_classifier.train', 'train', withInputs(trainInputs({ learningRate: 0.05, epochs: 200 }))));
    const done = await waitForExecution(project, name, 900_000);
    expect(done.closure.phase, JSON.stringify(done.closure.error)).toBe('SUCCEEDED');

    const download = join(work, 'outputs');
    const remote = await flytekitRemote<{
      phase: string;
      outputs: unknown;
      nodes: { id: string; phase: string }[];
    }>(['outputs', '--project', project, '--domain', domain, '--name', name, '--download', download]);
    expect(remote.status, remote.stderr.slice(-2000)).toBe(0);
    expect(remote.json.phase).toBe('SUCCEEDED');
    expect(remote.json.nodes.filter((n) => n.id.startsWith('n')).map((n) => n.phase)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // The outputs: the hyperparameters, the metrics of each split and the model file (a blob, downloaded).
    const outputs = remote.json.outputs as { metrics: Record<string, number>; model_object: { blob: { uri: string; path: string } } };
    expect(outputs.metrics['test.accuracy'], JSON.stringify(outputs)).toBeGreaterThan(0.9);
    expect(outputs.model_object.blob.uri).toMatch(/^s3:\/\/my-s3-bucket\/data\//);
    const modelFile = outputs.model_object.blob;

    const predicted = await unionml(['predict', 'app:model', '--local', '--model-path', modelFile.path, '-f', 'data/sample_features.json', '--json']);
    expect(predicted.status, predicted.stderr).toBe(0);
    const features = JSON.parse(readFileSync(join(digits, 'data', 'sample_features.json'), 'utf8')) as unknown[];
    expect((JSON.parse(predicted.stdout) as { predictions: number[] }).predictions).toHaveLength(features.length);

    // Each task's log link is served by the control plane (an empty file: a successful task prints nothing).
    const log = await fetch(await taskLogLink(name, 'n1'));
    expect(log.status).toBe(200);
  });

  it("a failing task's error reaches the execution's error", async () => {
    // learningRate must be positive (the app's zod schema): the training task fails with the validation message.
    const file = await execFile('digits_classifier.train', 'train-bad', withInputs(trainInputs({ learningRate: -1 })));
    const done = await waitForExecution(project, await createExecution(file), 900_000);
    expect(done.closure.phase).toBe('FAILED');
    expect(done.closure.error?.message).toMatch(/HyperparametersError: invalid hyperparameters for model .digits_classifier.:\s+- 'learningRate': Too small/);
    // The task's output, through its log link.
    const log = await fetch(await taskLogLink(done.id.name, 'n1'));
    expect(await log.text()).toContain("HyperparametersError: invalid hyperparameters for model 'digits_classifier'");
  });

  it("refuses an execution without a required input, with FlyteAdmin's message", async () => {
    // Written by hand: flytectl cannot write a spec for this launch plan (its structured dataset input has no YAML
    // form in flytectl: "Input Type [structured_dataset_type:{format:"parquet"}] not supported").
    const file = join(work, 'predict-missing.yaml');
    writeFileSync(file, `inputs: {}\nenvs: {}\nversion: ${version}\nworkflow: digits_classifier.predict_from_features\n`);
    const result = await flytectl(['create', 'execution', '--execFile', file, '-p', project, '-d', domain]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/InvalidArgument/);
    // Both model_object and features are missing; FlyteAdmin names the first it finds (a Go map: either one).
    expect(result.stdout + result.stderr).toMatch(/expected_inputs (model_object|features) missing/);
  });

  it('refuses a workflow with a type error at registration, with the compiler message', async () => {
    const bundle = await readBundle(join(work, 'digits.tgz'));
    const train = bundle.workflows.find((w) => w.template?.id?.name === 'digits_classifier.train')!;
    const broken = flyteidl.admin.WorkflowSpec.decode(flyteidl.admin.WorkflowSpec.encode(train).finish());
    broken.template!.id!.name = 'digits_classifier.train_broken';
    // Declare every output of the workflow as a string: the nodes' outputs bound to them are not strings.
    for (const variable of Object.values<flyteidl.core.IVariable>(broken.template!.interface!.outputs!.variables!)) {
      variable.type = { simple: flyteidl.core.SimpleType.STRING };
    }
    const file = join(work, 'broken.tgz');
    await writeBundle(file, { tasks: [], workflows: [broken], launchPlans: [] });
    const result = await flytectl(['register', 'files', '--archive', file, '-p', project, '-d', domain, '--version', version]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/failed to compile workflow/);
    expect(result.stdout + result.stderr).toMatch(/MismatchingTypes|mismatch/i);
  });

  it('activates the train launch plan with flytectl update launchplan --activate', async () => {
    await flytectlOk(['update', 'launchplan', '-p', project, '-d', domain, 'digits_classifier.train', '--version', version, '--activate', '--force']);
    const lp = await flytectlJson<{ closure: { state?: string } }>([
      'get',
      'launchplan',
      '-p',
      project,
      '-d',
      domain,
      'digits_classifier.train',
      '--version',
      version,
    ]);
    expect(lp.closure.state).toBe('ACTIVE');
  });
});
