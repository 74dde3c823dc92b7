// Shared vitest settings for every project in the workspace.
// Each project's vitest.config.mts calls defineProject(import.meta.dirname, '<nx name>').
//
// Test tiers:
// - unit (`*.test.ts`, nx target `test`): needs only Node. No Docker daemon, network, root, Go or Python.
// - integration (`*.integration.test.ts`, nx target `integration`, config `vitest.integration.mts` calling
//   defineIntegrationProject): real services that a setup step provides (a Docker daemon, npm pack, S3).
// - e2e (the `e2e` project's targets).
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
      exclude: ['**/node_modules/**', 'src/**/*.integration.test.ts'],
      reporters: ['default', ['json', { outputFile: path.join(workspaceRoot, 'test-output', 'vitest', `${name}.json`) }]],
      testTimeout: 30_000,
      ...test,
    },
  });
}

/**
 * The integration tier of a project: `src/**\/*.integration.test.ts`, run by its nx target `integration`.
 * @param {string} root the project's folder
 * @param {string} name the project's nx name
 * @param {import('vitest/config').UserConfig['test']} [test] overrides
 */
export function defineIntegrationProject(root, name, test = {}) {
  return defineProject(root, `${name}-integration`, {
    include: ['src/**/*.integration.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    ...test,
  });
}
