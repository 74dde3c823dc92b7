// A new user's journey, with no cluster and no Docker: `unionml init` an app in a temporary folder (wired to this
// workspace's packages through `npm pack` tarballs), install it from the npm registry, train it, serve it, and
// POST /predict. Then every kind of bad input a user can make, through the CLI and over HTTP.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPublished, post, repoRoot, run, runOk, startServer, type Served } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'unionml-e2e-'));
const packs = join(work, 'packs');
/** The published packages. */
const app = join(work, 'digits_app');
const unionml = (args: string[], env?: NodeJS.ProcessEnv) => run('npx', ['--no-install', 'unionml', ...args], { cwd: app, env });

let served: Served | undefined;

beforeAll(() => {
  mkdirSync(packs);
  // What a release would publish: one tarball per package.
  packPublished(packs);
  runOk('node', [join(repoRoot, 'apps/cli/bin/unionml.js'), 'init', 'digits_app', '--packages-from', packs], { cwd: work });
  runOk('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, timeoutMs: 900_000 });
});

afterAll(async () => {
  await served?.stop();
});

describe('a new app made by unionml init', () => {
  it('has the template files and a first git commit', () => {
    for (const file of [
      'app.ts',
      'package.json',
      'tsconfig.json',
      'Dockerfile',
      'README.md',
      '.gitignore',
      'data/sample_features.json',
      'data/digits.csv.gz',
      'data/digits.rst',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    expect(runOk('git', ['log', '--oneline'], { cwd: app }).stdout).toContain('initial commit for digits_app');
  });

  it('typechecks: the types UnionML infers reach the app through the published declarations', () => {
    const result = run('npm', ['run', '--silent', 'typecheck'], { cwd: app });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it("trains locally to a test accuracy within 0.01 of scikit-learn's logistic regression on the same split (at least 0.96), and saves the model", () => {
    const result = unionml(['train', 'app:model', '--local', '--json', '-o', 'model.json']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { metrics: { train: { accuracy: number }; test: { accuracy: number } }; modelPath: string };
    expect(report.metrics.test.accuracy).toBeGreaterThanOrEqual(0.96);
    // scikit-learn's StandardScaler + LogisticRegression on the same split (tools/sklearn-check/template-references.json)
    const reference = (
      JSON.parse(readFileSync(join(repoRoot, 'tools', 'sklearn-check', 'template-references.json'), 'utf8')) as { basic: { test: { accuracy: number } } }
    ).basic.test.accuracy;
    expect(report.metrics.test.accuracy).toBeGreaterThanOrEqual(reference - 0.01);
    expect(report.modelPath).toBe(join(app, 'model.json'));
    expect(JSON.parse(readFileSync(join(app, 'model.json'), 'utf8'))).toMatchObject({ format: 'unionml.model', model: 'digits_classifier' });
  });

  it('predicts locally from the sample features file', () => {
    const result = unionml(['predict', 'app:model', '--local', '--model-path', 'model.json', '-f', 'data/sample_features.json', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const { predictions } = JSON.parse(result.stdout) as { predictions: number[] };
    expect(predictions).toHaveLength(5);
  });

  it('serves the model: /health, then 5 predictions in 0..9 from POST /predict', async () => {
    // The installed bin itself, as a process manager runs it (npx does not pass SIGTERM on to its child).
    served = await startServer(join(app, 'node_modules', '.bin', 'unionml'), ['serve', 'app:model', '--model-path', 'model.json', '--port', '0'], { cwd: app });
    const health = await fetch(`${served.url}/health`);
    // Python UnionML's fields first, then what identifies the model served: the same content hash as the file says.
    const file = JSON.parse(readFileSync(join(app, 'model.json'), 'utf8')) as { integrity: string; savedAt: string };
    expect([health.status, await health.json()]).toEqual([
      200,
      {
        message: 'OK',
        status: 200,
        model: 'digits_classifier',
        savedAt: file.savedAt,
        contentHash: file.integrity,
        loadedAt: expect.any(String) as string,
        path: join(app, 'model.json'),
      },
    ]);
    const ready = await fetch(`${served.url}/ready`);
    expect(ready.status).toBe(200);
    const features = JSON.parse(readFileSync(join(app, 'data/sample_features.json'), 'utf8')) as Record<string, number>[];
    const { status, body } = await post(`${served.url}/predict`, { features });
    expect(status).toBe(200);
    expect(body).toHaveLength(5);
    for (const p of body as number[]) {
      expect(Number.isInteger(p) && p >= 0 && p <= 9, String(p)).toBe(true);
    }
    const local = JSON.parse(
      unionml(['predict', 'app:model', '--local', '--model-path', 'model.json', '-f', 'data/sample_features.json', '--json']).stdout,
    ) as { predictions: unknown };
    expect(body).toEqual(local.predictions);
  });

  it('answers bad request bodies with 400/413 and a message that names the problem, and keeps serving', async () => {
    const url = `${served!.url}/predict`;
    const features = JSON.parse(readFileSync(join(app, 'data/sample_features.json'), 'utf8')) as Record<string, unknown>[];
    const [first] = features;
    const { pixel_0_0: _dropped, ...missing } = first!;
    const cases: [string, unknown, number, RegExp][] = [
      ['not JSON', '{"features": [', 400, /not valid JSON/],
      ['no features', {}, 400, /inputs or features must be supplied/],
      ['features not records', { features: [1, 2] }, 400, /record 0 is a number/],
      ['missing column', { features: [missing] }, 400, /missing column pixel_0_0/],
      ['extra column', { features: [{ ...first, color: 1 }] }, 400, /unexpected column color/],
      ['non-numeric value', { features: [{ ...first, pixel_0_3: 'dark' }] }, 400, /column 'pixel_0_3' row 0 is not a finite number: "dark"/],
      ['too large', { features: Array.from({ length: 3000 }, () => first) }, 413, /.+/],
    ];
    for (const [name, body, status, pattern] of cases) {
      const response = await post(url, body);
      expect(response.status, name).toBe(status);
      expect((response.body as { detail: string }).detail, name).toMatch(pattern);
    }
    expect((await post(url, { features })).status).toBe(200);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const code = await served!.stop();
    served = undefined;
    expect(code).toBe(0);
  });
});

describe('bad input through the CLI gets a clear error, a non-zero exit code and no stack trace', () => {
  const expectError = (result: ReturnType<typeof unionml>, pattern: RegExp) => {
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  };

  it('names a missing app module, a missing export and an export that is not a Model', () => {
    writeFileSync(join(app, 'other.ts'), 'export const model = { name: "not a model" };\n');
    expectError(unionml(['train', 'nope:model', '--local']), /cannot find the app module 'nope'/);
    expectError(unionml(['train', 'app:clf', '--local']), /has no export named 'clf'; it exports: .*model/);
    expectError(unionml(['train', 'other:model', '--local']), /'model' in .*other\.ts is an object, not a UnionML Model/);
  });

  it('says where JSON is bad', () => {
    expectError(unionml(['train', 'app:model', '--local', '-i', '{"hyperparameters": {"epochs": }}']), /--inputs is not valid JSON: .*line 1, column 32/);
    writeFileSync(join(app, 'bad.json'), '[\n  {"pixel_0_0": 0,}\n]\n');
    expectError(
      unionml(['predict', 'app:model', '--local', '--model-path', 'model.json', '-f', 'bad.json']),
      /bad\.json is not valid JSON: trailing comma before } at line 2/,
    );
  });

  it('rejects wrong hyperparameters with the expected schema', () => {
    expectError(
      unionml(['train', 'app:model', '--local', '-i', '{"hyperparameters": {"epoch": 5}}']),
      /unknown key 'epoch'[\s\S]*expected: \{ learningRate\?: number/,
    );
  });

  it('names a missing or corrupt model file', () => {
    writeFileSync(join(app, 'corrupt.json'), '{"format": "unionml.model", "formatVersion": 1, "mod');
    expectError(
      unionml(['predict', 'app:model', '--local', '--model-path', 'missing.json', '-f', 'data/sample_features.json']),
      /model file not found: .*missing\.json/,
    );
    expectError(
      unionml(['predict', 'app:model', '--local', '--model-path', 'corrupt.json', '-f', 'data/sample_features.json']),
      /corrupt\.json is not a valid model file/,
    );
    expectError(unionml(['serve', 'app:model', '--model-path', 'missing.json', '--port', '0']), /model file not found: .*missing\.json/);
  });

  it('names wrong feature columns', () => {
    writeFileSync(join(app, 'wrong.json'), JSON.stringify([{ a: 1 }]));
    expectError(unionml(['predict', 'app:model', '--local', '--model-path', 'model.json', '-f', 'wrong.json']), /missing columns pixel_0_0, .*present: a/);
  });

  it('refuses serve without a model path', () => {
    expectError(unionml(['serve', 'app:model', '--port', '0'], { UNIONML_MODEL_PATH: '' }), /model artifact path not specified/i);
  });
});
