// npm pack on a workspace of its own (made here, in a temporary folder): the staging packs workspace and file:
// dependencies, transitively, with their prepack scripts, and never touches another package's folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stageLocalPackages } from './stage.js';

const root = mkdtempSync(join(tmpdir(), 'unionml-stage-ws-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pkg(dir: string, json: Record<string, unknown>, files: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A workspace: app → @t/a (workspace) → @t/b (workspace), app → c (file:), root overrides. */
function workspace(): string {
  pkg(root, { name: 'ws', private: true, workspaces: ['packages/*', 'app'], overrides: { left: 'npm:right@1.0.0' } });
  // @t/a's prepack writes the file it publishes, as a build would.
  pkg(join(root, 'packages', 'a'), {
    name: '@t/a',
    version: '1.0.0',
    main: 'built.js',
    files: ['built.js'],
    scripts: { prepack: "node -e \"require('fs').writeFileSync('built.js', 'module.exports = 1')\"" },
    dependencies: { '@t/b': '1.0.0' },
  });
  pkg(join(root, 'packages', 'b'), { name: '@t/b', version: '1.0.0', main: 'index.js' }, { 'index.js': 'module.exports = 2' });
  pkg(join(root, 'vendor', 'c'), { name: 'c', version: '2.0.0', main: 'index.js' }, { 'index.js': 'module.exports = 3' });
  const app = pkg(join(root, 'app'), {
    name: 'app',
    private: true,
    dependencies: { '@t/a': '1.0.0', c: 'file:../vendor/c', zod: '4.6.7' },
    devDependencies: { typescript: '5.9.3' },
  });
  // What npm install makes of a workspace: links to the members.
  mkdirSync(join(root, 'node_modules', '@t'), { recursive: true });
  symlinkSync(join(root, 'packages', 'a'), join(root, 'node_modules', '@t', 'a'));
  symlinkSync(join(root, 'packages', 'b'), join(root, 'node_modules', '@t', 'b'));
  return app;
}

describe('stageLocalPackages (npm pack)', () => {
  it('packs the local packages transitively, runs their prepack, and points package.json at the tarballs', async () => {
    const app = workspace();
    const staged = (await stageLocalPackages(app))!;
    expect(Object.keys(staged.packages).sort()).toEqual(['@t/a', '@t/b', 'c']);
    const json = JSON.parse(staged.extraFiles['package.json'] as string) as Record<string, Record<string, string>>;
    expect(json['dependencies']).toEqual({ '@t/a': 'file:.unionml/packages/t-a-1.0.0.tgz', c: 'file:.unionml/packages/c-2.0.0.tgz', zod: '4.6.7' });
    expect(json['devDependencies']).toBeUndefined();
    expect(json['workspaces']).toBeUndefined();
    expect(json['overrides']).toEqual({
      left: 'npm:right@1.0.0',
      '@t/a': 'file:.unionml/packages/t-a-1.0.0.tgz',
      '@t/b': 'file:.unionml/packages/t-b-1.0.0.tgz',
      c: 'file:.unionml/packages/c-2.0.0.tgz',
    });
    expect(
      Object.keys(staged.extraFiles)
        .filter((f) => f.endsWith('.tgz'))
        .sort(),
    ).toEqual(['.unionml/packages/c-2.0.0.tgz', '.unionml/packages/t-a-1.0.0.tgz', '.unionml/packages/t-b-1.0.0.tgz']);
    expect(staged.exclude).toContain('package-lock.json');

    // The tarball holds what prepack built.
    const out = mkdtempSync(join(tmpdir(), 'unionml-stage-out-'));
    writeFileSync(join(out, 'a.tgz'), staged.extraFiles['.unionml/packages/t-a-1.0.0.tgz'] as Uint8Array);
    expect(execFileSync('tar', ['-tzf', join(out, 'a.tgz')], { encoding: 'utf8' }).split('\n')).toContain('package/built.js');
    rmSync(out, { recursive: true, force: true });
    // No tarball was left in the packages' folders.
    expect(readdirSync(join(root, 'packages', 'a')).sort()).toEqual(['built.js', 'package.json']);
  }, 120_000);

  it('names the package whose pack fails', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'unionml-stage-broken-'));
    pkg(join(broken, 'lib'), {
      name: 'lib',
      version: '1.0.0',
      scripts: { prepack: 'node -e "console.log(\'src/x.ts(1,1): error TS1005\'); process.exit(3)"' },
    });
    const app = pkg(join(broken, 'app'), { name: 'app', dependencies: { lib: 'file:../lib' } });
    await expect(stageLocalPackages(app)).rejects.toMatchObject({
      code: 'IMAGE_PACK_FAILED',
      kind: 'app',
      message: expect.stringContaining(join(broken, 'lib')) as string,
    });
    rmSync(broken, { recursive: true, force: true });
  }, 120_000);
});
