#!/usr/bin/env node
// Copies the templates of `unionml init` from the repository's examples into templates/ (run by `prepack`, after
// the build, so that a packed unionml carries them). The examples stay the source of truth; templates/ is
// git-ignored. A template with a base (the AWS Lambda templates on the basic one) holds only its own files: init reads
// the base's from the base's folder (templateSources), so that the digits data is packed once. Usage: node scripts/copy-template.mjs [OUT_DIR] (default: templates/ beside this script's folder).
//
// Each file is replaced atomically (written beside it, then renamed), and stale files are removed last, so that a
// concurrent `npm pack` of this package never sees a half-written or missing template.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATES, readExample, storedName, templateSources } from '../dist/templates.js';

const cliRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(cliRoot, '..', '..');
const outDir = resolve(process.argv[2] ?? join(cliRoot, 'templates'));

async function writeAtomic(path, data) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

const written = new Set();
for (const spec of Object.values(TEMPLATES)) {
  const source = join(repoRoot, spec.example);
  const target = join(outDir, spec.name);
  const meta = readExample(spec, source);
  // Only the files this template owns: a template with a base gets the others from the base's folder at init.
  for (const { file, example, owner } of templateSources(spec)) {
    if (owner !== spec.name) continue;
    const to = join(target, storedName(file));
    await writeAtomic(to, await readFile(join(repoRoot, example, file)));
    written.add(to);
  }
  const metaFile = join(target, 'template.json');
  await writeAtomic(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  written.add(metaFile);
  const own = spec.files.length - (spec.baseFiles?.length ?? 0);
  const base = spec.base === undefined ? '' : `; ${spec.baseFiles.length} more from the ${spec.base} template at init`;
  console.log(`copied the ${spec.name} template from ${spec.example} (${own} files${base}) to ${target}`);
}
for (const file of await listFiles(outDir)) {
  if (!written.has(file) && !file.endsWith('.tmp')) await rm(file, { force: true });
  else if (file.endsWith('.tmp') && !written.has(file)) console.warn(`left ${relative(outDir, file)} (another copy in progress?)`);
}
