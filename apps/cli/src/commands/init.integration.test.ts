// unionml init with npm pack: tarballs of the published packages and a packed unionml (the CLI).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, exampleDependencies, FILES, gitEnv, IDENTITY, tree } from '../test-support/init.js';
import { REPO, tempDir, unionml } from '../test-support/run.js';
import { readExample, TEMPLATES, type TemplateMeta } from '../templates.js';
import { VERSION } from '../version.js';

describe('unionml init (npm pack)', () => {
  it('--packages-from wires every published package to its tarball, and npm installs them without the registry', async () => {
    const cwd = tempDir();
    const packages = join(cwd, 'packages');
    mkdirSync(packages);
    // Stand-ins with the real dependency graph of the published packages (`unionml` is the CLI).
    const graph: Record<string, string[]> = {
      '@unionml/errors': [],
      '@unionml/data': ['errors'],
      '@unionml/flyte': ['errors'],
      '@unionml/docker': ['errors'],
      '@unionml/core': ['data', 'errors'],
      '@unionml/compiler': ['core', 'data', 'errors', 'flyte'],
      '@unionml/server': ['core', 'data', 'errors'],
      '@unionml/remote': ['core', 'docker', 'errors', 'flyte'],
      unionml: ['compiler', 'core', 'data', 'errors', 'server'],
    };
    /** npm pack's file name of a package. */
    const tarballName = (name: string) => `${name.replace(/^@/, '').replace('/', '-')}-${VERSION}.tgz`;
    for (const [name, deps] of Object.entries(graph)) {
      const dir = join(cwd, 'src', name.replace('/', '-'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name, version: VERSION, dependencies: Object.fromEntries(deps.map((d) => [`@unionml/${d}`, VERSION])) }),
      );
      execFileSync('npm', ['pack', '--pack-destination', packages], { cwd: dir, stdio: 'ignore' });
    }
    const names = Object.keys(graph);
    expect(readdirSync(packages).sort()).toEqual(names.map(tarballName).sort());

    const result = await unionml(['init', 'packed_deps', '--packages-from', 'packages'], { cwd, env: gitEnv(IDENTITY) });
    expect(result.code, result.stderr).toBe(0);
    const app = join(cwd, 'packed_deps');
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      overrides: Record<string, string>;
    };
    const tarball = (name: string) => `file:${join(packages, tarballName(name))}`;
    const ours = (deps: Record<string, string>) => Object.keys(deps).filter((d) => d in graph);
    for (const name of ['unionml', '@unionml/core', '@unionml/data']) expect(pkg.dependencies[name]).toBe(tarball(name));
    expect(ours(pkg.dependencies)).toEqual(['@unionml/core', '@unionml/data', 'unionml']);
    // @unionml/remote (image builds; it brings the Docker client) is for development only, so not in the app's image.
    expect(ours(pkg.devDependencies)).toEqual(['@unionml/remote']);
    expect(pkg.devDependencies['@unionml/remote']).toBe(tarball('@unionml/remote'));
    expect(pkg.overrides).toEqual(Object.fromEntries(names.map((name) => [name, tarball(name)])));

    // Install only the UnionML part (the rest would need the registry): npm must find all of it in the tarballs.
    const onlyOurs = (deps: Record<string, string>) => Object.fromEntries(Object.entries(deps).filter(([d]) => d in graph));
    const unionmlOnly = {
      name: 'packed-deps',
      private: true,
      dependencies: onlyOurs(pkg.dependencies),
      devDependencies: onlyOurs(pkg.devDependencies),
      overrides: onlyOurs(pkg.overrides),
    };
    writeFileSync(join(app, 'package.json'), JSON.stringify(unionmlOnly));
    execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe' });
    const scoped = names.filter((n) => n.startsWith('@unionml/')).map((n) => n.slice('@unionml/'.length));
    expect(readdirSync(join(app, 'node_modules', '@unionml')).sort()).toEqual(scoped.sort());
    expect(existsSync(join(app, 'node_modules', 'unionml', 'package.json'))).toBe(true);
    // Without the development packages (as in the app's image), neither @unionml/remote nor @unionml/docker is there.
    rmSync(join(app, 'node_modules'), { recursive: true, force: true });
    execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev'], { cwd: app, stdio: 'pipe' });
    expect(readdirSync(join(app, 'node_modules', '@unionml')).sort()).toEqual(scoped.filter((n) => n !== 'remote' && n !== 'docker').sort());
  }, 60_000);

  it('from a packed unionml, copies the template packed by prepack (dot files included)', async () => {
    const root = tempDir('unionml-packed-');
    const cli = join(REPO, 'apps', 'cli');
    const tarball = execFileSync('npm', ['pack', '--pack-destination', root, '--silent'], { cwd: cli, encoding: 'utf8' }).trim().split('\n').pop()!;
    const installed = join(root, 'node_modules', 'unionml');
    mkdirSync(installed, { recursive: true });
    mkdirSync(join(root, 'node_modules', '@unionml'));
    execFileSync('tar', ['xzf', join(root, tarball), '-C', installed, '--strip-components=1']);
    for (const name of ['errors', 'data', 'flyte', 'docker', 'core', 'compiler', 'server', 'remote'])
      symlinkSync(join(REPO, 'packages', name), join(root, 'node_modules', '@unionml', name));
    expect(existsSync(join(installed, 'templates', 'basic', 'template.json'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);

    const cwd = join(root, 'work');
    mkdirSync(cwd);
    const result = await unionml(['init', 'from_pack'], { cwd, env: gitEnv(IDENTITY), bin: join(installed, 'bin', 'unionml.js') });
    expect(result.code, result.stderr).toBe(0);
    const app = join(cwd, 'from_pack');
    expect(
      tree(app)
        .filter((f) => !f.startsWith('.git/'))
        .sort(),
    ).toEqual([...FILES, 'package.json', 'tsconfig.json'].sort());
    for (const file of FILES) expect(readFileSync(join(app, file)).equals(readFileSync(join(EXAMPLE, file))), file).toBe(true);
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toMatchObject({ zod: exampleDependencies['zod'], '@tensorflow/tfjs': exampleDependencies['@tensorflow/tfjs'] });

    // Every template is packed, with the versions of its example's dependencies.
    for (const spec of Object.values(TEMPLATES)) {
      const meta = JSON.parse(readFileSync(join(installed, 'templates', spec.name, 'template.json'), 'utf8')) as TemplateMeta;
      expect(meta).toEqual(readExample(spec, join(REPO, spec.example)));
    }
    const regression = TEMPLATES['regression']!;
    const made = await unionml(['init', 'packed_regression', '--template', 'regression'], {
      cwd,
      env: gitEnv(IDENTITY),
      bin: join(installed, 'bin', 'unionml.js'),
    });
    expect(made.code, made.stderr).toBe(0);
    const regressionApp = join(cwd, 'packed_regression');
    for (const file of regression.files)
      expect(readFileSync(join(regressionApp, file)).equals(readFileSync(join(REPO, regression.example, file))), file).toBe(true);
    const regressionPkg = JSON.parse(readFileSync(join(regressionApp, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(regressionPkg.dependencies['ml-regression-multivariate-linear']).toBe('2.0.4');
  }, 120_000);
});
