import { readFileSync } from 'node:fs';
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
const HEAVY = [/\/packages\/core\//, /\/packages\/data\//, /\/apps\/server\//, /danfojs/, /@tensorflow/, /\/zod\//, /\/tsx\//, /grpc/, /papaparse/];

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
    for (const name of ['init', 'train', 'predict', 'serve']) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    const listed = [...result.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(COMMANDS.map((c) => c.name));
    expect(result.stdout).not.toMatch(/^ {2}(deploy|fetch-model|list-model-versions)\b/m);
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
    expect(result.stdout).toContain('usage: unionml train APP:MODEL --local');
  });

  it('--version prints the version of @unionml/cli', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-V']) {
      const result = await unionml([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('--help and --version load no heavy module (proved by a module loader hook)', async () => {
    for (const args of [['--help'], ['train', '--help'], ['predict', '--help'], ['serve', '--help'], ['init', '--help'], ['--version'], ['nope']]) {
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
  ])('unionml %j', async (args, message) => {
    const result = await unionml(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    const command = COMMANDS.find((c) => c.name === args[0] && args[0] !== 'help');
    if (command) expect(result.stderr).toContain(`usage: ${command.usage}`);
  });

  it.each([['train'], ['predict']])('%s without --local says remote mode is not available (exit 2)', async (name) => {
    const result = await unionml([name, 'tiny:model', '--model-path', 'm.json', '-f', 'x.json'].slice(0, name === 'train' ? 2 : 6));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`error: remote ${name === 'train' ? 'training' : 'prediction'} on Flyte is not available in this release; pass --local`),
    );
  });

  it('with --json, a usage error is also a JSON object on stdout', async () => {
    const result = await unionml(['train', 'tiny:model', '--json']);
    expect(result.code).toBe(2);
    expect(onlyJson(result)).toEqual({ error: { code: 'REMOTE_NOT_AVAILABLE', message: expect.stringContaining('pass --local') as string } });
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
      stderr: "error: missing APP:MODEL\nusage: unionml train APP:MODEL --local [-i JSON] [-o MODEL_FILE] [--json]\nrun 'unionml train --help' for the options",
      json: { error: { code: 'CLI_USAGE', message: 'missing APP:MODEL' } },
    });
  });
});
