#!/usr/bin/env node
// Copies the templates of `unionml init` from the repository's examples into templates/ (run by `prepack`, after
// the build, so that a packed @unionml/cli carries them). The examples stay the source of truth; templates/ is
// git-ignored. Usage: node scripts/copy-template.mjs [OUT_DIR] (default: templates/ beside this script's folder).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATES, readExample, storedName } from '../dist/templates.js';

const cliRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(cliRoot, '..', '..');
const outDir = resolve(process.argv[2] ?? join(cliRoot, 'templates'));

await rm(outDir, { recursive: true, force: true });
for (const spec of Object.values(TEMPLATES)) {
  const source = join(repoRoot, spec.example);
  const target = join(outDir, spec.name);
  const meta = readExample(spec, source);
  for (const file of spec.files) {
    const to = join(target, storedName(file));
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, await readFile(join(source, file)), { mode: 0o644 });
  }
  await writeFile(join(target, 'template.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`copied the ${spec.name} template from ${spec.example} (${spec.files.length} files) to ${target}`);
}
