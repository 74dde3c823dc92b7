/**
 * The command table: names, arguments, options and help of every command. It imports nothing heavy: each command's
 * implementation (and with it @unionml/core, the app, TensorFlow.js...) is imported only when that command runs,
 * so that `unionml --help` starts fast.
 */
import type { Output } from './output.js';
import type { RemoteFactory } from './remote-app.js';

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
  /** Makes the RemoteModel of the remote commands; default `remote` of @unionml/remote (tests pass a stand-in). */
  remote?: RemoteFactory | undefined;
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
const local: OptionSpec = { type: 'boolean', description: 'run in this process (without it: on the Flyte cluster of --config)' };
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
const keep: OptionSpec = {
  type: 'boolean',
  description: "with --compiled: keep the run's folder (each node's inputs.pb, outputs.pb and data) and print where it is (default: removed when the run ends)",
};
const network: OptionSpec = {
  type: 'string',
  value: 'NETWORK',
  description: "the Docker network of the containers, e.g. host (default: the daemon's default network)",
};

const config: OptionSpec = {
  type: 'string',
  value: 'FILE',
  description: "the Flyte config, flytectl's YAML (default: $FLYTECTL_CONFIG, else ~/.flyte/config.yaml; FLYTE_* variables override it)",
};
const project: OptionSpec = { type: 'string', short: 'p', value: 'P', description: 'the Flyte project (default: flytesnacks)' };
const domain: OptionSpec = { type: 'string', short: 'd', value: 'D', description: 'the Flyte domain (default: development)' };
/** The options of every command that talks to a Flyte cluster. */
const cluster = { config, project, domain };
const appVersionDeployed: OptionSpec = {
  type: 'string',
  short: 'v',
  value: 'V',
  description: 'the app version whose launch plans run (default: the newest deployed); remote only',
};
const appVersionGit: OptionSpec = {
  type: 'string',
  short: 'v',
  value: 'V',
  description: 'the app version (default: the git commit of the app folder, as in Python UnionML)',
};
const wait: OptionSpec = {
  type: 'boolean',
  short: 'w',
  description: 'remote: wait for the execution (a live view on a terminal; Ctrl-C stops waiting, not the execution) and print its result',
};
const limit = (n: number): OptionSpec => ({ type: 'string', value: 'N', default: String(n), description: 'list at most N, newest first' });

/** Options that every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = { verbose, help };

export const COMMANDS: readonly Command[] = [
  {
    name: 'init',
    summary: 'create a new app from a template',
    usage: 'unionml init APP_NAME [--template basic|regression|tabular|basic-aws-lambda|basic-aws-lambda-s3] [--packages-from DIR]',
    description:
      'Create the folder APP_NAME with a UnionML app from a template (app.ts, package.json, data, README.md, Dockerfile), ' +
      'then make it a git repository with an initial commit. APP_NAME must match ^[_a-zA-Z][_a-zA-Z0-9]+$.',
    arguments: [{ name: 'APP_NAME', description: 'the name of the app and of its folder' }],
    options: {
      template: {
        type: 'string',
        short: 't',
        value: 'NAME',
        default: 'basic',
        description:
          'the template: basic (a digits classifier on TensorFlow.js), regression (diabetes progression, least squares with mljs, R² and MSE), tabular (breast cancer CSV, standardised features, a stratified split, logistic regression, accuracy/F1/ROC AUC), ' +
          'basic-aws-lambda (the basic app on AWS Lambda behind API Gateway: a handler, a SAM template and a Lambda image), ' +
          'basic-aws-lambda-s3 (the same, predicting for JSON files written under features/ in an S3 bucket)',
      },
      'packages-from': {
        type: 'string',
        value: 'DIR',
        description: 'for developers of UnionML: depend on the tarballs in DIR (npm pack of this repository) instead of the npm registry',
      },
    },
    examples: ['unionml init my_app', 'cd my_app && npm install && npm run train && npm run serve'],
    run: async (context) => (await import('./commands/init.js')).init(context),
  },
  {
    name: 'train',
    summary: 'train a model on the Flyte cluster, or in this process with --local',
    usage: 'unionml train APP:MODEL [-i JSON] (--local [-o MODEL_FILE] | [-v APP_VERSION] [--wait [-o MODEL_FILE]] [--config FILE] [-p P] [-d D]) [--json]',
    description:
      'Train the model. On the Flyte cluster (the default): start an execution of {model}.train of the deployed app version ' +
      '(see unionml deploy) and print its name, which is the model version, and its console link; with --wait, wait for it ' +
      '(a live view of its nodes) and print the metrics and hyperparameters (-o also saves the model file). With --local: in ' +
      'this process, reading the data, splitting it, training, evaluating on each split, and saving the model file ' +
      '(atomically). --inputs is a JSON object with the keys hyperparameters, trainerKwargs, loaderKwargs, splitterKwargs and ' +
      "parserKwargs (snake_case spellings such as trainer_kwargs work too); its other keys are the reader's arguments.",
    arguments: [APP_MODEL],
    options: {
      local,
      compiled,
      keep,
      image,
      network,
      inputs: { type: 'string', short: 'i', value: 'JSON', description: 'the training inputs as a JSON object, or @FILE to read them from a file' },
      output: {
        type: 'string',
        short: 'o',
        value: 'MODEL_FILE',
        description: 'where to save the model file (default with --local: model.json; remote: only with --wait, only when given)',
      },
      report: {
        type: 'string',
        value: 'HTML_FILE',
        description:
          'also write a self-contained HTML report of the trained model: its metrics, a confusion matrix (classifiers) or predicted against actual values (regressions) on the test split, its hyperparameters',
      },
      'app-version': appVersionDeployed,
      wait,
      ...cluster,
      json: {
        ...json,
        description:
          'print one JSON object on stdout: the run ({model, modelPath, hyperparameters, metrics, seconds}), the execution ({execution, url, follow, terminate...}) or, with --wait, {modelVersion, metrics, hyperparameters, url...}',
      },
    },
    examples: [
      'unionml train app:model --local',
      `unionml train app:model --local -i '{"hyperparameters": {"epochs": 100}}' -o model.json --json`,
      'unionml train app:model --local --compiled --json',
      'unionml train app:model --local --report report.html',
      'unionml train app:model',
      `unionml train app:model -i '{"hyperparameters": {"learningRate": 0.05}}' --wait -o model.json`,
      'unionml train app:model --config ~/.flyte/config-sandbox.yaml -v 3f2e9c1 --wait --json',
    ],
    run: async (context) => (await import('./commands/train.js')).train(context),
  },
  {
    name: 'predict',
    summary: 'predict on the Flyte cluster, or in this process with --local and a saved model',
    usage:
      'unionml predict APP:MODEL (-f FEATURES_FILE | -i JSON) (--local --model-path MODEL_FILE | [-v APP_VERSION] [-m MODEL_VERSION] [--wait] [--config FILE] [-p P] [-d D]) [--json]',
    description:
      'Predict from a JSON file of features (an array of records, or {"features": [...]}) or from the reader\'s arguments ' +
      '(--inputs, read and parsed like the training data). On the Flyte cluster (the default): start an execution of ' +
      '{model}.predict_from_features (the features are uploaded) or {model}.predict with the model file of a model version ' +
      '(default: the newest successful training) and print its name, the prediction id; with --wait, wait for it and print ' +
      'the predictions as JSON. With --local: load the model file and predict in this process.',
    arguments: [APP_MODEL],
    options: {
      local,
      compiled,
      keep,
      image,
      network,
      'model-path': { type: 'string', value: 'MODEL_FILE', description: 'with --local: the model file written by unionml train' },
      features: { type: 'string', short: 'f', value: 'FILE', description: 'a JSON file of feature records' },
      inputs: { type: 'string', short: 'i', value: 'JSON', description: "the reader's arguments as a JSON object, or @FILE" },
      'app-version': appVersionDeployed,
      'model-version': {
        type: 'string',
        short: 'm',
        value: 'MODEL_VERSION',
        description: "remote: a training's execution name (unionml list-model-versions), or latest: the newest successful training (default: latest)",
      },
      wait,
      ...cluster,
      json: {
        ...json,
        description:
          'print {"predictions": [...]} on stdout (remote: the execution, or with --wait {predictions, predictionId, url...}; errors: {"error": {code, message, hint}})',
      },
    },
    examples: [
      'unionml predict app:model --local --model-path model.json -f data/sample_features.json',
      'unionml predict app:model --local --compiled --model-path model.json -f data/sample_features.json',
      'unionml predict app:model -f data/sample_features.json --wait',
      'unionml predict app:model -f data/sample_features.json -m latest --json',
    ],
    run: async (context) => (await import('./commands/predict.js')).predict(context),
  },
  {
    name: 'serve',
    summary: 'serve a saved model, or a model version of the Flyte cluster, over HTTP',
    usage:
      'unionml serve APP:MODEL (--model-path MODEL_FILE | --remote [-v APP_VERSION] [-m MODEL_VERSION] [--config FILE] [-p P] [-d D]) [--host 127.0.0.1] [--port 8000] [--workers N|auto] [--shutdown-grace SECONDS] [--allow-reader-inputs]',
    description:
      'Load the model file and serve the model over HTTP (GET /health, GET /ready, POST /predict with {"features": [...]}) ' +
      'until SIGTERM or SIGINT, which stop it gracefully: the requests already received are answered, then it exits 0. ' +
      'Without --model-path, the model file is taken from UNIONML_MODEL_PATH. ' +
      'With --remote, the model file of a model version (default: the newest successful training) is fetched from the ' +
      'Flyte cluster into a temporary folder first. With --workers, several processes serve on the same port.',
    arguments: [APP_MODEL],
    options: {
      'model-path': { type: 'string', value: 'MODEL_FILE', description: 'the model file written by unionml train (default: $UNIONML_MODEL_PATH)' },
      host: { type: 'string', value: 'HOST', default: '127.0.0.1', description: 'the address to listen on; 0.0.0.0 for every interface' },
      port: { type: 'string', value: 'PORT', default: '8000', description: 'the port to listen on; 0 picks a free one' },
      workers: {
        type: 'string',
        value: 'N',
        default: '1',
        description: 'serve from N processes (node:cluster) sharing the port, each with the model loaded; auto: one per CPU',
      },
      'shutdown-grace': {
        type: 'string',
        value: 'SECONDS',
        description: 'on SIGTERM/SIGINT, how long the requests already received may take before their connections are closed (default: 10)',
      },
      'allow-reader-inputs': {
        type: 'boolean',
        description: 'take {"inputs": {reader arguments}} in POST /predict (the server then reads data a client names; cached)',
      },
      'headers-timeout': { type: 'string', value: 'SECONDS', description: "how long a client has to send a request's headers, then 408 (default: 10)" },
      'request-timeout': { type: 'string', value: 'SECONDS', description: 'how long a client has to send a whole request, then 408 (default: 30)' },
      'keep-alive-timeout': { type: 'string', value: 'SECONDS', description: 'how long an idle keep-alive connection stays open (default: 5)' },
      'max-connections': {
        type: 'string',
        value: 'N',
        description: 'the most connections open at once, per worker; more are closed as soon as they are accepted (default: 1024)',
      },
      remote: { type: 'boolean', description: 'fetch the model file from the Flyte cluster (RemoteModel.fetchModel); needs @unionml/remote' },
      'app-version': {
        type: 'string',
        short: 'v',
        value: 'V',
        description: 'with --remote: take the newest training of this app version only (default: of any version)',
      },
      'model-version': {
        type: 'string',
        short: 'm',
        value: 'MODEL_VERSION',
        description: "with --remote: a training's execution name, or latest (default: latest)",
      },
      ...cluster,
    },
    examples: [
      'unionml serve app:model --model-path model.json --port 8000',
      'unionml serve app:model --model-path model.json --host 0.0.0.0 --workers auto --shutdown-grace 25',
      'unionml serve app:model --remote --model-version latest --port 8000',
    ],
    run: async (context) => (await import('./commands/serve.js')).serve(context),
  },
  {
    name: 'deploy',
    summary: 'deploy the app to the Flyte cluster: build and push its image, register its workflows and schedules',
    usage:
      'unionml deploy APP:MODEL [--allow-uncommitted] [--patch] [--app-version V] [--no-schedule] [--registry R] [--image-name N] [--dockerfile F] [--build-arg K=V ...] [--network N] [--config FILE] [-p P] [-d D] [--json]',
    description:
      "Build the app's image (as unionml build), push it to --registry (a cluster on this machine, such as flytectl demo " +
      "start's, defaults to its registry, localhost:30000), create the project if it is missing, and register the model's " +
      'tasks, workflows, default launch plans and schedules under the app version, then activate the schedules declared ' +
      'activateOnDeploy. The app version defaults to the git commit of the app folder; uncommitted changes are refused ' +
      'unless --allow-uncommitted. Deploying a version again registers nothing new. With --patch no image is built: the app ' +
      "folder's files (as the image build would send them) are uploaded as a code archive and the tasks run the image of the " +
      'newest deployed version with that code extracted over it, under the version {commit}-patch{digest of the code} ' +
      "(Python UnionML's patch deploy, flytekit's fast registration); a dependency change still needs a full deploy. " +
      'Prints the app version. Needs @unionml/remote.',
    arguments: [APP_MODEL],
    options: {
      'allow-uncommitted': allowUncommitted,
      'app-version': {
        type: 'string',
        short: 'v',
        value: 'V',
        description: "the app version: every entity's version and the image tag's suffix (default: the git commit)",
      },
      schedule: { type: 'boolean', description: "register the model's schedules and activate those declared activateOnDeploy (the default)" },
      'no-schedule': { type: 'boolean', description: "do not register or activate the model's schedules" },
      patch: {
        type: 'boolean',
        description:
          'register new code without building an image: upload the code and reuse the image of the newest deployed version (code changes only; uncommitted changes allowed)',
      },
      registry: {
        type: 'string',
        value: 'R',
        description: 'the registry the cluster pulls from, e.g. ghcr.io/acme (required unless the cluster runs on this machine)',
      },
      'image-name': { type: 'string', value: 'N', description: 'the image name (default: unionml)' },
      dockerfile: { type: 'string', value: 'F', description: 'the Dockerfile, relative to the app folder (default: Dockerfile)' },
      'build-arg': { type: 'string', value: 'K=V', multiple: true, description: 'a Dockerfile build argument (repeatable), e.g. BASE_IMAGE=node:20' },
      network: { ...network, description: "the Docker network of the Dockerfile's RUN steps, e.g. host (default: the daemon's default network)" },
      ...cluster,
      json: { ...json, description: 'print {"appVersion", "image", "project", "domain", "registered", "activated", "patch"?, "seconds"} on stdout' },
    },
    examples: [
      'unionml deploy app:model',
      'unionml deploy app:model --allow-uncommitted --build-arg BASE_IMAGE=node:20-bookworm-slim',
      'unionml deploy app:model --patch',
      'unionml deploy app:model --registry ghcr.io/acme --config ~/.flyte/config.yaml -p my-project -d staging --json',
    ],
    run: async (context) => (await import('./commands/deploy.js')).deploy(context),
  },
  {
    name: 'list-model-versions',
    summary: 'list the model versions (successful trainings) of an app version on the Flyte cluster',
    usage: 'unionml list-model-versions APP:MODEL [-v APP_VERSION] [--limit 10] [--config FILE] [-p P] [-d D] [--json]',
    description:
      'List the names of the successful executions of {model}.train and of the training schedules for an app version, newest ' +
      'first: the model versions that predict -m, fetch-model -m and serve --remote take.',
    arguments: [APP_MODEL],
    options: {
      'app-version': appVersionGit,
      limit: limit(10),
      ...cluster,
      json: { ...json, description: 'print {"appVersion", "modelVersions": [...]} on stdout' },
    },
    examples: ['unionml list-model-versions app:model', 'unionml list-model-versions app:model -v 3f2e9c1 --limit 3 --json'],
    run: async (context) => (await import('./commands/remote-queries.js')).listExecutions(context, 'model-versions'),
  },
  {
    name: 'list-prediction-ids',
    summary: 'list the prediction ids (successful predictions) of an app version on the Flyte cluster',
    usage: 'unionml list-prediction-ids APP:MODEL [-v APP_VERSION] [--limit 10] [--config FILE] [-p P] [-d D] [--json]',
    description:
      'List the names of the successful executions of {model}.predict, {model}.predict_from_features and the prediction ' +
      'schedules for an app version, newest first: the prediction ids that fetch-predictions -m takes.',
    arguments: [APP_MODEL],
    options: {
      'app-version': appVersionGit,
      limit: limit(10),
      ...cluster,
      json: { ...json, description: 'print {"appVersion", "predictionIds": [...]} on stdout' },
    },
    examples: ['unionml list-prediction-ids app:model', 'unionml list-prediction-ids app:model --limit 1 --json'],
    run: async (context) => (await import('./commands/remote-queries.js')).listExecutions(context, 'prediction-ids'),
  },
  {
    name: 'fetch-model',
    summary: 'save the model file of a model version from the Flyte cluster',
    usage: 'unionml fetch-model APP:MODEL [-v APP_VERSION] [-m latest] -o MODEL_FILE [--config FILE] [-p P] [-d D] [--json]',
    description:
      "Download the model file of a model version (a training execution's name; latest: the newest successful training, of " +
      "-v's app version when given) and save it (atomically), as unionml train --local -o saves one; unionml predict --local " +
      'and unionml serve take it. A training that is still running is waited for (Ctrl-C stops waiting).',
    arguments: [APP_MODEL],
    options: {
      'app-version': { type: 'string', short: 'v', value: 'V', description: 'with latest: the newest training of this app version (default: of any version)' },
      'model-version': { type: 'string', short: 'm', value: 'MODEL_VERSION', default: 'latest', description: "a training's execution name, or latest" },
      output: { type: 'string', short: 'o', value: 'MODEL_FILE', description: 'where to save the model file (required)' },
      ...cluster,
      json: { ...json, description: 'print {"modelVersion", "modelPath", "modelUri", "hyperparameters", "metrics"} on stdout' },
    },
    examples: [
      'unionml fetch-model app:model -o model.json',
      'unionml fetch-model app:model -m f3a9c0e2b1d4 -o model.json && unionml serve app:model --model-path model.json',
    ],
    run: async (context) => (await import('./commands/remote-queries.js')).fetchModel(context),
  },
  {
    name: 'fetch-predictions',
    summary: 'print or save the predictions of a prediction on the Flyte cluster',
    usage: 'unionml fetch-predictions APP:MODEL [-v APP_VERSION] [-m latest] [-o FILE] [--config FILE] [-p P] [-d D] [--json]',
    description:
      'Read the predictions of a prediction (its execution name, the prediction id; latest: the newest successful prediction ' +
      'of the app version) and print them as JSON, or write them to FILE (atomically). A prediction that is still running is ' +
      'waited for (Ctrl-C stops waiting).',
    arguments: [APP_MODEL],
    options: {
      'app-version': {
        ...appVersionGit,
        description: 'with latest: the app version whose newest prediction is read (default: the git commit of the app folder)',
      },
      'prediction-id': { type: 'string', short: 'm', value: 'ID', default: 'latest', description: "a prediction's execution name, or latest" },
      output: { type: 'string', short: 'o', value: 'FILE', description: 'write the predictions (JSON) to FILE instead of stdout' },
      ...cluster,
      json: { ...json, description: 'print {"predictionId", "predictions"} (with -o: {"predictionId", "path"}) on stdout' },
    },
    examples: ['unionml fetch-predictions app:model', 'unionml fetch-predictions app:model -m a8c31f0d2e97 -o predictions.json'],
    run: async (context) => (await import('./commands/remote-queries.js')).fetchPredictions(context),
  },
  {
    name: 'activate-schedules',
    summary: "activate the model's schedules on the Flyte cluster",
    usage: 'unionml activate-schedules APP:MODEL [-v APP_VERSION] [--name N ...] [--config FILE] [-p P] [-d D] [--json]',
    description: "Activate the launch plans of the model's schedules (all, or those named) of an app version, so that Flyte runs them.",
    arguments: [APP_MODEL],
    options: {
      'app-version': appVersionGit,
      name: { type: 'string', value: 'N', multiple: true, description: 'a schedule (repeatable; default: every schedule of the model)' },
      ...cluster,
      json: { ...json, description: 'print {"appVersion", "activated": [...]} on stdout' },
    },
    examples: ['unionml activate-schedules app:model', 'unionml activate-schedules app:model --name nightly --name weekly'],
    run: async (context) => (await import('./commands/remote-queries.js')).setSchedules(context, true),
  },
  {
    name: 'deactivate-schedules',
    summary: "deactivate the model's schedules on the Flyte cluster",
    usage: 'unionml deactivate-schedules APP:MODEL [-v APP_VERSION] [--name N ...] [--config FILE] [-p P] [-d D] [--json]',
    description: "Deactivate the launch plans of the model's schedules (all, or those named) of an app version: Flyte stops running them.",
    arguments: [APP_MODEL],
    options: {
      'app-version': appVersionGit,
      name: { type: 'string', value: 'N', multiple: true, description: 'a schedule (repeatable; default: every schedule of the model)' },
      ...cluster,
      json: { ...json, description: 'print {"appVersion", "deactivated": [...]} on stdout' },
    },
    examples: ['unionml deactivate-schedules app:model', 'unionml deactivate-schedules app:model --name nightly'],
    run: async (context) => (await import('./commands/remote-queries.js')).setSchedules(context, false),
  },
  {
    name: 'list-scheduled-training-runs',
    summary: 'list the runs of a training schedule on the Flyte cluster',
    usage: 'unionml list-scheduled-training-runs APP:MODEL SCHEDULE [-v APP_VERSION] [--limit 5] [--config FILE] [-p P] [-d D] [--json]',
    description: 'List the executions (any phase) of a training schedule of an app version, newest first. Successful ones are model versions.',
    arguments: [APP_MODEL, { name: 'SCHEDULE', description: 'the name given to model.scheduleTraining(...)' }],
    options: {
      'app-version': appVersionGit,
      limit: limit(5),
      ...cluster,
      json: { ...json, description: 'print {"schedule", "appVersion", "runs": [...]} on stdout' },
    },
    examples: ['unionml list-scheduled-training-runs app:model nightly'],
    run: async (context) => (await import('./commands/remote-queries.js')).listScheduledRuns(context, 'training'),
  },
  {
    name: 'list-scheduled-prediction-runs',
    summary: 'list the runs of a prediction schedule on the Flyte cluster',
    usage: 'unionml list-scheduled-prediction-runs APP:MODEL SCHEDULE [-v APP_VERSION] [--limit 5] [--config FILE] [-p P] [-d D] [--json]',
    description: 'List the executions (any phase) of a prediction schedule of an app version, newest first. Successful ones are prediction ids.',
    arguments: [APP_MODEL, { name: 'SCHEDULE', description: 'the name given to model.schedulePrediction(...)' }],
    options: {
      'app-version': appVersionGit,
      limit: limit(5),
      ...cluster,
      json: { ...json, description: 'print {"schedule", "appVersion", "runs": [...]} on stdout' },
    },
    examples: ['unionml list-scheduled-prediction-runs app:model hourly_predictions --limit 10'],
    run: async (context) => (await import('./commands/remote-queries.js')).listScheduledRuns(context, 'prediction'),
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
  {
    name: 'fast-execute',
    summary: 'extract a code archive, then run one task from it (the entrypoint of a task registered by deploy --patch)',
    usage: 'unionml fast-execute --additional-distribution URI [--dest-dir DIR] -- unionml execute ARGS...',
    description:
      "What a task container runs when the app was deployed with --patch (as pyflyte-fast-execute): download the code archive the deploy uploaded, extract it over DIR (default: the working folder, the image's WORKDIR) and run `unionml execute ARGS...` from there. An archive that cannot be fetched or used is reported in error.pb as any task failure.",
    arguments: [],
    options: {},
    examples: [
      'unionml fast-execute --additional-distribution s3://my-s3-bucket/flytesnacks/development/unionml-fast-0f3a/fast0f3a.tar.gz -- unionml execute --inputs s3://... --output-prefix s3://... --raw-output-data-prefix s3://... -- app-module app unionml-obj-name model task-name train_task',
    ],
    raw: true,
    run: async (context) => (await import('./commands/execute.js')).fastExecute(context),
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
    'Model, e.g. app:model. train and predict run on the Flyte cluster that --config names (default: $FLYTECTL_CONFIG,',
    'else ~/.flyte/config.yaml), or in this process with --local; the commands that use a cluster need @unionml/remote.',
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
