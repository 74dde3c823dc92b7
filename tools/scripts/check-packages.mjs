#!/usr/bin/env node
// Checks what would be published: packs every public workspace package (npm pack, as a release would: prepack builds
// it and strips the workspace's source condition), then checks each tarball with publint (strict) and
// are-the-types-wrong (ESM-only profile: the packages are ESM, for Node >= 20.19), and that its manifest names no
// workspace-only condition and its files hold no sources or tests. Exits 1 when a package fails.
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

let failures = 0;
for (const report of reports) {
  const tarball = join(out, report.filename);
  const problems = [];
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']).stdout);
  if (JSON.stringify(manifest.exports ?? {}).includes('@unionml/source')) problems.push('exports name the workspace condition @unionml/source');
  const files = report.files.map((f) => f.path);
  const leaked = files.filter((f) => f.startsWith('src/') || /\.test\.|tsbuildinfo|test-support\//.test(f));
  if (leaked.length) problems.push(`files that are not for users: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ', ...' : ''}`);
  const publint = run(bin('publint'), ['run', tarball, '--strict']);
  if (publint.status !== 0) problems.push(`publint:\n${publint.stdout}${publint.stderr}`);
  const attw = run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
  if (attw.status !== 0) problems.push(`are-the-types-wrong:\n${attw.stdout}${attw.stderr}`);
  const size = `${(report.size / 1024).toFixed(0)} kB packed, ${report.entryCount} files`;
  if (problems.length) {
    failures++;
    console.log(`FAIL ${report.name} (${size})\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`ok   ${report.name} (${size}): publint, attw, manifest`);
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`${reports.length - failures} of ${reports.length} packages ready to publish`);
process.exit(failures ? 1 : 0);
