import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel, parseAppAddress, resolveAppModule } from './load-app.js';
import { Model } from './model.js';

const apps = fileURLToPath(new URL('./test-support/apps/', import.meta.url));

describe('parseAppAddress', () => {
  it.each([
    ['app:model', { module: 'app', exportName: 'model' }],
    ['app', { module: 'app', exportName: 'model' }],
    ['src/app.ts:clf', { module: 'src/app.ts', exportName: 'clf' }],
    ['C:\\apps\\app.ts', { module: 'C:\\apps\\app.ts', exportName: 'model' }],
    ['@scope/pkg:model', { module: '@scope/pkg', exportName: 'model' }],
  ])('parses %s', (address, expected) => {
    expect(parseAppAddress(address)).toEqual(expected);
  });

  it('rejects empty or malformed addresses', () => {
    expect(() => parseAppAddress('')).toThrow('expected an app address like app:model');
    expect(() => parseAppAddress('app:')).toThrow("has no export name after ':'");
    expect(() => parseAppAddress('app:1model')).toThrow("'1model' in app:1model is not a valid export name");
  });
});

describe('resolveAppModule', () => {
  it('finds ./APP.ts, ./APP.js and ./APP/index.*', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-resolve-'));
    writeFileSync(join(dir, 'a.ts'), '');
    writeFileSync(join(dir, 'b.js'), '');
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'index.ts'), '');
    expect(resolveAppModule('a', dir)).toBe(join(dir, 'a.ts'));
    expect(resolveAppModule('./b', dir)).toBe(join(dir, 'b.js'));
    expect(resolveAppModule('c', dir)).toBe(join(dir, 'c', 'index.ts'));
    expect(resolveAppModule(join(dir, 'a.ts'), '/')).toBe(join(dir, 'a.ts'));
  });

  it('lists what it tried', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-resolve-'));
    let message = '';
    try {
      resolveAppModule('nope', dir);
    } catch (e) {
      message = (e as Error).message;
      expect(e).toMatchObject({ code: 'APP_NOT_FOUND' });
    }
    expect(message).toContain(`cannot find the app module 'nope' from ${dir}; tried:`);
    expect(message).toContain(join(dir, 'nope.ts'));
    expect(message).toContain(`package 'nope' (not installed for ${dir})`);
  });
});

describe('loadModel', () => {
  it('loads a TypeScript app and returns its Model export', async () => {
    const model = await loadModel('tiny:model', { cwd: apps });
    expect(Model.isModel(model)).toBe(true);
    expect(model.name).toBe('tiny');
    await model.train();
    expect(model.artifact?.metrics?.test?.['score']).toBeGreaterThan(0.9);
  });

  it('names the missing export and lists the ones present', async () => {
    await expect(loadModel('tiny:clf', { cwd: apps })).rejects.toMatchObject({
      code: 'APP_EXPORT_MISSING',
      message: `${join(apps, 'tiny.ts')} has no export named 'clf'; it exports: dataset, model, notAModel`,
    });
  });

  it('says what an export is when it is not a Model', async () => {
    await expect(loadModel('tiny:notAModel', { cwd: apps })).rejects.toMatchObject({
      code: 'APP_NOT_A_MODEL',
      message: `'notAModel' in ${join(apps, 'tiny.ts')} is an object, not a UnionML Model`,
    });
    await expect(loadModel('tiny:dataset', { cwd: apps })).rejects.toThrow("'dataset' in " + join(apps, 'tiny.ts') + ' is a Dataset, not a UnionML Model');
    await expect(loadModel('plain:answer', { cwd: apps })).rejects.toThrow('is a number, not a UnionML Model');
  });

  it('wraps errors raised while importing the app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-apps-'));
    writeFileSync(join(dir, 'throws.ts'), "throw new Error('no GPU found');\nexport const model = 1;\n");
    writeFileSync(join(dir, 'deps.ts'), "import { x } from 'not-installed-anywhere';\nexport const model = x;\n");
    await expect(loadModel('throws:model', { cwd: dir })).rejects.toMatchObject({
      code: 'APP_IMPORT_FAILED',
      message: `failed to load the app ${join(dir, 'throws.ts')}: no GPU found`,
    });
    await expect(loadModel('deps:model', { cwd: dir })).rejects.toMatchObject({
      code: 'APP_IMPORT_FAILED',
      hint: expect.stringContaining('npm install') as string,
    });
  });

  it('blames a rejected top-level await on the app, whatever its message says (not CommonJS)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-apps-'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(join(dir, 'tla.ts'), "export const model = 1;\nawait Promise.reject(new Error('top-level await failed: database unreachable'));\n");
    await expect(loadModel('tla:model', { cwd: dir })).rejects.toMatchObject({
      code: 'APP_IMPORT_FAILED',
      message: expect.stringContaining('database unreachable') as string,
      hint: 'fix the error in the app (run with --verbose for the stack)',
    });
  });

  it('says so when a top-level await never settles (Node would exit 13 without a word), and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-apps-'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(join(dir, 'hang.mjs'), 'export const model = 1;\nawait new Promise(() => {});\n');
    const loader = new URL('./load-app.ts', import.meta.url).href;
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { loadModel } = await import(${JSON.stringify(loader)}); await loadModel('hang:model', { cwd: ${JSON.stringify(dir)} });`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stderr).toContain(`the app ${join(dir, 'hang.mjs')} never finished loading: a top-level await`);
    expect(result.status).toBe(1);
  });
});
