#!/usr/bin/env node
// Keeps the workspace's source condition out of published manifests. In the repository every package's `exports`
// has a condition `@unionml/source` (TypeScript, vitest and tsx read the sources through it); a published package has
// no sources, so `npm pack`/`npm publish` must not carry it.
//
// It also puts the repository's LICENSE in the package for the pack (npm always packs a package's LICENSE file).
//
//   node pack-manifest.mjs strip     (prepack) package.json → package.json.unpacked, and package.json without it;
//                                    ../../LICENSE copied in when the package has none (noted in LICENSE.copied)
//   node pack-manifest.mjs restore   (postpack) package.json.unpacked → package.json, byte for byte; the copied
//                                    LICENSE removed
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LICENSE = fileURLToPath(new URL('../../LICENSE', import.meta.url));

const CONDITION = '@unionml/source';
const [command] = process.argv.slice(2);

/** `exports` without the source condition, at any depth. */
export function withoutSourceCondition(value) {
  if (Array.isArray(value)) return value.map(withoutSourceCondition);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== CONDITION)
      .map(([key, inner]) => [key, withoutSourceCondition(inner)]),
  );
}

if (command === 'strip') {
  // A pack that failed after this step left the original beside the stripped manifest: it is the original.
  if (existsSync('package.json.unpacked')) renameSync('package.json.unpacked', 'package.json');
  const text = readFileSync('package.json', 'utf8');
  writeFileSync('package.json.unpacked', text);
  const manifest = JSON.parse(text);
  if (manifest.exports) manifest.exports = withoutSourceCondition(manifest.exports);
  writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  if (!existsSync('LICENSE')) {
    copyFileSync(LICENSE, 'LICENSE');
    writeFileSync('LICENSE.copied', '');
  }
} else if (command === 'restore') {
  if (existsSync('package.json.unpacked')) renameSync('package.json.unpacked', 'package.json');
  if (existsSync('LICENSE.copied')) {
    rmSync('LICENSE', { force: true });
    rmSync('LICENSE.copied', { force: true });
  }
} else if (command !== undefined) {
  console.error(`usage: pack-manifest.mjs strip|restore (got ${command})`);
  process.exit(2);
}
