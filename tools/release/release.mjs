#!/usr/bin/env node
// The release of the published packages: nx.json's release group "unionml" (the nine public packages, one version).
// `npx nx run release:release` runs it; `npx nx run release:release:dry-run` previews every step. DEVELOPERS.md
// ("Releasing") says what a maintainer does before and after.
//
//   1. build      nx run-many -t build on the group's projects
//   2. check      tools/scripts/check-packages.mjs: each package packed as npm would publish it (its prepack builds it
//                 and strips the workspace's source condition), then publint, are-the-types-wrong and its metadata
//   3. version    nx release version: the next version from the conventional commits since the last v* tag (commits
//                 that are not conventional count as patches: nx.json's conventionalCommits.types); on the first
//                 release (no v* tag yet) the version in the package.json files, as it is. The private workspace
//                 packages that pin the released ones (examples, e2e, tools) are moved to the new version with them
//                 (Nx only updates the projects it releases), and the lock file after them.
//   4. changelog  nx release changelog: a CHANGELOG.md entry, then one commit "chore(release): X" with the version
//                 changes and a tag vX (not pushed)
//   5. publish    `nx release publish` to the registry npm is configured with (npm_config_registry, .npmrc) or --registry.
//                 npm publish of a folder runs prepack, packs, runs postpack (which puts the workspace's package.json
//                 back), then reads package.json again for the version document the registry stores: the tarball would
//                 hold the stripped manifest but the registry's metadata the workspace one (the source condition,
//                 src/ paths). So each package's prepack runs here first (build, strip), `nx release publish` runs with
//                 npm's scripts off (npm_config_ignore_scripts), and each postpack runs afterwards, whatever happened:
//                 the registry gets prepack's manifest twice over, and the package.json files are restored byte for
//                 byte. Provenance (npm_config_provenance) is asked for only where npm can make it: on GitHub Actions
//                 or GitLab CI (UNIONML_RELEASE_PROVENANCE=1|0 forces it); npm refuses a publish with provenance
//                 anywhere else.
//
// Usage: node tools/release/release.mjs [SPECIFIER] [options]
//   SPECIFIER          X.Y.Z, or patch | minor | major | prerelease (below 1.0.0 Nx moves a bump one step down:
//                      minor gives 0.1.2 after 0.1.1) (default: from the commits, see step 3)
//   --dry-run          preview: nothing is written, committed, tagged or published (npm publish --dry-run)
//   --first-release    as if no v* tag existed (set by itself when there is none)
//   --preid ID         the prerelease identifier (with prerelease, or the specifier from the commits)
//   --publish-only     step 5 alone: publish the versions in the package.json files (after a failed publish)
//   --registry URL     publish there (default: npm's configured registry)
//   --tag TAG          the dist-tag (default: latest)
//   --otp CODE         npm's one-time password
//   --verbose          Nx's details
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const GROUP = 'unionml';
const nx = join(root, 'node_modules', '.bin', 'nx');

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      'first-release': { type: 'boolean', default: false },
      preid: { type: 'string' },
      'publish-only': { type: 'boolean', default: false },
      registry: { type: 'string' },
      tag: { type: 'string' },
      otp: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  console.error(`release: ${error.message}`);
  process.exit(2);
}
const { values, positionals } = args;
if (positionals.length > 1) {
  console.error(`release: one specifier at most (got ${positionals.join(' ')})`);
  process.exit(2);
}
const dryRun = values['dry-run'];

class ReleaseError extends Error {}

/** Runs a command in the foreground; throws when it fails. */
function run(command, commandArgs, { cwd = root, env } = {}) {
  console.log(`\n$ ${[command, ...commandArgs].join(' ')}${cwd === root ? '' : `   (in ${cwd.slice(root.length)})`}`);
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new ReleaseError(`${command} ${commandArgs.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** Runs a command and returns its stdout (trimmed); throws when it fails. */
function capture(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new ReleaseError(`${command} ${commandArgs.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The workspace's package folders (root package.json's `workspaces`: folders and `folder/*` globs). */
function workspaceFolders() {
  return readJson(join(root, 'package.json')).workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern],
  );
}

/** The release group's projects, in nx.json's order (dependencies first), with their folders and manifests. */
function releaseProjects() {
  const names = readJson(join(root, 'nx.json')).release.groups[GROUP].projects;
  const byProjectName = new Map();
  for (const folder of workspaceFolders()) {
    const file = join(root, folder, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJson(file);
    byProjectName.set(manifest.nx?.name ?? manifest.name, { folder, manifest });
  }
  return names.map((name) => {
    const found = byProjectName.get(name);
    if (!found) throw new ReleaseError(`nx.json's release group ${GROUP} names ${name}, which is no workspace package`);
    if (found.manifest.private) throw new ReleaseError(`${found.manifest.name} (${found.folder}) is private: it cannot be in the release group`);
    return { project: name, ...found };
  });
}

/** The one version of the group (fixed: every package.json says the same). */
function groupVersion(projects) {
  const versions = [...new Set(projects.map(({ folder }) => readJson(join(root, folder, 'package.json')).version))];
  if (versions.length !== 1)
    throw new ReleaseError(`the release group's packages have different versions (${versions.join(', ')}); they are released together`);
  return versions[0];
}

/**
 * Moves the private workspace packages' dependencies on the released packages from `from` to `to`: they pin exact
 * versions, and npm would fetch the old version from the registry instead of linking the workspace's. Edits the
 * version strings in place (the files keep their formatting). Returns the files changed (or that would be).
 */
function alignPrivateDependents(projects, from, to) {
  const names = projects.map(({ manifest }) => manifest.name.replace(/[/@.]/g, (c) => `\\${c}`));
  const pattern = new RegExp(`("(?:${names.join('|')})"\\s*:\\s*)"${from.replace(/\./g, '\\.')}"`, 'g');
  const changed = [];
  for (const folder of workspaceFolders()) {
    const file = join(root, folder, 'package.json');
    if (!existsSync(file) || !readJson(file).private) continue;
    const text = readFileSync(file, 'utf8');
    const updated = text.replace(pattern, `$1"${to}"`);
    if (updated === text) continue;
    changed.push(`${folder}/package.json`);
    if (!dryRun) writeFileSync(file, updated);
  }
  return changed;
}

/** Runs a package's own npm script (prepack/postpack), when it has one. */
function runPackageScript({ folder }, script) {
  const manifest = readJson(join(root, folder, 'package.json'));
  if (manifest.scripts?.[script]) run('npm', ['run', '--silent', script], { cwd: join(root, folder) });
}

/** Step 5: prepack each package, `nx release publish` with npm's scripts off, postpack each (see the header). */
function publish(projects, { firstRelease }) {
  const registry = values.registry ?? capture('npm', ['config', 'get', 'registry']);
  const forced = process.env.UNIONML_RELEASE_PROVENANCE;
  const provenance = forced !== undefined && forced !== '' ? forced === '1' : process.env.GITHUB_ACTIONS === 'true' || process.env.GITLAB_CI === 'true';
  console.log(
    `\n== publish ${projects.length} packages at ${groupVersion(projects)} to ${registry}${provenance ? ' with provenance' : ''}${dryRun ? ' (dry run)' : ''}`,
  );
  const env = { npm_config_ignore_scripts: 'true', ...(provenance ? { npm_config_provenance: 'true' } : {}) };
  const publishArgs = ['release', 'publish', '--groups', GROUP, '--registry', registry, '--outputStyle', 'static', '--parallel', '1'];
  if (values.tag) publishArgs.push('--tag', values.tag);
  if (values.otp) publishArgs.push('--otp', values.otp);
  if (firstRelease) publishArgs.push('--first-release');
  if (dryRun) publishArgs.push('--dry-run');
  if (values.verbose) publishArgs.push('--verbose');
  const prepacked = [];
  try {
    for (const project of projects) {
      prepacked.push(project);
      runPackageScript(project, 'prepack');
    }
    run(nx, publishArgs, { env });
  } finally {
    const failures = [];
    for (const project of prepacked) {
      try {
        runPackageScript(project, 'postpack');
      } catch (error) {
        failures.push(`${project.folder}: ${error.message}`);
      }
    }
    if (failures.length)
      console.error(`release: postpack failed, restore by hand (node tools/scripts/pack-manifest.mjs restore in each):\n  ${failures.join('\n  ')}`);
  }
}

async function release() {
  const projects = releaseProjects();
  if (values['publish-only']) {
    publish(projects, { firstRelease: values['first-release'] });
    return;
  }
  const dirty = capture('git', ['status', '--porcelain']);
  if (dirty) {
    if (!dryRun) throw new ReleaseError(`the working tree has changes; commit or stash them first:\n${dirty}`);
    console.log(`(dry run) the working tree has changes, which a release would refuse:\n${dirty}`);
  }

  console.log('\n== build');
  run(nx, ['run-many', '-t', 'build', '--projects', projects.map((p) => p.project).join(','), '--outputStyle', 'static']);

  console.log('\n== check the packages');
  run('node', [join(root, 'tools', 'scripts', 'check-packages.mjs')]);

  console.log('\n== version');
  const tags = capture('git', ['tag', '--list', 'v[0-9]*']);
  const firstRelease = values['first-release'] || tags === '';
  const current = groupVersion(projects);
  let specifier = positionals[0];
  if (firstRelease && specifier === undefined) {
    specifier = current;
    console.log(`first release (no v* tag): releasing the version in the package.json files, ${current}`);
  }
  const { releaseVersion, releaseChangelog } = await import('nx/release');
  const { workspaceVersion, projectsVersionData } = await releaseVersion({
    specifier,
    preid: values.preid,
    firstRelease,
    dryRun,
    verbose: values.verbose,
  });
  const next = workspaceVersion ?? projectsVersionData[projects[0].project]?.newVersion ?? null;
  if (!next) {
    console.log('\nnothing to release: no commit since the last tag asks for a new version (give a specifier to force one)');
    return;
  }
  if (next !== current) {
    const changed = alignPrivateDependents(projects, current, next);
    console.log(
      `\nthe private workspace packages follow ${current} -> ${next}: ${changed.join(', ') || 'none pins them'}${dryRun ? ' (dry run: not written)' : ''}`,
    );
    if (changed.length && !dryRun) {
      run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']);
      run('git', ['add', ...changed, 'package-lock.json']);
    }
  }

  console.log('\n== changelog, commit and tag');
  await releaseChangelog({ versionData: projectsVersionData, version: next, firstRelease, dryRun, verbose: values.verbose });

  publish(projects, { firstRelease });
  console.log(
    dryRun
      ? `\ndry run done: ${next} would be released`
      : `\nreleased ${next}: push the commit and the tag (git push --follow-tags), then check the packages (npm view unionml@${next})`,
  );
}

try {
  await release();
} catch (error) {
  console.error(`\nrelease failed: ${error instanceof ReleaseError ? error.message : (error?.stack ?? error)}`);
  process.exit(1);
}
