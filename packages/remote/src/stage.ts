// Makes an app's Docker build context installable inside the image: packages that are not on a registry (workspace
// packages, `file:` dependencies) are packed into `.unionml/packages/` of the context and the staged package.json
// points at them, so that `npm install` in the Dockerfile finds everything with the npm registry alone.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { ImageError } from './errors.js';

const execFileAsync = promisify(execFile);

/** Files to add to the build context, and files to leave out of it. */
export interface StagedContext {
  /** Paths relative to the context → contents (the staged package.json and the packed tarballs). */
  extraFiles: Record<string, string | Uint8Array>;
  /** Patterns to leave out (the lockfile, which no longer matches the staged package.json). */
  exclude: string[];
  /** The local packages staged, by name. */
  packages: Record<string, string>;
}

type PackageJson = {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  workspaces?: string[] | { packages?: string[] };
};

const STAGE_DIR = '.unionml/packages';

/**
 * Finds the app's dependencies that npm cannot fetch from a registry inside the image (workspace packages and
 * `file:` specs, and theirs, transitively), packs them and rewrites package.json to use the tarballs. Returns
 * `undefined` when every dependency comes from a registry.
 */
export async function stageLocalPackages(appDir: string): Promise<StagedContext | undefined> {
  const pkgPath = join(appDir, 'package.json');
  if (!existsSync(pkgPath)) {
    throw new ImageError(
      'IMAGE_CONTEXT_INVALID',
      `${appDir} has no package.json, so the image cannot install the app's dependencies`,
      'run unionml build in the app folder (unionml init makes one)',
    );
  }
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as PackageJson;
  const locals = new Map<string, string>(); // name → folder or tarball
  const visit = (from: string, deps: Record<string, string> | undefined) => {
    for (const [name, spec] of Object.entries(deps ?? {})) {
      if (locals.has(name)) continue;
      const source = localSource(from, name, spec);
      if (!source) continue;
      locals.set(name, source);
      if (statSync(source).isDirectory()) {
        const inner = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as PackageJson;
        visit(source, { ...inner.dependencies, ...inner.optionalDependencies });
      }
    }
  };
  visit(appDir, { ...pkg.dependencies, ...pkg.optionalDependencies });
  for (const [name, spec] of Object.entries(pkg.overrides ?? {})) {
    if (typeof spec === 'string' && spec.startsWith('file:') && !locals.has(name)) visit(appDir, { [name]: spec });
  }
  if (locals.size === 0) return undefined;

  const extraFiles: Record<string, string | Uint8Array> = {};
  const specs: Record<string, string> = {};
  const packDir = await mkdtemp(join(tmpdir(), 'unionml-stage-'));
  try {
    const folders = [...locals.values()].filter((source) => statSync(source).isDirectory());
    const packed = await pack(folders, packDir);
    for (const [name, source] of locals) {
      const tarball = packed.get(source) ?? source;
      const file = `${STAGE_DIR}/${basename(tarball)}`;
      extraFiles[file] = await readFile(tarball);
      specs[name] = `file:${file}`;
    }
  } finally {
    await rm(packDir, { recursive: true, force: true });
  }
  const rewrite = (deps: Record<string, string> | undefined) =>
    deps ? Object.fromEntries(Object.entries(deps).map(([n, s]) => [n, specs[n] ?? s])) : undefined;
  const staged: PackageJson = { ...pkg, dependencies: rewrite(pkg.dependencies)! };
  if (pkg.optionalDependencies) staged.optionalDependencies = rewrite(pkg.optionalDependencies)!;
  // Dev dependencies are not installed in the image, and npm would still look them up: leave them out.
  delete staged.devDependencies;
  delete staged.workspaces;
  // The workspace root's overrides apply to a workspace member's install; inside the image it installs alone.
  staged.overrides = { ...workspaceOverrides(appDir), ...(pkg.overrides ?? {}), ...specs };
  extraFiles['package.json'] = `${JSON.stringify(staged, null, 2)}\n`;
  return { extraFiles, exclude: ['package-lock.json', 'npm-shrinkwrap.json', 'node_modules'], packages: specs };
}

/** The folder or tarball of a dependency that does not come from a registry, or undefined. */
function localSource(from: string, name: string, spec: string): string | undefined {
  if (spec.startsWith('file:')) {
    const path = resolve(from, spec.slice('file:'.length));
    if (!existsSync(path)) throw new ImageError('IMAGE_CONTEXT_INVALID', `dependency ${name} is ${spec}, which does not exist`, 'fix the path in package.json');
    return path;
  }
  if (spec.startsWith('link:') || spec.startsWith('workspace:')) return installedFolder(from, name);
  const installed = installedFolder(from, name);
  // Installed from a registry, a package lives in a node_modules folder; a workspace package is a link out of it.
  return installed && !installed.split(sep).includes('node_modules') ? installed : undefined;
}

function installedFolder(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

function workspaceOverrides(appDir: string): Record<string, unknown> {
  for (let dir = dirname(resolve(appDir)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const root = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (root.workspaces) return root.overrides ?? {};
    }
    if (dirname(dir) === dir) return {};
  }
}

/**
 * Packs `folders` with one `npm pack` (each one's prepack script runs) into `destination`; returns folder → tarball.
 * The tarballs are named as npm names them, `{scope-}{name}-{version}.tgz`.
 */
async function pack(folders: string[], destination: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  if (folders.length === 0) return tarballs;
  try {
    await execFileAsync('npm', ['pack', ...folders, '--pack-destination', destination, '--silent'], { cwd: destination, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    // A failing prepack (e.g. tsc) prints on stdout, npm's own errors go to stderr: the last lines of both.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const detail = `${stdout}\n${stderr}`.trim().split('\n').filter(Boolean).slice(-8).join('\n') || String(error);
    throw new ImageError(
      'IMAGE_PACK_FAILED',
      `cannot pack the local packages ${folders.join(', ')} for the image: ${detail}`,
      'check that they build (npm pack runs their prepack scripts)',
    );
  }
  for (const folder of folders) {
    const { name = '', version = '' } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as PackageJson & { version?: string };
    const tarball = join(destination, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
    if (!existsSync(tarball))
      throw new ImageError('IMAGE_PACK_FAILED', `npm pack of ${folder} made no ${basename(tarball)}`, 'check its package.json name and version');
    tarballs.set(folder, tarball);
  }
  return tarballs;
}
