#!/usr/bin/env node
// Checks what would be published: packs every public workspace package (npm pack, as a release would: prepack builds
// it and strips the workspace's source condition), then checks each tarball with publint (strict) and
// are-the-types-wrong (ESM-only profile: the packages are ESM, for Node >= 20.19), that its manifest names no
// workspace-only condition and its files hold no sources or tests, and that it carries what npm users and the release
// need: a README, repository (with its directory), homepage, bugs, keywords, author, license, engines, files and
// publishConfig.access public, without publishConfig.provenance (npm refuses to publish with provenance outside a CI
// that can make it; tools/release/release.mjs asks for it there). Exits 1 when a package fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
// Every workspace package or app (packages/*, apps/*) that is not private.
const publics = ['packages', 'apps']
  .flatMap((parent) => readdirSync(join(root, parent)).map((dir) => join(parent, dir)))
  .filter((folder) => existsSync(join(root, folder, 'package.json')))
  .map((folder) => ({ folder, manifest: JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const out = mkdtempSync(join(tmpdir(), 'unionml-packages-'));
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
const packed = run('npm', ['pack', '--json', '--pack-destination', out, ...publics.flatMap(({ manifest }) => ['-w', manifest.name])]);
if (packed.status !== 0) {
  console.error(packed.stdout, packed.stderr);
  console.log('npm pack failed');
  process.exit(1);
}
const reports = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));

const REPOSITORY = 'git+https://github.com/unionai-oss/unionml-ts.git';
const folderOf = new Map(publics.map(({ folder, manifest }) => [manifest.name, folder]));
/** What a published manifest must say besides its code (the registry's page, the release). */
function metadataProblems(manifest, files) {
  const problems = [];
  const folder = folderOf.get(manifest.name);
  const repo = manifest.repository;
  if (repo?.type !== 'git' || repo.url !== REPOSITORY || repo.directory !== folder)
    problems.push(`repository is ${JSON.stringify(repo)}, not { type: git, url: ${REPOSITORY}, directory: ${folder} }`);
  if (typeof manifest.homepage !== 'string' || !manifest.homepage.startsWith('https://')) problems.push('no homepage');
  if (typeof manifest.bugs?.url !== 'string') problems.push('no bugs.url');
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push('no keywords');
  if (!manifest.author) problems.push('no author');
  if (manifest.license !== 'Apache-2.0') problems.push(`license is ${manifest.license}, not Apache-2.0`);
  if (!manifest.engines?.node) problems.push('no engines.node');
  if (!Array.isArray(manifest.files)) problems.push('no files list');
  if (manifest.publishConfig?.access !== 'public') problems.push('publishConfig.access is not public');
  if (manifest.publishConfig?.provenance !== undefined)
    problems.push('publishConfig.provenance is set: npm refuses such a publish outside a CI that makes provenance');
  if (!files.includes('README.md')) problems.push('no README.md');
  if (!files.includes('LICENSE')) problems.push("no LICENSE (tools/scripts/pack-manifest.mjs copies the repository's in at prepack)");
  return problems;
}

let failures = 0;
for (const report of reports) {
  const tarball = join(out, report.filename);
  const problems = [];
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']).stdout);
  if (JSON.stringify(manifest.exports ?? {}).includes('@unionml/source')) problems.push('exports name the workspace condition @unionml/source');
  const files = report.files.map((f) => f.path);
  const leaked = files.filter((f) => f.startsWith('src/') || /\.test\.|tsbuildinfo|test-support\//.test(f));
  if (leaked.length) problems.push(`files that are not for users: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ', ...' : ''}`);
  const metadata = metadataProblems(manifest, files);
  if (metadata.length) problems.push(`metadata: ${metadata.join('; ')}`);
  const publint = run(bin('publint'), ['run', tarball, '--strict']);
  if (publint.status !== 0) problems.push(`publint:\n${publint.stdout}${publint.stderr}`);
  const attw = run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
  if (attw.status !== 0) problems.push(`are-the-types-wrong:\n${attw.stdout}${attw.stderr}`);
  const size = `${(report.size / 1024).toFixed(0)} kB packed, ${report.entryCount} files`;
  if (problems.length) {
    failures++;
    console.log(`FAIL ${report.name} (${size})\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`ok   ${report.name} (${size}): publint, attw, manifest, metadata`);
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`${reports.length - failures} of ${reports.length} packages ready to publish`);
process.exit(failures ? 1 : 0);
