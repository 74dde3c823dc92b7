// The app's image on a real Docker daemon (started by `npm run docker:up`, which also makes the local base image
// with this machine's Node): `unionml build` of the digits example, its tasks run inside it through the local
// executor (network host, the run's storage mounted), what it leaves out, a broken Dockerfile, a daemon that is down.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flyteidl } from '@unionml/flyte';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, run } from './support.js';

const BASE_IMAGE = 'unionml-node-base:latest';
const cli = join(repoRoot, 'apps', 'cli', 'bin', 'unionml.js');
const digits = join(repoRoot, 'examples', 'digits');
const version = `e2e${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), 'unionml-docker-'));
const unionml = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => run(process.execPath, [cli, ...args], { cwd, ...(env ? { env } : {}) });
const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const images: string[] = [];

interface BuildReport {
  image: string;
  id: string;
  sizeBytes: number;
  seconds: number;
}

function build(cwd: string, extra: string[] = []): BuildReport {
  // This machine's daemon has no bridge network: builds and task containers use the host's, explicitly.
  const result = unionml(['build', 'app:model', '--version', version, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--network', 'host', '--json', ...extra], cwd);
  expect(result.status, result.stderr.slice(-3000)).toBe(0);
  const report = JSON.parse(result.stdout) as BuildReport;
  images.push(report.image);
  return report;
}

afterAll(() => {
  for (const image of new Set(images)) docker('rmi', '-f', image);
  // vfs keeps a full copy of the file system per layer: leave no dangling layers behind.
  docker('image', 'prune', '-f');
});

describe('unionml build on a real daemon', () => {
  let image = '';

  it('builds and tags the digits image ({image}:{model-name}-{version}), cold and then from the cache', () => {
    expect(docker('image', 'inspect', BASE_IMAGE).status, 'run npm run docker:up first').toBe(0);
    const cold = build(digits);
    image = cold.image;
    expect(image).toBe(`unionml:digits-classifier-${version}`);
    expect(cold.sizeBytes).toBeGreaterThan(100e6);
    const labels = JSON.parse(docker('image', 'inspect', '--format', '{{json .Config.Labels}}', image).stdout) as Record<string, string>;
    expect(labels).toMatchObject({ 'org.unionml.model': 'digits_classifier', 'org.unionml.app-version': version });
    const cached = build(digits);
    expect(cached.id).toBe(cold.id);
    expect(cached.seconds).toBeLessThan(cold.seconds);
    console.log(
      `digits image: ${(cold.sizeBytes / 1e6).toFixed(0)} MB, built in ${cold.seconds.toFixed(1)} s cold, ${cached.seconds.toFixed(1)} s with the cache`,
    );
  });

  it('shows the build as a live display on a terminal', () => {
    // `script` gives the command a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, cli, 'build', 'app:model', '--version', version, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--network', 'host']
      .map((a) => `'${a}'`)
      .join(' ');
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: digits, encoding: 'utf8', env: { ...process.env, COLUMNS: '120' } });
    expect(tty.status, tty.stdout.slice(-2000)).toBe(0);
    expect(tty.stdout).toMatch(/\[2\/\d+\] FROM \$\{BASE_IMAGE\}/); // step lines
    expect(tty.stdout).toContain('\u001b['); // redrawn in place with ANSI escapes
    expect(tty.stdout).toContain(`unionml:digits-classifier-${version}`);
  });

  it('leaves dev-only files out of the image (.dockerignore) and stages the workspace packages in', () => {
    const listing = docker('run', '--rm', '--network', 'host', image, 'sh', '-c', 'ls -a /app /app/.unionml/packages');
    expect(listing.status, listing.stderr).toBe(0);
    const names = listing.stdout.split('\n');
    for (const absent of ['.git', 'model.json', 'out-tsc', 'tsconfig.json']) expect(names, absent).not.toContain(absent);
    for (const present of ['app.ts', 'data', 'node_modules', 'package.json', 'unionml-core-0.1.0.tgz']) expect(names, present).toContain(present);
    // Neither npm's cache nor the dependencies' source maps (together about 460 MB of the 760 MB with them) are kept.
    const leftovers = docker(
      'run',
      '--rm',
      '--network',
      'host',
      image,
      'sh',
      '-c',
      'ls -d /root/.npm /tmp/npm-cache 2>/dev/null; find /app/node_modules -name "*.map" -type f',
    );
    expect(leftovers.status, leftovers.stderr).toBe(0);
    expect(leftovers.stdout.trim()).toBe('');
    // A task image holds what tasks need: no Docker client (@unionml/remote and @unionml/docker are development-only).
    const modules = docker(
      'run',
      '--rm',
      '--network',
      'host',
      image,
      'sh',
      '-c',
      'ls /app/node_modules/@unionml; ls -d /app/node_modules/unionml /app/node_modules/dockerode /app/node_modules/ssh2 /app/node_modules/cpu-features /app/node_modules/danfojs-node /app/node_modules/@tensorflow/tfjs-node 2>/dev/null; true',
    );
    // Nor danfojs-node (an optional peer of @unionml/data) and the second TensorFlow.js it brought as tfjs-node.
    expect(modules.stdout.split('\n').filter(Boolean)).toEqual(['compiler', 'core', 'data', 'errors', 'flyte', 'server', '/app/node_modules/unionml']);
  });

  it('runs the compiled train workflow with every node in the container: test accuracy >= 0.96, outputs.pb decoded', () => {
    const result = unionml(
      ['train', 'app:model', '--local', '--compiled', '--keep', '--image', image, '--network', 'host', '--json', '-o', join(work, 'model.json')],
      digits,
    );
    expect(result.status, result.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(result.stdout) as {
      metrics: { test: { accuracy: number } };
      workDir: string;
      executionName: string;
      nodes: { id: string; seconds: number }[];
    };
    expect(report.metrics.test.accuracy).toBeGreaterThanOrEqual(0.96);
    expect(result.stderr).toContain(`every task runs in a container of ${image}`);
    const outputs = (node: string) =>
      flyteidl.core.LiteralMap.decode(readFileSync(join(report.workDir, 'metadata', report.executionName, node, 'data', '0', 'outputs.pb')));
    expect(outputs('n0').literals['data']?.scalar?.structuredDataset?.metadata?.structuredDatasetType?.format).toBe('parquet');
    const metrics = outputs('n1').literals['metrics']?.map?.literals;
    expect(metrics?.['test.accuracy']?.scalar?.primitive?.floatValue).toBe(report.metrics.test.accuracy);
    console.log(`compiled train in containers: ${report.nodes.map((n) => `${n.id} ${n.seconds.toFixed(1)} s`).join(', ')}`);

    const local = unionml(['predict', 'app:model', '--local', '--model-path', join(work, 'model.json'), '-f', 'data/sample_features.json', '--json'], digits);
    const inImage = unionml(
      [
        'predict',
        'app:model',
        '--local',
        '--compiled',
        '--image',
        image,
        '--network',
        'host',
        '--model-path',
        join(work, 'model.json'),
        '-f',
        'data/sample_features.json',
        '--json',
      ],
      digits,
    );
    expect(inImage.status, inImage.stderr.slice(-3000)).toBe(0);
    expect(JSON.parse(inImage.stdout)).toEqual(JSON.parse(local.stdout));
  });

  it('shows the failing line of a broken Dockerfile, and leaves no tag behind', () => {
    const app = join(work, 'broken');
    cpSync(digits, app, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('model.json') });
    symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules')); // so that the app loads (unionml names the image after its model)
    writeFileSync(join(app, 'Dockerfile'), `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nWORKDIR /app\nRUN echo about to fail && exit 3\nCOPY . .\n`);
    const result = unionml(['build', 'app:model', '--version', `${version}b`, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--network', 'host'], app);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/failed at step 4\/\d+ \(RUN echo about to fail && exit 3\)/);
    expect(result.stderr).toContain('about to fail');
    expect(docker('image', 'inspect', `unionml:digits-classifier-${version}b`).status).not.toBe(0);
  });

  it('says how to start a daemon when none answers', () => {
    const result = unionml(['build', 'app:model', '--version', version], digits, { DOCKER_HOST: 'unix:///tmp/no-docker-here.sock' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no-docker-here\.sock/);
    expect(result.stderr).toMatch(/start Docker|DOCKER_HOST/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
