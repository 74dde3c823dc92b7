/**
 * The templates of `unionml init`. Their source of truth is an example app of the repository (`basic` is
 * `examples/digits`, `regression` is `examples/regression`, `tabular` is `examples/tabular`); nothing is copied into
 * apps/cli in git.
 *
 * - In the workspace, `init` reads the example itself.
 * - A packed @unionml/cli holds `templates/<name>/`, which `scripts/copy-template.mjs` (run by `prepack`) copies
 *   from the example, with a `template.json` that records the example's dependency versions and scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InitError, UsageError } from './errors.js';

/** A template of `unionml init`. */
export interface TemplateSpec {
  name: string;
  description: string;
  /** The example app that is the template, relative to the repository root. */
  example: string;
  /** The npm name of that example, to recognise it. */
  examplePackage: string;
  /** The files an app gets, relative to the example (and to the app). Only these are copied. */
  files: readonly string[];
  /** The example's dependencies that the app needs besides @unionml/*; versions come from the example. */
  dependencies: readonly string[];
  /** The example's devDependencies that the app gets (to typecheck it); versions come from the example. */
  devDependencies: readonly string[];
  /** The example's npm scripts that the app gets. */
  scripts: readonly string[];
}

/** The files every template app has besides its data. */
const APP_FILES = ['app.ts', 'README.md', '.gitignore', 'Dockerfile', '.dockerignore', '.unionml/README.md'] as const;

export const TEMPLATES: Readonly<Record<string, TemplateSpec>> = {
  basic: {
    name: 'basic',
    description: 'a digits classifier: softmax regression on TensorFlow.js (WebAssembly backend)',
    example: 'examples/digits',
    examplePackage: '@unionml/example-digits',
    files: [...APP_FILES, 'data/digits.csv.gz', 'data/digits.rst', 'data/sample_features.json'],
    dependencies: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'zod'],
    devDependencies: ['typescript', '@types/node'],
    scripts: ['train', 'serve'],
  },
  regression: {
    name: 'regression',
    description: 'a diabetes progression regressor: ordinary least squares with mljs (ml-regression-multivariate-linear)',
    example: 'examples/regression',
    examplePackage: '@unionml/example-regression',
    files: [...APP_FILES, 'data/diabetes.csv', 'data/diabetes.rst', 'data/sample_features.json'],
    dependencies: ['ml-regression-multivariate-linear', 'zod'],
    devDependencies: ['typescript', '@types/node'],
    scripts: ['train', 'serve'],
  },
  tabular: {
    name: 'tabular',
    description: 'a breast cancer classifier: standardized features and an L2 logistic regression (string labels)',
    example: 'examples/tabular',
    examplePackage: '@unionml/example-tabular',
    files: [...APP_FILES, 'data/breast_cancer.csv', 'data/breast_cancer.rst', 'data/sample_features.json'],
    dependencies: ['zod'],
    devDependencies: ['typescript', '@types/node'],
    scripts: ['train', 'serve'],
  },
};

/** What a packed template records beside its files (`template.json`). */
export interface TemplateMeta {
  template: string;
  source: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
}

/** A template found on disk. */
export interface FoundTemplate extends TemplateMeta {
  spec: TemplateSpec;
  /** The folder holding the files. */
  dir: string;
  /** Whether `dir` is a packed copy (whose dot files are stored under {@link storedName}). */
  packed: boolean;
}

/** The root of this package (apps/cli, or node_modules/@unionml/cli): one level above src/ and dist/. */
export const CLI_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The name a template file has in a packed template: npm never packs files named `.gitignore` (and would apply
 * them as ignore rules), so a leading dot becomes `_`.
 */
export function storedName(file: string): string {
  return file
    .split('/')
    .map((part) => (part.startsWith('.') ? `_${part.slice(1)}` : part))
    .join('/');
}

/** The template called `name`, or a usage error listing the templates. */
export function templateSpec(name: string): TemplateSpec {
  const spec = Object.hasOwn(TEMPLATES, name) ? TEMPLATES[name] : undefined;
  if (!spec) {
    throw new UsageError(`unknown template '${name}'`, 'init', {
      code: 'INIT_TEMPLATE_UNKNOWN',
      hint: `the templates are: ${Object.values(TEMPLATES)
        .map((t) => `${t.name} (${t.description})`)
        .join(', ')}`,
    });
  }
  return spec;
}

/** Reads what a template takes from its example's package.json: dependency versions and scripts. */
export function readExample(spec: TemplateSpec, exampleDir: string): TemplateMeta {
  const file = join(exampleDir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
    name?: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    scripts?: Record<string, string>;
  };
  const pick = (from: Record<string, string> | undefined, names: readonly string[], what: string) =>
    Object.fromEntries(
      names.map((name) => {
        const value = from?.[name];
        if (value === undefined) throw new InitError('INIT_TEMPLATE_NOT_FOUND', `${file} has no ${what} '${name}', which the ${spec.name} template needs`);
        return [name, value];
      }),
    );
  return {
    template: spec.name,
    source: spec.example,
    dependencies: pick(pkg.dependencies, spec.dependencies, 'dependency'),
    devDependencies: pick(pkg.devDependencies, spec.devDependencies, 'devDependency'),
    scripts: pick(pkg.scripts, spec.scripts, 'script'),
  };
}

/**
 * Finds the template: the repository's example when running from the workspace (the source of truth), otherwise
 * the copy packed into this package.
 */
export function findTemplate(name: string, cliRoot = CLI_ROOT): FoundTemplate {
  const spec = templateSpec(name);
  const example = join(cliRoot, '..', '..', spec.example);
  if (isExample(example, spec)) return { spec, dir: example, packed: false, ...readExample(spec, example) };
  const packed = join(cliRoot, 'templates', spec.name);
  const metaFile = join(packed, 'template.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as TemplateMeta;
    return { spec, dir: packed, packed: true, ...meta };
  }
  throw new InitError(
    'INIT_TEMPLATE_NOT_FOUND',
    `the ${spec.name} template is missing from this installation of @unionml/cli: neither ${example} nor ${packed} exists`,
    {
      hint: 'reinstall @unionml/cli; a package packed from the repository gets its templates from npm pack (prepack)',
    },
  );
}

function isExample(dir: string, spec: TemplateSpec): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === spec.examplePackage;
  } catch {
    return false;
  }
}
