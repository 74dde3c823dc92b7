/**
 * The command table: names, arguments, options and help of every command. It imports nothing heavy: each command's
 * implementation (and with it @unionml/core, the app, TensorFlow.js...) is imported only when that command runs,
 * so that `unionml --help` starts fast.
 */
import type { Output } from './output.js';

/** An option of a command, as `node:util` parseArgs takes it, with its help. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help, e.g. `FILE`. */
  value?: string;
  default?: string;
  /** The option may be given several times (its value is then an array). */
  multiple?: boolean;
  description: string;
}

/** What a command's implementation receives. */
export interface CommandContext {
  /** The positional arguments, already counted against the command's spec. */
  positionals: string[];
  /** The options, with their defaults applied (arrays for `multiple` options). */
  values: Record<string, string | boolean | string[] | undefined>;
  /** The folder the command runs in (app addresses and relative paths resolve from it). */
  cwd: string;
  out: Output;
}

/** One command of the CLI. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line after `usage: `. */
  usage: string;
  /** A paragraph for the command's help. */
  description: string;
  /** The positional arguments, in order; `optional` ones may be left out. */
  arguments: Array<{ name: string; description: string; optional?: boolean }>;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Imports the implementation and runs it; returns the exit status. */
  run(context: CommandContext): Promise<number>;
  /** Takes its arguments as they are (not parsed): `execute`, whose arguments Flyte renders. */
  raw?: boolean;
}

const APP_MODEL = { name: 'APP:MODEL', description: 'the app module (./app.ts, ./app.js or a package) and its exported Model, e.g. app:model' };

const verbose: OptionSpec = { type: 'boolean', description: 'print stack traces of errors' };
const help: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };
const json: OptionSpec = { type: 'boolean', description: 'print one JSON object on stdout (errors too: {"error": {code, message, hint}})' };
const local: OptionSpec = { type: 'boolean', description: 'run on this machine (required: running on a Flyte cluster is not available in this release)' };
const compiled: OptionSpec = {
  type: 'boolean',
  description: 'with --local: run the compiled Flyte workflow, each task in its own `unionml execute` process with real inputs.pb/outputs.pb files',
};
const allowUncommitted: OptionSpec = { type: 'boolean', description: 'take the git commit as the version even with uncommitted changes' };
const image: OptionSpec = {
  type: 'string',
  value: 'IMAGE',
  description: 'with --compiled: run every task in a container of this image (see unionml build), as a cluster would (needs @unionml/remote)',
};
const network: OptionSpec = {
  type: 'string',
  value: 'NETWORK',
  description: "the Docker network of the containers, e.g. host (default: the daemon's default network)",
};

/** Options that every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = { verbose, help };

export const COMMANDS: readonly Command[] = [
  {
    name: 'init',
    summary: 'create a new app from a template',
    usage: 'unionml init APP_NAME [--template basic] [--packages-from DIR]',
    description:
      'Create the folder APP_NAME with a UnionML app from a template (app.ts, package.json, data, README.md, Dockerfile), ' +
      'then make it a git repository with an initial commit. APP_NAME must match ^[_a-zA-Z][_a-zA-Z0-9]+$.',
    arguments: [{ name: 'APP_NAME', description: 'the name of the app and of its folder' }],
    options: {
      template: { type: 'string', short: 't', value: 'NAME', default: 'basic', description: 'the template; basic is a digits classifier on TensorFlow.js' },
      'packages-from': {
        type: 'string',
        value: 'DIR',
        description: 'depend on the unionml-*.tgz tarballs in DIR (from npm pack) instead of the npm registry',
      },
    },
    examples: ['unionml init my_app', 'cd my_app && npm install && npm run train && npm run serve'],
    run: async (context) => (await import('./commands/init.js')).init(context),
  },
  {
    name: 'train',
    summary: 'train a model in this process and save it to a model file',
    usage: 'unionml train APP:MODEL --local [-i JSON] [-o MODEL_FILE] [--json]',
    description:
      'Train the model in this process: read the data, split it, train, evaluate on each split, print the metrics and save ' +
      'the model file (atomically). --inputs is a JSON object with the keys hyperparameters, trainerKwargs, loaderKwargs, ' +
      'splitterKwargs and parserKwargs (snake_case spellings such as trainer_kwargs work too); its other keys are the ' +
      "reader's arguments.",
    arguments: [APP_MODEL],
    options: {
      local,
      compiled,
      image,
      network,
      inputs: { type: 'string', short: 'i', value: 'JSON', description: 'the training inputs as a JSON object, or @FILE to read them from a file' },
      output: { type: 'string', short: 'o', value: 'MODEL_FILE', default: 'model.json', description: 'where to save the model file' },
      json,
    },
    examples: [
      'unionml train app:model --local',
      `unionml train app:model --local -i '{"hyperparameters": {"epochs": 100}}' -o model.json --json`,
      'unionml train app:model --local --compiled --json',
    ],
    run: async (context) => (await import('./commands/train.js')).train(context),
  },
  {
    name: 'predict',
    summary: 'predict with a saved model, in this process',
    usage: 'unionml predict APP:MODEL --local --model-path MODEL_FILE (-f FEATURES_FILE | -i JSON) [--json]',
    description:
      'Load the model file and predict, in this process, from a JSON file of features (an array of records, or ' +
      '{"features": [...]}) or from the reader\'s arguments (--inputs, read and parsed like the training data). ' +
      'Prints the predictions as JSON.',
    arguments: [APP_MODEL],
    options: {
      local,
      compiled,
      image,
      network,
      'model-path': { type: 'string', value: 'MODEL_FILE', description: 'the model file written by unionml train' },
      features: { type: 'string', short: 'f', value: 'FILE', description: 'a JSON file of feature records' },
      inputs: { type: 'string', short: 'i', value: 'JSON', description: "the reader's arguments as a JSON object, or @FILE" },
      json: { ...json, description: 'print {"predictions": [...]} on stdout (errors: {"error": {code, message, hint}})' },
    },
    examples: [
      'unionml predict app:model --local --model-path model.json -f data/sample_features.json',
      'unionml predict app:model --local --compiled --model-path model.json -f data/sample_features.json',
    ],
    run: async (context) => (await import('./commands/predict.js')).predict(context),
  },
  {
    name: 'serve',
    summary: 'serve a saved model over HTTP',
    usage: 'unionml serve APP:MODEL --model-path MODEL_FILE [--host 127.0.0.1] [--port 8000]',
    description:
      'Load the model file and serve the model over HTTP (GET /health, POST /predict with {"features": [...]} or ' +
      '{"inputs": {...}}) until SIGTERM or SIGINT. Without --model-path, the model file is taken from UNIONML_MODEL_PATH.',
    arguments: [APP_MODEL],
    options: {
      'model-path': { type: 'string', value: 'MODEL_FILE', description: 'the model file written by unionml train (default: $UNIONML_MODEL_PATH)' },
      host: { type: 'string', value: 'HOST', default: '127.0.0.1', description: 'the address to listen on; 0.0.0.0 for every interface' },
      port: { type: 'string', value: 'PORT', default: '8000', description: 'the port to listen on; 0 picks a free one' },
    },
    examples: ['unionml serve app:model --model-path model.json --port 8000'],
    run: async (context) => (await import('./commands/serve.js')).serve(context),
  },
  {
    name: 'package',
    summary: 'compile the app into Flyte tasks, workflows and launch plans, as a registration bundle',
    usage: 'unionml package APP:MODEL --image IMAGE [--version V] [--project P] [--domain D] [-o BUNDLE.tgz] [--json]',
    description:
      "Compile the model and its dataset into Flyte's tasks ({dataset}.dataset_task, {model}.train_task, {model}.predict_task, " +
      '{model}.predict_from_features_task), workflows ({model}.train, {model}.predict, {model}.predict_from_features), their ' +
      "default launch plans and the model's schedules, and write them as a .tgz that flytectl register files accepts. " +
      'The version defaults to the git commit of the app (uncommitted changes are refused unless --allow-uncommitted).',
    arguments: [APP_MODEL],
    options: {
      image: { type: 'string', value: 'IMAGE', description: 'the container image of every task (required)' },
      version: { type: 'string', short: 'v', value: 'V', description: 'the version of every entity (default: the git commit)' },
      project: { type: 'string', short: 'p', value: 'P', default: 'flytesnacks', description: 'the Flyte project' },
      domain: { type: 'string', short: 'd', value: 'D', default: 'development', description: 'the Flyte domain' },
      output: { type: 'string', short: 'o', value: 'BUNDLE', default: 'bundle.tgz', description: 'where to write the bundle' },
      'allow-uncommitted': allowUncommitted,
      json: { ...json, description: 'print {"bundle", "version", "files", "seconds"} on stdout' },
    },
    examples: [
      'unionml package app:model --image unionml-digits:dev --version v1 -o /tmp/bundle.tgz',
      'flytectl register files --archive /tmp/bundle.tgz -p flytesnacks -d development',
    ],
    run: async (context) => (await import('./commands/package.js')).packageApp(context),
  },
  {
    name: 'build',
    summary: "build the app's Docker image (and push it with --push)",
    usage:
      'unionml build APP:MODEL [--version V] [--build-arg K=V ...] [--registry R | --sandbox] [--image-name N] [--dockerfile F] [--network N] [--push [--endpoint E]] [--json]',
    description:
      "Build the app's image from its Dockerfile, with the app folder as the context (.dockerignore honoured; packages that " +
      'are not on a registry, such as workspace packages, are packed into it), tagged {registry/}{image}:{model-name}-{version} ' +
      'and labelled with the model and the app version. The version defaults to the git commit. --push pushes it to ' +
      '--registry, or with --sandbox to the registry of a Flyte demo cluster (flytectl demo start), localhost:30000. Needs @unionml/remote.',
    arguments: [APP_MODEL],
    options: {
      version: { type: 'string', short: 'v', value: 'V', description: 'the app version, the tag suffix (default: the git commit)' },
      'allow-uncommitted': allowUncommitted,
      'build-arg': { type: 'string', value: 'K=V', multiple: true, description: 'a Dockerfile build argument (repeatable), e.g. BASE_IMAGE=node:20' },
      registry: { type: 'string', value: 'R', description: 'the registry to tag (and push) the image for, e.g. ghcr.io/acme' },
      'image-name': { type: 'string', value: 'N', default: 'unionml', description: 'the image name' },
      dockerfile: { type: 'string', value: 'F', default: 'Dockerfile', description: 'the Dockerfile, relative to the app folder' },
      sandbox: { type: 'boolean', description: "with --push: push to the Flyte demo cluster's registry, localhost:30000" },
      network: { ...network, description: "the Docker network of the Dockerfile's RUN steps, e.g. host (default: the daemon's default network)" },
      push: { type: 'boolean', description: 'push the image after building it' },
      endpoint: { type: 'string', value: 'E', description: 'the Flyte endpoint the image is for (a remote one needs --registry)' },
      json: { ...json, description: 'print {"image", "id", "sizeBytes", "seconds"} on stdout' },
    },
    examples: [
      'unionml build app:model --version v1 --build-arg BASE_IMAGE=node:20-bookworm-slim',
      'unionml build app:model --push --sandbox',
      'unionml build app:model --push --registry ghcr.io/acme',
    ],
    run: async (context) => (await import('./commands/build.js')).build(context),
  },
  {
    name: 'execute',
    summary: "run one task of a compiled app (the task container's entrypoint)",
    usage:
      'unionml execute --inputs URI --output-prefix URI --raw-output-data-prefix URI [--checkpoint-path URI] [--prev-checkpoint URI] -- app-module APP unionml-obj-name MODEL task-name TASK',
    description:
      'What a Flyte task container runs (its arguments are written by unionml package and rendered by Flyte): read inputs.pb, run the task, write outputs.pb, or error.pb when it fails (then exit 0, as flytekit). URIs are file:// paths or s3:// (with FLYTE_AWS_ENDPOINT, FLYTE_AWS_ACCESS_KEY_ID and FLYTE_AWS_SECRET_ACCESS_KEY).',
    arguments: [],
    options: {},
    examples: [
      'unionml execute --inputs file:///tmp/n0/inputs.pb --output-prefix file:///tmp/n0/0 --raw-output-data-prefix file:///tmp/raw -- app-module app unionml-obj-name model task-name dataset_task',
    ],
    raw: true,
    run: async (context) => (await import('./commands/execute.js')).execute(context),
  },
];

/** The command named `name`, if any. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The help of the whole CLI. */
export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `unionml ${version}: build, train and serve machine-learning microservices`,
    '',
    'usage: unionml <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options:',
    '  -h, --help     show help (unionml <command> --help: the help of a command)',
    '  -V, --version  print the version',
    '      --verbose  print stack traces of errors',
    '',
    'APP:MODEL names the app module (./app.ts, ./app.js or a package, from the current folder) and its exported',
    'Model, e.g. app:model. Commands that use a Flyte cluster (deploy, remote train and predict) are not available in this',
    'release; package writes what such a cluster registers, and train/predict --local --compiled run it on this machine.',
    '',
  ].join('\n');
}

/** The help of one command. */
export function commandHelp(command: Command): string {
  const options = { ...command.options, ...GLOBAL_OPTIONS };
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    const text = spec.default !== undefined ? `${spec.description} (default: ${spec.default})` : spec.description;
    return [flag, text] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length), ...command.arguments.map((a) => a.name.length));
  return [
    `usage: ${command.usage}`,
    '',
    ...wrap(command.description, 100),
    '',
    'arguments:',
    ...command.arguments.map((a) => `  ${a.name.padEnd(width)}  ${a.description}`),
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
