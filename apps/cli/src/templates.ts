/**
 * The templates of `unionml init`. Their source of truth is an example app of the repository (`basic` is
 * `examples/digits`, `regression` is `examples/regression`, `tabular` is `examples/tabular`, `basic-aws-lambda` and
 * `basic-aws-lambda-s3` are `examples/aws-lambda` and `examples/aws-lambda-s3` on top of `examples/digits`); nothing
 * is copied into apps/cli in git.
 *
 * - In the workspace, `init` reads the examples themselves (a template with a base: each file from the example that
 *   has it).
 * - A packed unionml holds `templates/<name>/`, which `scripts/copy-template.mjs` (run by `prepack`) copies from the
 *   example, with a `template.json` that records the example's dependency versions and scripts. A template with a
 *   base holds only its own files; `init` reads the others from the base's folder.
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
  /**
   * The template this one builds on: its `baseFiles` are read from the base template's example rather than from
   * `example`. The AWS Lambda templates are the basic template's digits app and data plus a handler, a SAM template
   * and a Lambda image, so that the app is written once (examples/digits/app.ts).
   */
  base?: string;
  /** The files of `files` that come from the example of `base`. */
  baseFiles?: readonly string[];
  /** The example's dependencies that the app needs besides @unionml/*; versions come from the example. */
  dependencies: readonly string[];
  /** The example's devDependencies that the app gets (to typecheck it); versions come from the example. */
  devDependencies: readonly string[];
  /** The example's npm scripts that the app gets. */
  scripts: readonly string[];
}

/** The files every template app has besides its data. */
const APP_FILES = ['app.ts', 'README.md', '.gitignore', 'Dockerfile', '.dockerignore', '.unionml/README.md'] as const;

const BASIC: TemplateSpec = {
  name: 'basic',
  description: 'a digits classifier: softmax regression on TensorFlow.js (WebAssembly backend)',
  example: 'examples/digits',
  examplePackage: '@unionml/example-digits',
  files: [...APP_FILES, 'data/digits.csv.gz', 'data/digits.rst', 'data/sample_features.json'],
  dependencies: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'zod'],
  devDependencies: ['typescript', '@types/node'],
  scripts: ['train', 'serve'],
};

/**
 * A template made of the files of `base` (from where the base gets them), but for `omit`, and its `own` files (from
 * its own example), which replace the base's files of the same name.
 */
function extend(
  base: TemplateSpec,
  spec: Omit<TemplateSpec, 'files' | 'base' | 'baseFiles'> & { own: readonly string[]; omit?: readonly string[] },
): TemplateSpec {
  const { own, omit = [], ...rest } = spec;
  const baseFiles = base.files.filter((file) => !own.includes(file) && !omit.includes(file));
  return { ...rest, base: base.name, baseFiles, files: [...baseFiles, ...own] };
}

const LAMBDA_EVENTS = ['events/http-api-predict.json', 'events/http-api-health.json', 'events/rest-api-predict.json'];

/** The basic template's app on AWS Lambda behind API Gateway: a handler, a SAM template, a Lambda image, events. */
const AWS_LAMBDA = extend(BASIC, {
  name: 'basic-aws-lambda',
  description: 'the digits classifier on AWS Lambda behind an API Gateway HTTP API (POST /predict): a handler, a SAM template, a Lambda image',
  example: 'examples/aws-lambda',
  examplePackage: '@unionml/example-aws-lambda',
  own: ['README.md', '.gitignore', '.dockerignore', 'handler.ts', 'template.yaml', 'Dockerfile.awslambda', ...LAMBDA_EVENTS],
  dependencies: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@unionml/server', 'zod'],
  devDependencies: ['typescript', '@types/node'],
  scripts: ['train', 'serve'],
});

export const TEMPLATES: Readonly<Record<string, TemplateSpec>> = {
  basic: BASIC,
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
  'basic-aws-lambda': AWS_LAMBDA,
  // The Lambda template's image, ignore files and app, with an S3 handler instead of the HTTP one.
  'basic-aws-lambda-s3': extend(AWS_LAMBDA, {
    name: 'basic-aws-lambda-s3',
    description: 'the digits classifier on AWS Lambda, predicting from feature files uploaded to S3 (features/*.json → predictions/*.json)',
    example: 'examples/aws-lambda-s3',
    examplePackage: '@unionml/example-aws-lambda-s3',
    own: ['README.md', 'handler.ts', 'template.yaml', 'events/s3-put.json'],
    omit: LAMBDA_EVENTS,
    dependencies: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@unionml/server', 'zod'],
    devDependencies: ['typescript', '@types/node'],
    scripts: ['train', 'serve'],
  }),
};

/**
 * Where each file of a template comes from: the template that owns it (itself, or for its `baseFiles` the template its
 * base gets them from) and that template's example folder (relative to the repository root). A packed unionml stores
 * each file once, in its owner's `templates/<owner>/`: the Lambda templates do not carry a second copy of the digits
 * data.
 */
export function templateSources(spec: TemplateSpec): { file: string; example: string; owner: string }[] {
  const ownerOf = (template: TemplateSpec, file: string): TemplateSpec =>
    template.base !== undefined && template.baseFiles?.includes(file) ? ownerOf(templateSpec(template.base), file) : template;
  return spec.files.map((file) => {
    const owner = ownerOf(spec, file);
    return { file, example: owner.example, owner: owner.name };
  });
}

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
  /** Whether the files are a packed copy (`templates/`, dot files stored under {@link storedName}) or the examples. */
  packed: boolean;
  /** Every file of the template (`spec.files`) and the absolute path it is read from. */
  files: { file: string; path: string }[];
}

/** The root of this package (apps/cli, or node_modules/unionml): one level above src/ and dist/. */
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
  const repo = join(cliRoot, '..', '..');
  const example = join(repo, spec.example);
  if (isExample(example, spec)) {
    const meta = readExample(spec, example);
    const files = templateSources(spec).map(({ file, example: from }) => ({ file, path: join(repo, from, file) }));
    return { spec, packed: false, files, ...meta };
  }
  const templates = join(cliRoot, 'templates');
  const metaFile = join(templates, spec.name, 'template.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as TemplateMeta;
    const files = templateSources(spec).map(({ file, owner }) => ({ file, path: join(templates, owner, storedName(file)) }));
    return { spec, packed: true, files, ...meta };
  }
  throw new InitError(
    'INIT_TEMPLATE_NOT_FOUND',
    `the ${spec.name} template is missing from this installation of unionml: neither ${example} nor ${join(templates, spec.name)} exists`,
    {
      hint: 'reinstall unionml; a package packed from the repository gets its templates from npm pack (prepack)',
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
