// The READMEs' code samples compile (strict TypeScript against the built packages) and `main.ts` runs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSamples, publicPackages, readmes, ROOT } from './samples.js';

const WORK = join(ROOT, 'tools', 'docs', '.samples');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2023'],
    types: ['node'],
    noEmit: true,
    skipLibCheck: true,
    verbatimModuleSyntax: true,
    noUncheckedIndexedAccess: true,
  },
  include: ['*.ts'],
};

describe('extractSamples', () => {
  it('takes ts blocks that name their file, with their line', () => {
    const md = ['# x', '```ts', '// app.ts', 'export const a = 1;', '```', '```ts', 'const loose = 1;', '```', '```sh', '// b.ts', '```'].join('\n');
    expect(extractSamples(md)).toEqual([{ file: 'app.ts', code: '// app.ts\nexport const a = 1;\n', line: 2 }]);
  });
});

describe('README samples', () => {
  it('every public package has a README with its purpose and a sample', () => {
    for (const { folder, name } of publicPackages()) {
      const text = readFileSync(join(ROOT, folder, 'README.md'), 'utf8');
      expect(text.startsWith(`# ${name}`), `${folder}/README.md starts with # ${name}`).toBe(true);
      expect(extractSamples(text).length, `${folder}/README.md has a sample (a ts block whose first line is // FILE.ts)`).toBeGreaterThan(0);
    }
  });

  it.each(
    readmes()
      .filter((r) => extractSamples(readFileSync(r.path, 'utf8')).length > 0)
      .map((r) => [r.name, r.path] as const),
  )(
    '%s: the samples compile and main.ts runs',
    (name, path) => {
      const samples = extractSamples(readFileSync(path, 'utf8'));
      const dir = join(WORK, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `readme-${name}`, private: true, type: 'module' }));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
      cpSync(join(ROOT, 'tools', 'docs', 'fixtures', 'iris.csv'), join(dir, 'data', 'iris.csv'));
      for (const sample of samples) writeFileSync(join(dir, sample.file), sample.code);
      const where = samples.map((s) => `${s.file} (line ${s.line})`).join(', ');

      const tsc = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect(tsc.status, `${path}: ${where} do not compile:\n${tsc.stdout}${tsc.stderr}`).toBe(0);

      if (samples.some((s) => s.file === 'main.ts')) {
        // As a user runs it: the built packages (no workspace source condition from this test process's NODE_OPTIONS).
        const env = { ...process.env, NODE_OPTIONS: '' };
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
        expect(run.status, `${path}: main.ts failed:\n${run.stdout}${run.stderr}`).toBe(0);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    180_000,
  );
});
