import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, exampleDependencies, exampleDevDependencies, FILES, git, gitEnv, IDENTITY, tree } from '../test-support/init.js';
import { REPO, tempDir, unionml } from '../test-support/run.js';
import { TEMPLATES } from '../templates.js';
import { VERSION } from '../version.js';
import { appPackageJson, packageName } from './init.js';

describe('unionml init', () => {
  it('creates the app from the example, with a generated package.json and an initial git commit', async () => {
    const cwd = tempDir();
    const env = gitEnv(IDENTITY);
    const result = await unionml(['init', 'my_app'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const app = join(cwd, 'my_app');
    expect(result.stdout).toContain(`[unionml] created app 'my_app' from the basic template in ${app}`);
    expect(result.stdout).toContain('cd my_app');
    expect(result.stderr).toBe('');

    expect(
      tree(app)
        .filter((f) => !f.startsWith('.git/'))
        .sort(),
    ).toEqual([...FILES, 'package.json', 'tsconfig.json'].sort());
    for (const file of FILES) {
      expect(readFileSync(join(app, file)).equals(readFileSync(join(EXAMPLE, file))), file).toBe(true);
      expect(statSync(join(app, file)).mode & 0o200, `${file} is writable`).toBeTruthy();
    }

    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toEqual({
      name: 'my-app',
      version: '0.1.0',
      private: true,
      description: expect.stringContaining('my_app') as string,
      type: 'module',
      engines: { node: '>=20.19' },
      scripts: {
        train: 'unionml train app:model --local -o model.json',
        serve: 'unionml serve app:model --model-path model.json --port 8000',
        typecheck: 'tsc -p tsconfig.json',
      },
      dependencies: {
        '@tensorflow/tfjs': exampleDependencies['@tensorflow/tfjs'],
        '@tensorflow/tfjs-backend-wasm': exampleDependencies['@tensorflow/tfjs-backend-wasm'],
        unionml: `^${VERSION}`,
        '@unionml/core': `^${VERSION}`,
        '@unionml/data': `^${VERSION}`,
        zod: exampleDependencies['zod'],
      },
      // @unionml/remote builds the app's image: a development dependency, so that the image does not carry it.
      devDependencies: {
        '@types/node': exampleDevDependencies['@types/node'],
        '@unionml/remote': `^${VERSION}`,
        typescript: exampleDevDependencies['typescript'],
      },
      allowScripts: { esbuild: true, 'core-js': false, protobufjs: false, ssh2: false, 'cpu-features': false },
    });

    expect(git(app, ['log', '--format=%s|%an|%ae'], env)).toBe('initial commit for my_app|Ada Lovelace|ada@example.com');
    expect(git(app, ['status', '--porcelain'], env)).toBe('');
    expect(git(app, ['ls-files'], env).split('\n').sort()).toEqual([...FILES, 'package.json', 'tsconfig.json'].sort());
  });

  it.each([
    ['regression', { 'ml-regression-multivariate-linear': '2.0.4' }],
    ['tabular', {}],
  ])('--template %s creates the app from its example, with its dependencies and no TensorFlow.js', async (template, extra) => {
    const cwd = tempDir();
    const env = gitEnv(IDENTITY);
    const result = await unionml(['init', 'my_app', '--template', template], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const app = join(cwd, 'my_app');
    expect(result.stdout).toContain(`[unionml] created app 'my_app' from the ${template} template in ${app}`);
    const spec = TEMPLATES[template]!;
    const example = join(REPO, spec.example);
    expect(
      tree(app)
        .filter((f) => !f.startsWith('.git/'))
        .sort(),
    ).toEqual([...spec.files, 'package.json', 'tsconfig.json'].sort());
    for (const file of spec.files) expect(readFileSync(join(app, file)).equals(readFileSync(join(example, file))), file).toBe(true);
    expect(spec.files).toContain('data/sample_features.json');

    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    const examplePkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg).toMatchObject({
      name: 'my-app',
      description: `my_app: a UnionML app, made by unionml init from the ${template} template`,
      scripts: {
        train: 'unionml train app:model --local -o model.json',
        serve: 'unionml serve app:model --model-path model.json --port 8000',
        typecheck: 'tsc -p tsconfig.json',
      },
    });
    expect(pkg['dependencies']).toEqual({
      ...extra,
      unionml: `^${VERSION}`,
      '@unionml/core': `^${VERSION}`,
      '@unionml/data': `^${VERSION}`,
      zod: examplePkg.dependencies['zod'],
    });
    expect(Object.keys(pkg['dependencies'] as object)).toEqual(Object.keys(pkg['dependencies'] as object).sort());
    for (const [name, version] of Object.entries(extra)) expect(examplePkg.dependencies[name]).toBe(version);
    expect(git(app, ['log', '--format=%s'], env)).toBe('initial commit for my_app');
    expect(git(app, ['status', '--porcelain'], env)).toBe('');
  });

  it('commits as unionml <unionml@localhost> when git has no identity, and says so', async () => {
    const cwd = tempDir();
    const env = gitEnv('');
    const result = await unionml(['init', 'anonymous'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(git(join(cwd, 'anonymous'), ['log', '--format=%s|%an|%ae'], env)).toBe('initial commit for anonymous|unionml|unionml@localhost');
    expect(result.stderr).toContain('[unionml] warning: git has no user.name or user.email configured');
  });

  it('keeps the configured identity when only part of it is missing', async () => {
    const cwd = tempDir();
    const env = gitEnv('[user]\n\tname = Grace Hopper\n');
    const result = await unionml(['init', 'half'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(git(join(cwd, 'half'), ['log', '--format=%an|%ae'], env)).toBe('Grace Hopper|unionml@localhost');
  });

  it('still creates the app without git, with a warning', async () => {
    const cwd = tempDir();
    const empty = tempDir('unionml-path-');
    const result = await unionml(['init', 'no_git'], { cwd, env: { ...gitEnv(IDENTITY), PATH: empty } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[unionml] warning: git is not installed, so the app is not a git repository');
    expect(existsSync(join(cwd, 'no_git', 'app.ts'))).toBe(true);
    expect(existsSync(join(cwd, 'no_git', '.git'))).toBe(false);
  });

  it.each(['my-app', 'x', '1app', 'my.app', 'my app', 'ünï', '../escape'])('refuses the app name %j (exit 2)', async (name) => {
    const cwd = tempDir();
    const result = await unionml(['init', name], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: app name '${name}' is invalid: it must match ^[_a-zA-Z][_a-zA-Z0-9]+$`);
    expect(result.stderr).toContain('usage: unionml init APP_NAME');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each(['ab', '_a', '__', 'My_App2'])('accepts the app name %j', async (name) => {
    const cwd = tempDir();
    const result = await unionml(['init', name], { cwd, env: gitEnv(IDENTITY) });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(cwd, name, 'app.ts'))).toBe(true);
  });

  it('refuses an existing non-empty folder, and uses an empty one', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'notes.txt'), 'mine');
    const refused = await unionml(['init', 'taken'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: the folder ${join(cwd, 'taken')} already exists and is not empty`);
    expect(readdirSync(join(cwd, 'taken'))).toEqual(['notes.txt']);

    writeFileSync(join(cwd, 'file_app'), '');
    const file = await unionml(['init', 'file_app'], { cwd });
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('already exists and is not a folder');

    mkdirSync(join(cwd, 'empty'));
    const empty = await unionml(['init', 'empty'], { cwd, env: gitEnv(IDENTITY) });
    expect(empty.code, empty.stderr).toBe(0);
    expect(existsSync(join(cwd, 'empty', 'app.ts'))).toBe(true);
  });

  it('--packages-from names the tarballs that are missing', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'packages'));
    writeFileSync(join(cwd, 'packages', `unionml-core-${VERSION}.tgz`), '');
    const result = await unionml(['init', 'some_app', '--packages-from', 'packages'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `lacks ${['errors', 'data', 'flyte', 'docker', 'compiler', 'server', 'remote'].map((n) => `unionml-${n}-${VERSION}.tgz`).join(', ')}, unionml-${VERSION}.tgz`,
    );
    expect(result.stderr).toContain('hint: make them with: npm pack -w @unionml/errors');
    expect(existsSync(join(cwd, 'some_app'))).toBe(false);
    const none = await unionml(['init', 'some_app', '--packages-from', 'nowhere'], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`error: cannot read --packages-from ${join(cwd, 'nowhere')}: no such folder`);
  });
});

describe('package.json of a new app', () => {
  it.each([
    ['my_app', 'my-app'],
    ['My_App2', 'my-app2'],
    ['_private', 'private'],
    ['__', 'unionml-app'],
  ])('names %s %s', (appName, name) => {
    expect(packageName(appName)).toBe(name);
  });

  it('depends on the registry versions compatible with the given one (^version)', () => {
    const pkg = appPackageJson(
      'x_y',
      { spec: TEMPLATES['basic']!, dependencies: { zod: '4.0.0' }, devDependencies: {}, scripts: {} },
      { version: '9.9.9' },
    ) as { dependencies: unknown; overrides: unknown };
    expect(pkg.dependencies).toEqual({ unionml: '^9.9.9', '@unionml/core': '^9.9.9', '@unionml/data': '^9.9.9', zod: '4.0.0' });
    // No overrides: danfojs-node (the one dependency that needed them) is an optional peer the app does not install.
    expect(pkg.overrides).toBeUndefined();
  });

  it("gives UnionML packages a template depends on (the Lambda templates' @unionml/server) the same range", () => {
    const template = { spec: TEMPLATES['basic-aws-lambda']!, dependencies: { '@unionml/server': '0.1.0', zod: '4.0.0' }, devDependencies: {}, scripts: {} };
    const fromRegistry = appPackageJson('x_y', template, { version: '9.9.9' }) as { dependencies: Record<string, string> };
    expect(fromRegistry.dependencies).toMatchObject({ '@unionml/server': '^9.9.9', zod: '4.0.0' });
    const fromTarballs = appPackageJson('x_y', template, {
      version: '9.9.9',
      tarballs: Object.fromEntries(['@unionml/server', 'unionml', '@unionml/core', '@unionml/data', '@unionml/remote'].map((n) => [n, `/p/${n}.tgz`])),
    }) as { dependencies: Record<string, string> };
    expect(fromTarballs.dependencies['@unionml/server']).toBe('file:/p/@unionml/server.tgz');
  });
});
