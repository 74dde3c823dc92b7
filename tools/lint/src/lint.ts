// Lints fixtures with the rules of the workspace's configuration (eslint.config.mjs) that they are about: the module
// boundaries (the same constraints, read from the config) and import cycles (the same resolver).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nx from '@nx/eslint-plugin';
import { ESLint, type Linter } from 'eslint';
import importX from 'eslint-plugin-import-x';
import { parser } from 'typescript-eslint';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** @nx/enforce-module-boundaries reads Nx's cached project graph, which a fresh clone does not have yet. */
function ensureProjectGraph(): void {
  if (!existsSync(join(ROOT, '.nx', 'workspace-data', 'project-graph.json'))) {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  }
}

async function linter(): Promise<ESLint> {
  ensureProjectGraph();
  const { DEP_CONSTRAINTS } = (await import(join(ROOT, 'eslint.config.mjs'))) as { DEP_CONSTRAINTS: unknown[] };
  return new ESLint({
    cwd: ROOT,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser },
        plugins: { '@nx': nx as never, 'import-x': importX },
        rules: {
          '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, depConstraints: DEP_CONSTRAINTS }],
          'import-x/no-cycle': ['error', { ignoreExternal: true }],
        },
        // As eslint.config.mjs: imports name the .js a .ts file compiles to.
        settings: {
          'import-x/extensions': ['.ts', '.js'],
          'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
        },
      },
    ],
  });
}

/** The messages ESLint gives `code` as if it were the file `path` (relative to the workspace root; it need not exist). */
export async function lintedAs(code: string, path: string): Promise<Linter.LintMessage[]> {
  const [result] = await (await linter()).lintText(code, { filePath: join(ROOT, path) });
  return result?.messages ?? [];
}

/** The messages ESLint gives a file. */
export async function lintFile(file: string): Promise<Linter.LintMessage[]> {
  const [result] = await (await linter()).lintFiles([file]);
  return result?.messages ?? [];
}

/** The messages of one rule. */
export function ruleMessages(messages: readonly Linter.LintMessage[], rule: string): string[] {
  return messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}
