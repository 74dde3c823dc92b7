// Shared vitest settings for every project in the workspace.
// Each project's vitest.config.mts calls defineProject(import.meta.dirname, '<nx name>').
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const workspaceRoot = path.dirname(fileURLToPath(import.meta.url));

/**
 * @param {string} root the project's folder
 * @param {string} name the project's nx name
 * @param {import('vitest/config').UserConfig['test']} [test] overrides
 */
export function defineProject(root, name, test = {}) {
  return defineConfig({
    root,
    // Resolve sibling workspace packages to their TypeScript sources (no build needed for unit tests).
    resolve: { conditions: ['@unionml/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['@unionml/source', 'module', 'node', 'import', 'default'], externalConditions: ['@unionml/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: path.join(workspaceRoot, 'test-output', 'vitest', `${name}.json`) }]],
      testTimeout: 30_000,
      ...test,
    },
  });
}
