// ESLint for the whole workspace (flat config): type-aware typescript-eslint, the package map enforced from the Nx
// tags (@nx/enforce-module-boundaries), no import cycles, and Prettier's formatting rules off (Prettier formats).
// `npm run lint` runs it with --max-warnings 0.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The package map (see DEVELOPERS.md): what each scope may depend on. Apps depend on libraries, never on apps;
 * @unionml/flyte, @unionml/docker and @unionml/data depend only on @unionml/errors; core never on the compiler,
 * Docker or the CLI. @unionml/testing (private test helpers) depends on no UnionML package, and only tests use it.
 */
export const DEP_CONSTRAINTS = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:example', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'scope:errors', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:errors'] },
  { sourceTag: 'scope:flyte', onlyDependOnLibsWithTags: ['scope:errors'] },
  { sourceTag: 'scope:docker', onlyDependOnLibsWithTags: ['scope:errors'] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:errors', 'scope:data'] },
  { sourceTag: 'scope:compiler', onlyDependOnLibsWithTags: ['scope:errors', 'scope:data', 'scope:flyte', 'scope:core', 'scope:testing'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:errors', 'scope:data', 'scope:core', 'scope:testing'] },
  {
    sourceTag: 'scope:remote',
    onlyDependOnLibsWithTags: ['scope:errors', 'scope:data', 'scope:flyte', 'scope:docker', 'scope:core', 'scope:compiler', 'scope:testing'],
  },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: [
      'scope:errors',
      'scope:data',
      'scope:flyte',
      'scope:docker',
      'scope:core',
      'scope:compiler',
      'scope:server',
      'scope:remote',
      'scope:testing',
    ],
  },
  { sourceTag: 'scope:server-app', onlyDependOnLibsWithTags: ['scope:errors', 'scope:data', 'scope:core', 'scope:server', 'scope:testing'] },
];

/** The workspace's libraries, by npm name. */
const LIBRARIES = ['errors', 'data', 'flyte', 'docker', 'core', 'compiler', 'server', 'remote', 'testing'].map((name) => `@unionml/${name}`);

/** Files that no tsconfig includes (configs, scripts, fixtures): linted without type information. */
const UNTYPED = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/vitest.config.mts', '**/vitest.*.mts', 'apps/cli/scripts/**', 'e2e/fixtures/**'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/out-tsc/**',
      '**/*.d.ts',
      'test-output/**',
      'tmp/**',
      '.nx/**',
      'apps/cli/templates/**',
      'tools/flytekit-check/**',
      'tools/sklearn-check/.venv/**',
      'tools/flyte-check/**',
      'tools/flyte-lab/**', // Go and shell; its .state/ holds the running lab's data
      'tools/docs/.samples/**',
      'tools/lint/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@nx': nx, 'import-x': importX },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          // Lazy imports here are for start-up time in Node (unionml --help loads nothing heavy), not for bundle
          // splitting: a static import of the same package elsewhere (a test, another command) is fine.
          checkDynamicDependenciesExceptions: LIBRARIES,
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-default-export': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
    settings: {
      // Imports name the .js a .ts file compiles to; the workspace's packages resolve to their sources.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/resolver-next': [
        importX.createNodeResolver({
          extensions: ['.ts', '.mts', '.js', '.mjs'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
          conditionNames: ['@unionml/source', 'types', 'import', 'default'],
        }),
      ],
    },
  },
  {
    // Plain JavaScript, configs and scripts: no type information.
    files: UNTYPED,
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', performance: 'readonly' },
    },
  },
  {
    // Config files must default-export (vitest, eslint) and share the workspace's vitest settings.
    files: ['**/vitest.config.mts', '**/vitest.*.mts', 'eslint.config.mjs'],
    rules: { 'import-x/no-default-export': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
);
