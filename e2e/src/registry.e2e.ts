// The published packages from a real registry: `npx nx run e2e:registry`.
//
// Verdaccio runs on 127.0.0.1 (a free port, its storage in a temporary folder), serving `unionml` and `@unionml/*`
// only from what is published to it and proxying every other package to the machine's registry. The nine public
// packages are published to it by the release's own publish step (tools/release/release.mjs --publish-only:
// prepack, `nx release publish`, postpack), which must leave the repository as it was: no version change, every
// package.json byte for byte, `git status` the same. Then, in an empty temporary folder outside the repository whose
// .npmrc names only that registry (it is npm's user config for every command; no npm_* variable of the caller leaks
// in), a newcomer's journey: `npx unionml init my_app`, `npm install` (no warning about install scripts, `^x.y.z`
// registry versions, every package resolved from the registry), `npx unionml train app:model --local`, `npx unionml
// serve` answering POST /predict of data/sample_features.json with [0,1,2,3,4], `npx unionml package` (the Flyte
// bundle, with DOCKER_HOST pointing nowhere: no Docker daemon involved); and a plain Node project that installs
// `@unionml/core` with zod, trains, saves, loads and predicts from an ES module (.mjs) and from CommonJS (.cjs,
// `require()` of the ES modules, which Node >= 20.19 does for modules without top-level await), and type-checks a
// TypeScript consumer with `moduleResolution` node16 and bundler.
//
// npm's cache: an empty one per run (and Verdaccio's storage is new too), so every package comes through the registry
// now, npx's cache included (`npx unionml` installs the CLI just published, never one from an earlier run): the times
// are a newcomer's. Measured here, that costs little: the app installed in 13.5 s cold and 15.5 s with warm tarballs.
// REGISTRY_E2E_WARM_CACHE=1 hard-links this machine's cached tarballs (~/.npm/_cacache/content-v2) into the run's
// cache: npm takes a tarball from there only when the registry's metadata names its sha512, and metadata and npx's
// cache still start empty.
//
// Printed at the end (and written to test-output/registry/results.json): each package's packed size and file count,
// the app's install time and every step's time. Timeouts are for a cold cache on a loaded 2-core machine.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED, post, repoRoot } from './support.js';
import { startVerdaccio, type Registry } from './verdaccio.js';

const MINUTE = 60_000;
const work = mkdtempSync(join(tmpdir(), 'unionml-registry-'));
/** The newcomer's empty folder, outside the repository. */
const journey = join(work, 'journey');
const app = join(journey, 'my_app');
/** The plain Node project. */
const plain = join(work, 'plain-node');
const publishRc = join(work, 'publish.npmrc');
const nx = join(repoRoot, 'node_modules', '.bin', 'nx');

/** The folder of a published package in the repository. */
const folderOf = (name: string) => (name === 'unionml' ? 'apps/cli' : `packages/${name.slice('@unionml/'.length)}`);
const version = (JSON.parse(readFileSync(join(repoRoot, 'apps/cli/package.json'), 'utf8')) as { version: string }).version;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The caller's environment without npm's variables (npm_config_*, npm_package_*...) and NODE_OPTIONS, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE_OPTIONS'));
  return { ...env, ...extra };
}

/** Runs a command to completion with exactly `env` (no shell). */
function sh(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Result {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const output = (r: Result) => `--- stdout\n${r.stdout.slice(-20_000)}\n--- stderr\n${r.stderr.slice(-20_000)}`;
// eslint-disable-next-line no-control-regex -- the escape character of ANSI colour codes
const plainText = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** What the run measured. */
const results = {
  registry: '',
  cache: '',
  packages: [] as { name: string; version: string; packedKB: number; files: number; unpackedKB: number }[],
  stepsSeconds: {} as Record<string, number>,
};

/** Runs `fn`, recording its duration under `name`. */
function timed<T>(name: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    results.stepsSeconds[name] = Math.round((performance.now() - start) / 100) / 10;
  }
}

/** What a publish must not change: git's view of the working tree and every public package.json, byte for byte. */
function repositoryState() {
  const status = sh('git', ['status', '--porcelain=v1', '--untracked-files=all'], { cwd: repoRoot, env: cleanEnv(), timeoutMs: MINUTE });
  return {
    status: status.stdout,
    manifests: Object.fromEntries(
      PUBLISHED.map((name) => [
        folderOf(name),
        createHash('sha256')
          .update(readFileSync(join(repoRoot, folderOf(name), 'package.json')))
          .digest('hex'),
      ]),
    ),
    leftovers: PUBLISHED.map((name) => join(folderOf(name), 'package.json.unpacked')).filter((file) => existsSync(join(repoRoot, file))),
  };
}

let registry: Registry;
let journeyEnv: NodeJS.ProcessEnv;
let serverGroup: number | undefined;
/** Set while the publish step runs: a timeout kills it before its postpacks. */
let publishing = false;

beforeAll(async () => {
  // The machine's registry (the user config of this machine, outside any project), which Verdaccio proxies.
  const uplink = sh('npm', ['config', 'get', 'registry'], { cwd: tmpdir(), env: cleanEnv(), timeoutMs: MINUTE }).stdout.trim();
  registry = await startVerdaccio(join(work, 'verdaccio'), uplink);
  results.registry = `${registry.url} (Verdaccio; other packages proxied to ${uplink})`;
  const token = await registry.addUser('e2e', 'e2e-password');
  const host = new URL(registry.url).host;
  writeFileSync(publishRc, `registry=${registry.url}\n//${host}/:_authToken=${token}\n`);

  mkdirSync(journey);
  writeFileSync(join(journey, '.npmrc'), `registry=${registry.url}\n`);
  const cache = join(work, 'npm-cache');
  mkdirSync(join(cache, '_cacache'), { recursive: true });
  const machineCache = sh('npm', ['config', 'get', 'cache'], { cwd: tmpdir(), env: cleanEnv(), timeoutMs: MINUTE }).stdout.trim();
  const content = join(machineCache, '_cacache', 'content-v2');
  results.cache = 'empty (cold)';
  if (process.env['REGISTRY_E2E_WARM_CACHE'] === '1' && existsSync(content)) {
    const linked = spawnSync('cp', ['-al', content, join(cache, '_cacache', 'content-v2')], { encoding: 'utf8' });
    if (linked.status === 0) results.cache = `fresh, with ${content} hard-linked (tarballs by integrity; metadata and npx from the registry)`;
    else rmSync(join(cache, '_cacache', 'content-v2'), { recursive: true, force: true });
  }
  // The newcomer's npm: the journey's .npmrc as its user config (the only registry it names), the run's cache.
  journeyEnv = cleanEnv({ npm_config_userconfig: join(journey, '.npmrc'), npm_config_cache: cache, npm_config_update_notifier: 'false' });
}, 5 * MINUTE);

afterAll(async () => {
  if (serverGroup !== undefined) {
    try {
      process.kill(-serverGroup, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // A publish killed by its timeout could not run its postpacks: put the package.json files back.
  for (const name of publishing ? PUBLISHED : []) {
    const folder = join(repoRoot, folderOf(name));
    if (existsSync(join(folder, 'package.json.unpacked'))) spawnSync('node', [join(repoRoot, 'tools/scripts/pack-manifest.mjs'), 'restore'], { cwd: folder });
  }
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });

  const lines = [
    '',
    `registry: ${results.registry}`,
    `npm cache: ${results.cache}`,
    '',
    'package                 version   packed    files   unpacked',
    ...results.packages.map(
      (p) =>
        `${p.name.padEnd(24)}${p.version.padEnd(10)}${`${p.packedKB.toFixed(1)} kB`.padStart(10)}${String(p.files).padStart(8)}${`${p.unpackedKB.toFixed(1)} kB`.padStart(12)}`,
    ),
    `${'total'.padEnd(34)}${`${results.packages.reduce((s, p) => s + p.packedKB, 0).toFixed(1)} kB`.padStart(10)}${String(results.packages.reduce((s, p) => s + p.files, 0)).padStart(8)}`,
    '',
    'step                                                     seconds',
    ...Object.entries(results.stepsSeconds).map(([name, seconds]) => `${name.padEnd(56)}${seconds.toFixed(1).padStart(8)}`),
  ];
  console.log(lines.join('\n'));
  const out = join(repoRoot, 'test-output', 'registry');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}, 2 * MINUTE);

describe('the release publishes to the registry', () => {
  it(
    "publishes the nine packages with `nx release publish`: prepack's manifests and built code, in the tarballs and in the registry's metadata; the repository is left as it was",
    async () => {
      const before = repositoryState();
      expect(before.leftovers).toEqual([]);
      publishing = true;
      const published = timed('publish: release.mjs --publish-only (nx release publish)', () =>
        sh('node', [join(repoRoot, 'tools/release/release.mjs'), '--publish-only', '--registry', registry.url], {
          cwd: repoRoot,
          env: cleanEnv({ npm_config_userconfig: publishRc, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }),
          timeoutMs: 15 * MINUTE,
        }),
      );
      publishing = false;
      expect(published.status, `${output(published)}\n--- verdaccio\n${registry.log()}`).toBe(0);
      expect(plainText(published.stdout + published.stderr)).toMatch(/nx release publish/);
      expect(repositoryState()).toEqual(before);

      const tarballs = join(work, 'tarballs');
      mkdirSync(tarballs);
      for (const name of PUBLISHED) {
        const local = JSON.parse(readFileSync(join(repoRoot, folderOf(name), 'package.json'), 'utf8')) as { version: string; exports?: unknown };
        const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
        expect(response.status, name).toBe(200);
        const document = (await response.json()) as {
          'dist-tags': Record<string, string>;
          versions: Record<string, { exports?: unknown; dist: { tarball: string; integrity: string } }>;
        };
        expect(document['dist-tags']['latest'], name).toBe(local.version);
        const meta = document.versions[local.version]!;
        const bytes = Buffer.from(await (await fetch(meta.dist.tarball)).arrayBuffer());
        expect(`sha512-${createHash('sha512').update(bytes).digest('base64')}`, name).toBe(meta.dist.integrity);
        const file = join(tarballs, `${name.replace('@', '').replace('/', '-')}.tgz`);
        writeFileSync(file, bytes);
        // tar -tv: mode, owner, size, date, time, path
        const entries = sh('tar', ['-tvzf', file], { cwd: work, env: cleanEnv(), timeoutMs: MINUTE })
          .stdout.split('\n')
          .map((line) => line.trim().split(/\s+/))
          .filter((fields) => fields.length >= 6 && fields[0]!.startsWith('-'));
        const files = entries.map((fields) => fields.slice(5).join(' '));
        const unpacked = entries.reduce((sum, fields) => sum + Number(fields[2]), 0);
        const manifest = JSON.parse(sh('tar', ['-xzOf', file, 'package/package.json'], { cwd: work, env: cleanEnv(), timeoutMs: MINUTE }).stdout) as {
          exports?: unknown;
        };
        // The tarball's manifest is prepack's (no workspace condition, only dist/), and so is the registry's metadata.
        expect(JSON.stringify(manifest.exports), name).not.toContain('@unionml/source');
        expect(JSON.stringify(meta.exports), `${name}: the registry's metadata`).not.toContain('@unionml/source');
        expect(meta.exports, name).toEqual(manifest.exports);
        expect(files, name).toContain('package/README.md');
        expect(files, name).toContain(name === 'unionml' ? 'package/bin/unionml.js' : 'package/dist/index.js');
        expect(
          files.filter((f) => f.startsWith('package/src/') || /\.test\.|tsbuildinfo/.test(f)),
          name,
        ).toEqual([]);
        results.packages.push({
          name,
          version: local.version,
          packedKB: bytes.length / 1024,
          files: files.length,
          unpackedKB: unpacked / 1024,
        });
      }
      // The CLI carries its templates (copied by its prepack).
      const cli = sh('tar', ['-tzf', join(tarballs, 'unionml.tgz')], { cwd: work, env: cleanEnv(), timeoutMs: MINUTE }).stdout;
      expect(cli).toMatch(/package\/templates\/basic\/app\.ts/);
    },
    20 * MINUTE,
  );

  it(
    'nx release version and changelog (dry runs): one new version for the nine packages, a CHANGELOG.md entry, nothing written',
    () => {
      const before = repositoryState();
      const env = cleanEnv({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
      const versioned = timed('nx release version --dry-run', () => sh(nx, ['release', 'version', '--dry-run'], { cwd: repoRoot, env, timeoutMs: 5 * MINUTE }));
      expect(versioned.status, output(versioned)).toBe(0);
      let text = plainText(versioned.stdout + versioned.stderr);
      if (!/New version/.test(text)) {
        // A commit that is a release's own (tagged, nothing since): Nx says so, and a bump given by hand still works.
        expect(text).toMatch(/No changes were detected/);
        const patch = sh(nx, ['release', 'version', 'patch', '--dry-run'], { cwd: repoRoot, env, timeoutMs: 5 * MINUTE });
        expect(patch.status, output(patch)).toBe(0);
        text = plainText(patch.stdout + patch.stderr);
      }
      const written = [...text.matchAll(/New version (\S+) written to manifest: (\S+)\/package\.json/g)];
      expect(new Set(written.map((m) => m[2])), text).toEqual(new Set(PUBLISHED.map(folderOf)));
      const next = [...new Set(written.map((m) => m[1]!))];
      expect(next, 'a fixed group: one version').toHaveLength(1);
      expect(next[0]).toMatch(/^\d+\.\d+\.\d+/);
      const firstRelease = sh('git', ['tag', '--list', 'v[0-9]*'], { cwd: repoRoot, env, timeoutMs: MINUTE }).stdout.trim() === '';
      const changelog = timed('nx release changelog --dry-run', () =>
        sh(nx, ['release', 'changelog', next[0]!, '--dry-run', ...(firstRelease ? ['--first-release'] : [])], { cwd: repoRoot, env, timeoutMs: 5 * MINUTE }),
      );
      expect(changelog.status, output(changelog)).toBe(0);
      const entry = plainText(changelog.stdout);
      expect(entry).toMatch(/CHANGELOG\.md/);
      expect(entry).toContain(`# ${next[0]}`); // "## X" ("# X" for a major version)
      expect(repositoryState()).toEqual(before);
    },
    10 * MINUTE,
  );
});

describe("a newcomer's journey, with only the registry", () => {
  /** Each step needs the app the first one made. */
  const needApp = () => expect(existsSync(join(app, 'package.json')), 'no app: npx unionml init failed').toBe(true);

  it(
    'npx unionml init my_app: an app that depends on the registry versions ^x.y.z, no file: paths',
    () => {
      const result = timed('npx unionml init my_app (installs the CLI)', () =>
        sh('npx', ['unionml', 'init', 'my_app'], { cwd: journey, env: journeyEnv, timeoutMs: 15 * MINUTE }),
      );
      expect(result.status, output(result)).toBe(0);
      expect(result.stdout).toMatch(/npm run train/);
      const text = readFileSync(join(app, 'package.json'), 'utf8');
      const pkg = JSON.parse(text) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      expect(pkg.dependencies).toMatchObject({ unionml: `^${version}`, '@unionml/core': `^${version}`, '@unionml/data': `^${version}` });
      expect(pkg.devDependencies['@unionml/remote']).toBe(`^${version}`);
      expect(text).not.toMatch(/file:/);
    },
    20 * MINUTE,
  );

  it(
    'npm install: every package from the registry, no warning about install scripts',
    () => {
      needApp();
      const result = timed('npm install (the new app)', () => sh('npm', ['install'], { cwd: app, env: journeyEnv, timeoutMs: 20 * MINUTE }));
      expect(result.status, output(result)).toBe(0);
      const warnings = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /\bwarn\b/i.test(line));
      expect(
        warnings.filter((line) => /script/i.test(line)),
        warnings.join('\n'),
      ).toEqual([]);
      const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; link?: boolean }> };
      const foreign = Object.entries(lock.packages)
        .filter(([path, entry]) => path !== '' && !entry.link && !entry.resolved?.startsWith(registry.url))
        .map(([path, entry]) => `${path}: ${entry.resolved}`);
      expect(foreign).toEqual([]);
      for (const name of ['unionml', '@unionml/core', '@unionml/remote']) {
        const installed = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; exports: unknown };
        expect(installed.version, name).toBe(version);
        expect(JSON.stringify(installed.exports), name).not.toContain('@unionml/source');
      }
    },
    25 * MINUTE,
  );

  it(
    'npx unionml train app:model --local: trains and saves model.json',
    () => {
      needApp();
      const result = timed('npx unionml train app:model --local', () =>
        sh('npx', ['unionml', 'train', 'app:model', '--local'], { cwd: app, env: journeyEnv, timeoutMs: 10 * MINUTE }),
      );
      expect(result.status, output(result)).toBe(0);
      // Messages go to stdout (to stderr with --json).
      const metrics = /metrics: accuracy: train ([\d.]+), test ([\d.]+)/.exec(result.stdout);
      expect(metrics, output(result)).not.toBeNull();
      expect(Number(metrics![2])).toBeGreaterThanOrEqual(0.96);
      expect(JSON.parse(readFileSync(join(app, 'model.json'), 'utf8'))).toMatchObject({ format: 'unionml.model', model: 'digits_classifier' });
    },
    15 * MINUTE,
  );

  it(
    'npx unionml serve: POST /predict of data/sample_features.json answers [0,1,2,3,4]',
    async () => {
      needApp();
      const start = performance.now();
      // Its own process group, so that SIGTERM reaches npx, its shell and the server alike.
      const child = spawn('npx', ['unionml', 'serve', 'app:model', '--model-path', 'model.json', '--port', '0'], {
        cwd: app,
        env: journeyEnv,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      serverGroup = child.pid;
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stdout.resume();
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server did not start within 3 minutes\n${stderr}`)), 3 * MINUTE);
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const match = /serving model .* at (http:\/\/\S+)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!.replace(/\/$/, ''));
          }
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the server exited with ${code} before serving\n${stderr}`));
        });
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      results.stepsSeconds['npx unionml serve (until it listens)'] = Math.round((performance.now() - start) / 100) / 10;
      const features = JSON.parse(readFileSync(join(app, 'data', 'sample_features.json'), 'utf8')) as unknown[];
      const answer = await post(`${url}/predict`, { features });
      expect(answer).toEqual({ status: 200, body: [0, 1, 2, 3, 4] });
      process.kill(-child.pid!, 'SIGTERM');
      const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
      serverGroup = undefined;
      expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    },
    5 * MINUTE,
  );

  it(
    'npx unionml package app:model --image ...: the Flyte bundle, with no Docker daemon',
    () => {
      needApp();
      const result = timed('npx unionml package app:model --image ...', () =>
        sh('npx', ['unionml', 'package', 'app:model', '--image', 'localhost:30000/my-app:v1', '--allow-uncommitted', '-o', 'bundle.tgz', '--json'], {
          cwd: app,
          env: { ...journeyEnv, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
          timeoutMs: 10 * MINUTE,
        }),
      );
      expect(result.status, output(result)).toBe(0);
      const report = JSON.parse(result.stdout) as { bundle: string; version: string; files: string[] };
      // No --version: the app's git commit, read by @unionml/remote (a devDependency, from the registry).
      const head = sh('git', ['rev-parse', 'HEAD'], { cwd: app, env: journeyEnv, timeoutMs: MINUTE }).stdout.trim();
      expect(report.version).toBe(head);
      const listed = sh('tar', ['-tzf', join(app, 'bundle.tgz')], { cwd: app, env: journeyEnv, timeoutMs: MINUTE })
        .stdout.split('\n')
        .filter(Boolean);
      expect(listed.filter((f) => f.endsWith('.pb')).length, listed.join('\n')).toBeGreaterThanOrEqual(10);
      // 4 tasks, 3 workflows, their 3 default launch plans
      expect(report.files.filter((f) => f.endsWith('.pb'))).toHaveLength(10);
      expect(listed.some((f) => f.includes('digits_classifier.train_task'))).toBe(true);
    },
    15 * MINUTE,
  );
});

/** The README's toy model (packages/core/README.md): a threshold between the two classes' means. */
const TOY_MODEL = `
class Threshold {
  constructor(threshold = 0) { this.threshold = threshold; }
  fit(x, y) {
    const mean = (label) => { const xs = x.filter((_, i) => y[i] === label).map((row) => row[0]); return xs.reduce((a, b) => a + b, 0) / xs.length; };
    this.threshold = (mean(0) + mean(1)) / 2;
    return this;
  }
  predict(x) { return x.map((row) => (row[0] > this.threshold ? 1 : 0)); }
  toJSON() { return { threshold: this.threshold }; }
  static fromJSON(json) { return new Threshold(json.threshold); }
}
const dataset = new Dataset({ name: 'toy_dataset', features: ['x'], targets: ['y'], testSize: 0.25 });
dataset.reader(() => Array.from({ length: 40 }, (_, i) => ({ x: i, y: i >= 20 ? 1 : 0 })));
const model = new Model({ name: 'toy_model', dataset, init: () => new Threshold(), prediction: z.array(z.number()), modelClasses: [Threshold] });
model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
model.predictor((m, features) => m.predict(features.toMatrix()));
model.evaluator({ metric: 'accuracy' })((m, features, target) => accuracy(target.toVector(), m.predict(features.toMatrix())));
`;
const TOY_MAIN = `
  const { metrics } = await model.train();
  const dir = mkdtempSync(join(tmpdir(), 'toy-'));
  const file = await model.save(join(dir, 'model.json'));
  await model.load(file);
  const predictions = await model.predict({ features: [{ x: 3 }, { x: 33 }] });
  const format = JSON.parse(readFileSync(file, 'utf8')).format;
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ metrics, predictions, format }));
`;
const EXPECTED_TOY = { metrics: { train: { accuracy: 0.9666666666666667 }, test: { accuracy: 1 } }, predictions: [0, 1], format: 'unionml.model' };

describe('a plain Node project with @unionml/core from the registry', () => {
  // As packages/core/README.md says: allowScripts for esbuild (tsx, under @unionml/core; it settles npm's install-script
  // warning, as `unionml init` does for apps), then npm install. No overrides: danfojs-node, which needs two (its xlsx is
  // a tarball on cdn.sheetjs.com, its @tensorflow/tfjs-node downloads a native library), is an optional peer dependency
  // of @unionml/data, so npm does not install it.
  it(
    'npm install @unionml/core @unionml/data zod (no overrides; typescript, @types/node for the type check): danfojs-node is not installed',
    () => {
      mkdirSync(plain);
      writeFileSync(join(plain, 'package.json'), `${JSON.stringify({ name: 'plain-node', version: '1.0.0', private: true }, null, 2)}\n`);
      writeFileSync(join(plain, '.npmrc'), `registry=${registry.url}\n`);
      const env = { ...journeyEnv, npm_config_userconfig: join(plain, '.npmrc') };
      const set = sh('npm', ['pkg', 'set', 'allowScripts.esbuild=true', '--json'], { cwd: plain, env, timeoutMs: MINUTE });
      expect(set.status, output(set)).toBe(0);
      const result = timed('npm install @unionml/core (plain Node project)', () =>
        sh('npm', ['install', '@unionml/core', '@unionml/data', 'zod', 'typescript@5.9.3', '@types/node@20.19.8'], { cwd: plain, env, timeoutMs: 20 * MINUTE }),
      );
      expect(result.status, output(result)).toBe(0);
      expect(`${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /\bwarn\b.*script/i.test(line))).toEqual([]);
      const pkg = JSON.parse(readFileSync(join(plain, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(pkg.dependencies['@unionml/core']).toBe(`^${version}`);
      for (const absent of ['danfojs-node', '@tensorflow/tfjs-node', 'xlsx']) expect(existsSync(join(plain, 'node_modules', absent)), absent).toBe(false);
    },
    25 * MINUTE,
  );

  it('an ES module (.mjs) trains, saves, loads and predicts', () => {
    writeFileSync(
      join(plain, 'toy.mjs'),
      `import { mkdtempSync, readFileSync, rmSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';\n` +
        `import { Dataset, Model } from '@unionml/core';\nimport { accuracy } from '@unionml/core/metrics';\nimport { z } from 'zod';\n${TOY_MODEL}${TOY_MAIN}`,
    );
    const result = timed('node toy.mjs', () => sh('node', ['toy.mjs'], { cwd: plain, env: journeyEnv, timeoutMs: 2 * MINUTE }));
    expect(result.status, output(result)).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual(EXPECTED_TOY);
  });

  it('CommonJS (.cjs) requires the packages (require() of ES modules: none has top-level await) and does the same', () => {
    writeFileSync(
      join(plain, 'toy.cjs'),
      `const { mkdtempSync, readFileSync, rmSync } = require('node:fs');\nconst { tmpdir } = require('node:os');\nconst { join } = require('node:path');\n` +
        `const { Dataset, Model } = require('@unionml/core');\nconst { accuracy } = require('@unionml/core/metrics');\nconst { z } = require('zod');\n${TOY_MODEL}` +
        `(async () => {${TOY_MAIN}})().catch((error) => { console.error(error); process.exit(1); });\n`,
    );
    const result = timed('node toy.cjs', () => sh('node', ['toy.cjs'], { cwd: plain, env: journeyEnv, timeoutMs: 2 * MINUTE }));
    expect(result.status, output(result)).toBe(0);
    expect(result.stderr).not.toMatch(/ERR_REQUIRE_ASYNC_MODULE|ERR_REQUIRE_ESM/);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual(EXPECTED_TOY);
  });

  // A TypeScript consumer: the published declarations resolve and carry the types (an unused @ts-expect-error is an
  // error, so `any` types would fail it too).
  const CONSUMER = `import { Dataset, Model } from '@unionml/core';
import { accuracy } from '@unionml/core/metrics';
import { DataFrame } from '@unionml/data';
import { z } from 'zod';

class Threshold {
  constructor(public threshold = 0) {}
  fit(x: number[][], y: number[]): this {
    const mean = (label: number) => {
      const xs = x.filter((_, i) => y[i] === label).map((row) => row[0] ?? 0);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    this.threshold = (mean(0) + mean(1)) / 2;
    return this;
  }
  predict(x: number[][]): number[] {
    return x.map((row) => ((row[0] ?? 0) > this.threshold ? 1 : 0));
  }
}

const dataset = new Dataset({ name: 'toy_dataset', features: ['x'], targets: ['y'], testSize: 0.25 });
dataset.reader(() => DataFrame.fromRecords(Array.from({ length: 40 }, (_, i) => ({ x: i, y: i >= 20 ? 1 : 0 }))));
const model = new Model({
  name: 'toy_model',
  dataset,
  hyperparameters: z.object({ margin: z.number().default(0) }),
  init: (hp) => new Threshold(hp.margin),
  prediction: z.array(z.number()),
});
model.trainer((m, features, target) => m.fit(features.toMatrix(), target.toVector()));
model.predictor((m, features) => m.predict(features.toMatrix()));
model.evaluator({ metric: 'accuracy' })((m, features, target) => accuracy(target.toVector(), m.predict(features.toMatrix())));
// @ts-expect-error the predictor must return what \`prediction\` declares
model.predictor(() => 'not a list of numbers');
// @ts-expect-error margin is a number
void model.train({ hyperparameters: { margin: 'wide' } });

const { metrics } = await model.train({ hyperparameters: { margin: 0 } });
const testAccuracy: number | undefined = metrics.test?.['accuracy'];
const predictions: number[] = await model.predict({ features: [{ x: 3 }] });
console.log(testAccuracy, predictions);
`;

  for (const [resolution, options] of [
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ] as const) {
    it(
      `tsc --noEmit on a TypeScript consumer with moduleResolution ${resolution}`,
      () => {
        writeFileSync(join(plain, 'consumer.mts'), CONSUMER);
        const config = {
          compilerOptions: { ...options, target: 'es2022', lib: ['es2023'], types: ['node'], strict: true, noEmit: true },
          files: ['consumer.mts'],
        };
        writeFileSync(join(plain, `tsconfig.${resolution}.json`), `${JSON.stringify(config, null, 2)}\n`);
        const result = timed(`tsc --noEmit (${resolution})`, () =>
          sh(join(plain, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: plain, env: journeyEnv, timeoutMs: 5 * MINUTE }),
        );
        expect(result.status, output(result)).toBe(0);
      },
      6 * MINUTE,
    );
  }
});
