// Shared by the init tests (unit and integration).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES } from '../templates.js';
import { REPO, tempDir } from './run.js';

export const EXAMPLE = join(REPO, 'examples', 'digits');
export const FILES = TEMPLATES['basic']!.files;
export const examplePackage = JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
export const exampleDependencies = examplePackage.dependencies;
export const exampleDevDependencies = examplePackage.devDependencies;

/** An environment whose git has only the given global config (no system config, no identity variables). */
export function gitEnv(config: string): NodeJS.ProcessEnv {
  const home = tempDir('unionml-home-');
  writeFileSync(join(home, '.gitconfig'), config);
  return {
    HOME: home,
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: undefined,
    GIT_AUTHOR_EMAIL: undefined,
    GIT_COMMITTER_NAME: undefined,
    GIT_COMMITTER_EMAIL: undefined,
    EMAIL: undefined,
  };
}

export const IDENTITY = '[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n';

export function git(dir: string, args: string[], env: NodeJS.ProcessEnv): string {
  const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter((e): e is [string, string] => e[1] !== undefined));
  return execFileSync('git', args, { cwd: dir, env: clean, encoding: 'utf8' }).trim();
}

export function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}
