import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnionMLError } from '@unionml/errors';
import { CORE_ERRORS } from '@unionml/core';
import { COMMANDS } from './commands.js';
import { UsageError } from './errors.js';
import { describeError } from './main.js';
import { APPS, onlyJson, tempDir, TRACE_IMPORTS, unionml } from './test-support/run.js';
import { VERSION } from './version.js';

/** Modules that `--help` must not load (@unionml/server is heavy only through core, but has no place in help either). */
const HEAVY = [
  /\/packages\/core\//,
  /\/packages\/data\//,
  /\/packages\/remote\//,
  /\/packages\/flyte\//,
  /\/apps\/server\//,
  /danfojs/,
  /@tensorflow/,
  /\/zod\//,
  /\/tsx\//,
  /grpc/,
  /papaparse/,
  /dockerode/,
];

async function traced(args: string[], cwd = APPS): Promise<{ code: number | null; modules: string[]; stdout: string; stderr: string }> {
  const file = join(tempDir('unionml-trace-'), 'modules.txt');
  const result = await unionml(args, { cwd, nodeArgs: ['--import', TRACE_IMPORTS], env: { UNIONML_TRACE_FILE: file } });
  return { ...result, modules: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

describe('help and version', () => {
  it('--help lists exactly the commands that work, on stdout, exit 0', async () => {
    const result = await unionml(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: unionml <command> [options]');
    for (const name of ['init', 'train', 'predict', 'serve', 'deploy', 'fetch-model', 'list-model-versions']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    const listed = [...result.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(COMMANDS.map((c) => c.name));
    // Python UnionML's command names, remote ones included.
    for (const name of [
      'deploy',
      'train',
      'predict',
      'serve',
      'list-model-versions',
      'list-prediction-ids',
      'fetch-model',
      'fetch-predictions',
      'activate-schedules',
      'deactivate-schedules',
      'list-scheduled-training-runs',
      'list-scheduled-prediction-runs',
    ]) {
      expect(listed).toContain(name);
    }
    expect(result.stderr).toBe('');
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help shows its usage and options', async (name) => {
    for (const args of [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
      ['--help', name],
    ]) {
      const result = await unionml(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain(`usage: unionml ${name}`);
      expect(result.stdout).toContain('--verbose');
      expect(result.stderr).toBe('');
    }
  });

  it('--help of a command wins over bad arguments', async () => {
    const result = await unionml(['train', '--nope', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: unionml train APP:MODEL [-i JSON] (--local');
  });

  it('--version prints the version of the unionml package', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-V']) {
      const result = await unionml([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('--help and --version load no heavy module (proved by a module loader hook)', async () => {
    for (const args of [
      ['--help'],
      ['train', '--help'],
      ['predict', '--help'],
      ['serve', '--help'],
      ['init', '--help'],
      ['deploy', '--help'],
      ['fetch-model', '--help'],
      ['--version'],
      ['nope'],
    ]) {
      const { modules } = await traced(args);
      expect(
        modules.some((m) => m.includes('/apps/cli/dist/main.js')),
        'the trace sees the CLI',
      ).toBe(true);
      expect(
        modules.filter((m) => HEAVY.some((h) => h.test(m))),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('the trace does see heavy modules when a command loads them (control)', async () => {
    const out = tempDir();
    const { code, modules, stderr } = await traced(['train', 'tiny:model', '--local', '-o', join(out, 'model.json')]);
    expect(code, stderr).toBe(0);
    for (const pattern of [/\/packages\/core\/dist\/index\.js$/, /\/packages\/data\/dist\/index\.js$/, /\/zod\//, /\/tsx\//]) {
      expect(
        modules.some((m) => pattern.test(m)),
        String(pattern),
      ).toBe(true);
    }
  });
});

describe('usage errors (exit 2, message and usage on stderr, no stack)', () => {
  it.each([
    [[], 'error: missing command'],
    [['trian'], "error: unknown command 'trian' (did you mean 'train'?)"],
    [['--nope'], "error: unknown option '--nope'"],
    [['train', 'tiny:model', '--local', '--nope'], "error: unknown option '--nope'"],
    [['train', 'tiny:model', '--lcoal'], "error: unknown option '--lcoal' (did you mean --local?)"],
    [['train', '--local'], 'error: missing APP:MODEL'],
    [['train', 'tiny:model', 'extra', '--local'], "error: unexpected argument 'extra'"],
    [['train', 'tiny:model', '--local', '-o'], 'error: option -o, --output needs a value'],
    [['train', 'tiny:model', '--local=yes'], 'error: option --local takes no value'],
    [['predict', 'tiny:model', '--local', '-f', 'x.json'], 'error: missing --model-path MODEL_FILE'],
    [['predict', 'tiny:model', '--local', '--model-path', 'm.json'], 'error: missing the features: give -f FEATURES_FILE or -i JSON'],
    [['predict', 'tiny:model', '--local', '--model-path', 'm.json', '-f', 'x.json', '-i', '{}'], 'error: give -f FEATURES_FILE or -i JSON, not both'],
    [['serve', 'tiny:model', '--port', 'http'], "error: --port must be an integer from 0 to 65535, got 'http'"],
    [['serve', 'tiny:model', '--port', '70000'], "error: --port must be an integer from 0 to 65535, got '70000'"],
    [['init'], 'error: missing APP_NAME'],
    [['init', 'my_app', '--template', 'fancy'], "error: unknown template 'fancy'"],
    [['help', 'nope'], "error: unknown command 'nope'"],
    // train and predict: options of the other mode
    [['train', 'tiny:model', '--local', '--wait'], 'error: --wait is for runs on a Flyte cluster, not --local ones'],
    [['train', 'tiny:model', '--local', '-v', 'v1', '-p', 'ml'], 'error: --app-version, --project are for runs on a Flyte cluster, not --local ones'],
    [['predict', 'tiny:model', '--local', '--model-path', 'm.json', '-f', 'x.json', '-m', 'latest'], 'error: --model-version is for runs on a Flyte cluster'],
    [['train', 'tiny:model', '--compiled'], 'error: --compiled is for --local runs only'],
    [['train', 'tiny:model', '--image', 'x:1'], 'error: --image is for --local runs only'],
    [['train', 'tiny:model', '-o', 'model.json'], 'error: -o saves the trained model file: it needs --wait'],
    [['predict', 'tiny:model', '--model-path', 'm.json', '-f', 'x.json'], 'error: --model-path is for --local runs only'],
    [['predict', 'tiny:model'], 'error: missing the features: give -f FEATURES_FILE or -i JSON'],
    [['predict', 'tiny:model', '-f', 'x.json', '-i', '{}'], 'error: give -f FEATURES_FILE or -i JSON, not both'],
    [['train', 'tiny:model', '--wait=yes'], 'error: option -w, --wait takes no value'],
    [['train', 'tiny:model', '-p', ''], 'error: --project needs a value'],
    [['train', 'tiny:model', '--config', ' '], 'error: --config needs the path of a Flyte config file'],
    // serve
    [
      ['serve', 'tiny:model', '--remote', '--model-path', 'm.json'],
      'error: give --model-path (a model file here) or --remote (a model version on the cluster), not both',
    ],
    [['serve', 'tiny:model', '--model-version', 'latest'], 'error: --model-version is for --remote only'],
    [['serve', 'tiny:model', '-p', 'ml', '--config', 'c.yaml'], 'error: --config, --project are for --remote only'],
    // deploy
    [['deploy'], 'error: missing APP:MODEL'],
    [['deploy', 'tiny:model', '--patch', '--registry', 'r'], 'error: --patch builds no image: leave out --registry'],
    [['deploy', 'tiny:model', '--build-arg', '=x'], "error: --build-arg '=x' is not KEY=VALUE"],
    [['deploy', 'tiny:model', '--app-version'], 'error: option -v, --app-version needs a value'],
    [['deploy', 'tiny:model', '--schedule', '--no-schedule'], 'error: give --schedule or --no-schedule, not both'],
    // listings, fetches, schedules
    [['list-model-versions', 'tiny:model', '--limit', '0'], "error: --limit must be a positive integer, got '0'"],
    [['list-prediction-ids', 'tiny:model', '--limit', 'ten'], "error: --limit must be a positive integer, got 'ten'"],
    [['list-model-versions', 'tiny:model', 'extra'], "error: unexpected argument 'extra'"],
    [['fetch-model', 'tiny:model'], 'error: missing -o MODEL_FILE'],
    [['fetch-model', 'tiny:model', '-o', 'm.json', '-m', ''], 'error: --model-version needs a value'],
    [['fetch-predictions', 'tiny:model', '--output-format', 'csv'], "error: unknown option '--output-format'"],
    [['activate-schedules', 'tiny:model', '--name', ''], 'error: --name needs a schedule name'],
    [['deactivate-schedules', 'tiny:model', '--nmae', 'x'], "error: unknown option '--nmae' (did you mean --name?)"],
    [['list-scheduled-training-runs', 'tiny:model'], 'error: missing SCHEDULE'],
    [['list-scheduled-prediction-runs', 'tiny:model', 'hourly', '--limit', '-1'], 'error: option --limit needs a value'],
  ])('unionml %j', async (args, message) => {
    const result = await unionml(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    const command = COMMANDS.find((c) => c.name === args[0] && args[0] !== 'help');
    if (command) expect(result.stderr).toContain(`usage: ${command.usage}`);
  });

  it.each([['train'], ['predict']])(
    '%s without --local goes to the Flyte cluster: without a Flyte config, the config error and its hint (exit 1)',
    async (name) => {
      const home = tempDir();
      const features = join(home, 'features.json');
      writeFileSync(features, '[{"x": 1, "x2": 2}]');
      const args = name === 'train' ? ['train', 'tiny:model'] : ['predict', 'tiny:model', '-f', features];
      const result = await unionml(args, { env: { HOME: home, FLYTECTL_CONFIG: '', FLYTE_PLATFORM_URL: '' } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error: no Flyte config at ${join(home, '.flyte', 'config.yaml')} (the default; FLYTECTL_CONFIG is not set)`);
      expect(result.stderr).toContain('  hint: start a sandbox with `flytectl demo start`');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const given = await unionml([...args, '--config', join(home, 'nope.yaml'), '--json']);
      expect(given.code).toBe(1);
      expect(onlyJson(given)).toMatchObject({ error: { code: 'FLYTE_CONFIG_NOT_FOUND', message: `no Flyte config at ${join(home, 'nope.yaml')}` } });
    },
  );

  it('with --json, a usage error is also a JSON object on stdout', async () => {
    const result = await unionml(['train', 'tiny:model', '--local', '--wait', '--json']);
    expect(result.code).toBe(2);
    expect(onlyJson(result)).toEqual({
      error: { code: 'CLI_USAGE', message: '--wait is for runs on a Flyte cluster, not --local ones', hint: 'leave out --local to train on the cluster' },
    });
  });
});

describe('describeError', () => {
  it('prints a UnionML error with its hint, and its code in JSON', () => {
    const error = new UnionMLError(CORE_ERRORS.MODEL_FILE_NOT_FOUND, 'model file not found: /m.json', { hint: 'train first' });
    expect(describeError(error)).toEqual({
      status: 1,
      stderr: 'error: model file not found: /m.json\n  hint: train first',
      json: { error: { code: 'MODEL_FILE_NOT_FOUND', message: 'model file not found: /m.json', hint: 'train first' } },
    });
  });

  it('prints other errors without a stack unless verbose', () => {
    const plain = describeError(new RangeError('out of range'));
    expect(plain).toEqual({
      status: 1,
      stderr: 'error: out of range\n  (run with --verbose for the stack trace)',
      json: { error: { code: 'UNEXPECTED_ERROR', message: 'out of range' } },
    });
    expect(describeError('a thrown string').stderr).toContain('error: a thrown string');
    const verbose = describeError(new Error('outer', { cause: new Error('inner') }), { verbose: true });
    expect(verbose.stderr).toMatch(/^error: outer\nError: outer\n\s+at [^]*caused by:\nError: inner\n\s+at /);
  });

  it('adds the usage of the command to usage errors (exit 2)', () => {
    expect(describeError(new UsageError('missing APP:MODEL', 'train'))).toMatchObject({
      status: 2,
      stderr:
        "error: missing APP:MODEL\nusage: unionml train APP:MODEL [-i JSON] (--local [-o MODEL_FILE] | [-v APP_VERSION] [--wait [-o MODEL_FILE]] [--config FILE] [-p P] [-d D]) [--json]\nrun 'unionml train --help' for the options",
      json: { error: { code: 'CLI_USAGE', message: 'missing APP:MODEL' } },
    });
  });
});
