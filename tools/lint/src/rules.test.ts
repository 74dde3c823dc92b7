// The workspace's lint rules bite: a forbidden import fails @nx/enforce-module-boundaries (with the tags and the
// constraints of eslint.config.mjs), a cycle fails import-x/no-cycle. The fixtures are linted where they would be a
// violation, without writing into those packages (ESLint's lintText with a filePath).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintedAs, lintFile, ruleMessages } from './lint.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

describe('@nx/enforce-module-boundaries', () => {
  it.each([
    ['core-imports-docker.ts', 'packages/core/src', 'A project tagged with "scope:core" can only depend on libs tagged with "scope:errors", "scope:data"'],
    ['data-imports-flyte.ts', 'packages/data/src', 'A project tagged with "scope:data" can only depend on libs tagged with "scope:errors"'],
    ['lib-imports-app.ts', 'packages/compiler/src', 'A project tagged with "type:lib" can only depend on libs tagged with "type:lib"'],
    ['core-imports-compiler.ts', 'packages/core/src', 'Circular dependency between "core" and "compiler" detected'],
  ])('fails %s linted in %s', async (file, folder, message) => {
    const messages = await lintedAs(fixture(file), join(folder, `lint-fixture-${file}`));
    expect(ruleMessages(messages, '@nx/enforce-module-boundaries').join('\n')).toContain(message);
  });

  it('passes an import the package map allows', async () => {
    const messages = await lintedAs(fixture('core-imports-data.ts'), join('packages/core/src', 'lint-fixture-ok.ts'));
    expect(messages.filter((m) => m.severity === 2)).toEqual([]);
  });
});

describe('import-x/no-cycle', () => {
  it('fails two modules that import each other', async () => {
    expect(ruleMessages(await lintFile(join(fixtures, 'cycle-a.ts')), 'import-x/no-cycle').join('\n')).toContain('Dependency cycle detected');
  });
});
