// Benchmark of the remote path against a Flyte cluster: the Flyte lab (`npx nx run flyte-lab:up`) or the cluster
// FLYTECTL_CONFIG names (then pass REGISTRY if it is not on this machine).
//
//   npx nx run bench:remote            (ROUNDS=3 by default)
//
// With the digits example, in a project of its own:
// - deploy with a warm image cache: a new app version each round (the image differs only by its version label, so
//   the build is cached and the push sends one small layer), split into build + push and the registration of the 10
//   entities (4 tasks, 3 workflows, 3 launch plans); a patch deploy (pack and upload the code, register);
// - remote train and remote predict (from features) wall times, split into our client's share (checks, uploads,
//   CreateExecution; outputs and the model file read back) and the cluster's (from the execution's creation to its
//   end, as waited for; Flyte's own duration beside it);
// - a list-model-versions round trip, in process (median of 20) and as a whole `unionml` command (median of 5).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RemoteExecution } from '@unionml/remote';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const digits = join(root, 'examples', 'digits');
const cli = join(root, 'apps', 'cli', 'bin', 'unionml.js');
const labConfig = join(root, 'tools', 'flyte-lab', '.state', 'config.yaml');
const config = process.env['FLYTECTL_CONFIG'] ?? labConfig;
if (!existsSync(config)) throw new Error(`no Flyte config at ${config}: start the lab (npx nx run flyte-lab:up) or set FLYTECTL_CONFIG`);
const rounds = Number(process.env['ROUNDS'] ?? 3);
const BASE_IMAGE = process.env['BASE_IMAGE'] ?? 'unionml-node-base:latest';
const stamp = Date.now().toString(36);
const project = `bench${stamp}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const since = (start: number) => (performance.now() - start) / 1000;
const s = (x: number, digits = 2) => `${x.toFixed(digits)} s`;

const { loadModel, silentLogger } = await import('@unionml/core');
const { remote } = await import('@unionml/remote');
const model = await loadModel('app:model', { cwd: digits });
const app = remote(model, { config, project, appDir: digits, registry: process.env['REGISTRY'], logger: silentLogger });
const features = JSON.parse(readFileSync(join(digits, 'data', 'sample_features.json'), 'utf8')) as Record<string, number>[];
const rows: [string, string][] = [];
const images: string[] = [];

try {
  // The first deploy warms the image cache (and creates the project); it is not counted.
  const deploy = (appVersion: string) => app.deploy({ appVersion, buildArgs: { BASE_IMAGE }, network: 'host' });
  const first = await deploy(`bench${stamp}w`);
  images.push(first.image);
  const warm = [];
  for (let i = 0; i < rounds; i++) {
    const result = await deploy(`bench${stamp}r${i}`);
    images.push(result.image);
    warm.push(result.seconds);
  }
  rows.push([
    `deploy, warm image cache (new app version each), median of ${rounds}`,
    `${s(median(warm.map((w) => w.total)))} (build + push ${s(median(warm.map((w) => w.build)))}, register 10 entities ${s(median(warm.map((w) => w.register)))})`,
  ]);
  const patches = [];
  for (let i = 0; i < rounds; i++) patches.push((await app.deploy({ patch: true, appVersion: `bench${stamp}p${i}` })).seconds);
  rows.push([
    `deploy --patch (no build; pack + upload the code, register), median of ${rounds}`,
    `${s(median(patches.map((p) => p.total)))} (pack + upload ${s(median(patches.map((p) => p.build)))}, register ${s(median(patches.map((p) => p.register)))})`,
  ]);
  const appVersion = `bench${stamp}r0`;

  /** Runs an execution `rounds` times: submitted, waited for, its results read back; our share and the cluster's. */
  async function measure(submit: () => Promise<RemoteExecution>, read: (execution: RemoteExecution) => Promise<unknown>) {
    const times = { client: [] as number[], cluster: [] as number[], flyte: [] as number[], total: [] as number[] };
    let last = '';
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const execution = await submit();
      const submitted = since(start);
      const waitStart = performance.now();
      const status = await app.wait(execution);
      times.cluster.push(since(waitStart));
      const readStart = performance.now();
      await read(execution);
      times.client.push(submitted + since(readStart));
      times.flyte.push(status.durationSeconds);
      times.total.push(since(start));
      last = execution.name;
    }
    const summary = `${s(median(times.total), 1)}: our client ${s(median(times.client))}, the cluster ${s(median(times.cluster), 1)} (Flyte's duration ${s(median(times.flyte), 1)})`;
    return { summary, last };
  }

  const train = await measure(
    () => app.train({ hyperparameters: { epochs: 100 } }, { appVersion, wait: false }),
    (execution) => app.load(execution),
  );
  rows.push([`remote train (digits, 100 epochs), median of ${rounds}`, train.summary]);
  const modelVersion = train.last;
  const predict = await measure(
    () => app.predict({ features }, { appVersion, modelVersion, wait: false }),
    (execution) => app.fetchPredictions(execution),
  );
  rows.push([`remote predict (${features.length} rows of features), median of ${rounds}`, predict.summary]);

  await app.listModelVersions({ appVersion });
  const listTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    await app.listModelVersions({ appVersion });
    listTimes.push(performance.now() - start);
  }
  const commandTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [cli, 'list-model-versions', 'app:model', '--config', config, '-p', project, '-v', appVersion], {
      cwd: digits,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`unionml list-model-versions failed:\n${result.stderr}`);
    commandTimes.push(performance.now() - start);
  }
  rows.push([
    'list-model-versions round trip: in process (median of 20) / whole command (median of 5)',
    `${median(listTimes).toFixed(1)} ms / ${median(commandTimes).toFixed(0)} ms`,
  ]);
} finally {
  await app.close();
  for (const image of images) spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
}

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nUnionML remote benchmark (${new Date().toISOString()}, node ${process.version}, ${config}, project ${project})`);
for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
