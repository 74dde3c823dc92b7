/**
 * `unionml init APP_NAME [--template basic] [--packages-from DIR]`: a new app folder from a template, with a
 * generated package.json and an initial git commit.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { CommandContext } from '../commands.js';
import { InitError, UsageError } from '../errors.js';
import { DEFAULT_IDENTITY, initialCommit } from '../git.js';
import { findTemplate, type FoundTemplate } from '../templates.js';
import { VERSION } from '../version.js';

/** Python UnionML's rule for app names (templates/common/hooks/pre_gen_project.py): at least 2 characters. */
export const APP_NAME_PATTERN = /^[_a-zA-Z][_a-zA-Z0-9]+$/;

/**
 * The published packages, in dependency order: an app depends on the CLI (`unionml`), core and data, and npm installs
 * all nine.
 */
const ALL = [
  '@unionml/errors',
  '@unionml/data',
  '@unionml/flyte',
  '@unionml/docker',
  '@unionml/core',
  '@unionml/compiler',
  '@unionml/server',
  '@unionml/remote',
  'unionml',
] as const;
type PackageName = (typeof ALL)[number];
const DIRECT: readonly PackageName[] = ['unionml', '@unionml/core', '@unionml/data'];
/**
 * Development-only packages of an app: @unionml/remote (image builds, and later deploys) brings the Docker client,
 * which the app's image (`npm install --omit=dev`) does not need to run tasks or serve.
 */
const DEV: readonly PackageName[] = ['@unionml/remote'];
const PACK_COMMAND = `npm pack ${ALL.map((name) => `-w ${name}`).join(' ')} --pack-destination DIR`;

const isPublished = (name: string): name is PackageName => (ALL as readonly string[]).includes(name);

/** The start of npm pack's file name for a package: `unionml-core` for @unionml/core, `unionml` for unionml. */
const tarballStem = (name: PackageName) => name.replace(/^@/, '').replace('/', '-');

/**
 * The tsconfig.json of a new app: tsx runs app.ts without it, but editors and `npm run typecheck` use it, so that
 * the types UnionML infers (hyperparameters, model object, features) are checked in the app too.
 */
export const APP_TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    lib: ['es2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noEmit: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
  },
  include: ['*.ts', 'src/**/*.ts'],
};

/**
 * Install scripts npm 11 may run (esbuild, for tsx) or skip: core-js's banner (@tensorflow/tfjs, the basic
 * template's), protobufjs's version check (@grpc/grpc-js) and ssh2's and cpu-features' optional native builds
 * (dockerode), which @unionml/remote works without.
 */
const ALLOW_SCRIPTS = { esbuild: true, 'core-js': false, protobufjs: false, ssh2: false, 'cpu-features': false };

export async function init({ positionals, values, cwd, out }: CommandContext): Promise<number> {
  const appName = positionals[0]!;
  if (!APP_NAME_PATTERN.test(appName)) {
    throw new UsageError(`app name '${appName}' is invalid: it must match ${APP_NAME_PATTERN.source}`, 'init', {
      code: 'INIT_APP_NAME_INVALID',
      hint: 'start with a letter or _, then at least one letter, digit or _ (no - or .), e.g. my_app',
    });
  }
  const template = findTemplate(String(values['template']));
  const destination = resolve(cwd, appName);
  const created = await checkDestination(destination);
  const packagesFrom = typeof values['packages-from'] === 'string' ? await findTarballs(resolve(cwd, values['packages-from'])) : undefined;

  try {
    await copyTemplate(template, destination);
    const pkg = appPackageJson(appName, template, { version: VERSION, ...(packagesFrom ? { tarballs: packagesFrom } : {}) });
    await writeFile(join(destination, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`, { mode: 0o644 });
    await writeFile(join(destination, 'tsconfig.json'), `${JSON.stringify(APP_TSCONFIG, null, 2)}\n`, { mode: 0o644 });
  } catch (error) {
    // Leave nothing half-made behind.
    if (created) await rm(destination, { recursive: true, force: true });
    else for (const entry of await readdir(destination).catch(() => [])) await rm(join(destination, entry), { recursive: true, force: true });
    throw new InitError('INIT_WRITE_FAILED', `cannot create the app in ${destination}: ${(error as Error).message}`, { cause: error });
  }
  out.say(`created app '${appName}' from the ${template.spec.name} template in ${destination}`);

  const git = initialCommit(destination, appName);
  if (git.status === 'committed') {
    out.say(`made the initial git commit: "initial commit for ${appName}"`);
    if (git.defaultIdentity.length) {
      const who = git.defaultIdentity.map((key) => `${key}=${DEFAULT_IDENTITY[key as keyof typeof DEFAULT_IDENTITY]}`).join(', ');
      out.warn(`git has no ${git.defaultIdentity.join(' or ')} configured, so the commit uses ${who}; set yours with git config --global user.name/user.email`);
    }
  } else if (git.status === 'no-git') {
    out.warn('git is not installed, so the app is not a git repository; install git, then run git init and commit (deployments are versioned by commit)');
  } else {
    out.warn(`${git.step} failed, so the app has no initial commit: ${git.detail}`);
  }

  const shown = relative(cwd, destination) || '.';
  out.stdout(
    [
      '',
      'next steps:',
      `  cd ${shown}`,
      '  npm install',
      '  npm run train    # trains and saves model.json',
      '  npm run serve    # serves it on http://127.0.0.1:8000',
      '',
    ].join('\n'),
  );
  return 0;
}

/** Refuses an existing non-empty destination. Returns whether the folder has to be created. */
async function checkDestination(destination: string): Promise<boolean> {
  const info = await stat(destination).catch(() => undefined);
  if (!info) return true;
  if (!info.isDirectory())
    throw new InitError('INIT_DESTINATION_EXISTS', `${destination} already exists and is not a folder`, { hint: 'choose another app name' });
  const entries = await readdir(destination);
  if (entries.length) {
    throw new InitError('INIT_DESTINATION_EXISTS', `the folder ${destination} already exists and is not empty`, {
      hint: 'choose another app name, or remove or empty that folder',
    });
  }
  return false;
}

/** Copies the template's files (and only those) into `destination`. */
async function copyTemplate(template: FoundTemplate, destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  for (const { file, path: source } of template.files) {
    const target = join(destination, file);
    await mkdir(dirname(target), { recursive: true });
    // Read and write rather than copy: the app's files are the user's, writable whatever the source's mode.
    await writeFile(target, await readFile(source), { mode: 0o644 });
  }
}

/**
 * Finds npm pack's tarball of every published package in `dir` (`unionml-<name>-<version>.tgz` for @unionml/<name>,
 * `unionml-<version>.tgz` for unionml), preferring this CLI's version.
 * @returns absolute paths by package name
 */
export async function findTarballs(dir: string): Promise<Record<PackageName, string>> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new InitError('INIT_PACKAGES_NOT_FOUND', `cannot read --packages-from ${dir}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`, {
      hint: `make the tarballs with: ${PACK_COMMAND}`,
    });
  });
  const found: Partial<Record<PackageName, string>> = {};
  const missing: string[] = [];
  for (const name of ALL) {
    const stem = tarballStem(name);
    const pattern = new RegExp(`^${stem}-(\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.+-]*)?)\\.tgz$`);
    const candidates = entries.filter((e) => pattern.test(e)).sort();
    const file = candidates.find((e) => e === `${stem}-${VERSION}.tgz`) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (file) found[name] = join(dir, file);
    else if (candidates.length > 1) {
      throw new InitError('INIT_PACKAGES_NOT_FOUND', `${dir} has several ${name} tarballs (${candidates.join(', ')}) and none of version ${VERSION}`, {
        hint: 'keep one tarball per package in the folder',
      });
    } else missing.push(`${stem}-${VERSION}.tgz`);
  }
  if (missing.length) {
    throw new InitError('INIT_PACKAGES_NOT_FOUND', `${dir} lacks ${missing.join(', ')}`, {
      hint: `make them with: ${PACK_COMMAND}`,
    });
  }
  return found as Record<PackageName, string>;
}

/** The npm name of an app: lower case, `_` → `-` (as Python UnionML's project_name), without leading `-`. */
export function packageName(appName: string): string {
  return appName.toLowerCase().replaceAll('_', '-').replace(/^-+/, '') || 'unionml-app';
}

/** The package.json of a new app. */
export function appPackageJson(
  appName: string,
  template: Pick<FoundTemplate, 'dependencies' | 'devDependencies' | 'scripts' | 'spec'>,
  options: { version: string; tarballs?: Record<string, string> },
): Record<string, unknown> {
  const { tarballs } = options;
  // The registry's versions compatible with this CLI's, or (for developers of UnionML) the packed tarballs.
  const unionml = (name: PackageName) => (tarballs ? `file:${tarballs[name]}` : `^${options.version}`);
  // UnionML's packages a template depends on besides these (@unionml/server for the Lambda handlers) get the same
  // version range as they do: the template's pin is the workspace's.
  const ours = (deps: Record<string, string>) =>
    Object.fromEntries(Object.entries(deps).map(([name, version]) => [name, isPublished(name) ? unionml(name) : version]));
  const dependencies = sortKeys({ ...ours(template.dependencies), ...Object.fromEntries(DIRECT.map((name) => [name, unionml(name)])) });
  // With tarballs, every published package (also the ones only depended on by others) comes from them, so that npm
  // never asks the registry for an unpublished version. (No other overrides: danfojs-node, which needs two, is an
  // optional peer dependency of @unionml/data that apps do not install.)
  const overrides = tarballs ? Object.fromEntries(ALL.map((name) => [name, unionml(name)])) : undefined;
  return {
    name: packageName(appName),
    version: '0.1.0',
    private: true,
    description: `${appName}: a UnionML app, made by unionml init from the ${template.spec.name} template`,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: { ...template.scripts, typecheck: 'tsc -p tsconfig.json' },
    dependencies,
    devDependencies: sortKeys({ ...ours(template.devDependencies), ...Object.fromEntries(DEV.map((name) => [name, unionml(name)])) }),
    ...(overrides ? { overrides } : {}),
    allowScripts: ALLOW_SCRIPTS,
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
