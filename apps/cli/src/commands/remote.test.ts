// The remote commands' shared parts, in this process: the SIGINT handler exists only while waiting, the printed
// follow/terminate commands, the cluster options, and hints rewritten in the CLI's words.
import type { AnyModel } from '@unionml/core';
import * as Remote from '@unionml/remote';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeRemote, type FakeScript } from '../test-support/fake-remote.js';
import { cliError, clusterOptions, followCommands, shellQuote, waitFor } from './remote.js';

const model = { name: 'tiny_classifier', dataset: { name: 'tiny_dataset' } } as unknown as AnyModel;
const app = (script: FakeScript) => fakeRemote(script).factory(model, {});
const running: NonNullable<FakeScript['progress']> = [
  { name: 'e1', phase: 'RUNNING', elapsedSeconds: 1, nodes: [{ id: 'n0', phase: 'RUNNING', seconds: 0.5 }] },
];

describe('waitFor', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('handles SIGINT only while it waits', async () => {
    const before = process.listeners('SIGINT').length;
    const waiting = waitFor(app({ progress: running }), { name: 'e1' });
    expect(process.listeners('SIGINT').length).toBe(before + 1);
    const outcome = await waiting;
    expect(outcome).toMatchObject({ status: { name: 'e1', phase: 'SUCCEEDED' } });
    expect(process.listeners('SIGINT').length).toBe(before);
    expect(written.join('')).toContain('[unionml] waiting for e1');
  });

  it('SIGINT stops the wait at once, with the progress last seen; a failed wait rejects and leaves no handler', async () => {
    const before = process.listeners('SIGINT');
    const waiting = waitFor(app({ wait: 'hang', progress: running }), { name: 'e1' });
    const handler = process.listeners('SIGINT').find((l) => !before.includes(l))!;
    handler('SIGINT');
    const outcome = await waiting;
    expect(outcome).toEqual({ interrupted: true, last: running[0] });
    expect(process.listeners('SIGINT')).toEqual(before);

    await expect(waitFor(app({ wait: { code: 'REMOTE_EXECUTION_ABORTED', message: 'execution e1 was aborted' } }), { name: 'e1' })).rejects.toThrow(
      'execution e1 was aborted',
    );
    expect(process.listeners('SIGINT')).toEqual(before);
  });
});

describe('the printed commands', () => {
  it('quote what a shell would split', () => {
    expect(shellQuote('app:model')).toBe('app:model');
    expect(shellQuote('~/.flyte/config.yaml')).toBe('~/.flyte/config.yaml');
    expect(shellQuote('my config.yaml')).toBe("'my config.yaml'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('follow a training with fetch-model and a prediction with fetch-predictions; terminate with flytectl', () => {
    const cluster = clusterOptions({ config: 'c.yaml', project: 'ml' }, '/apps');
    expect(cluster).toEqual({ configArg: 'c.yaml', config: '/apps/c.yaml', project: 'ml', domain: 'development' });
    expect(followCommands('train', 'e1', { address: 'app:model', cluster })).toEqual({
      follow: 'unionml fetch-model app:model -m e1 -o model.json --config c.yaml -p ml',
      terminate: 'flytectl delete execution e1 -p ml -d development --config c.yaml',
    });
    expect(followCommands('predict', 'e2', { address: './src/app.ts:model', cluster: clusterOptions({}, '/apps') }).follow).toBe(
      'unionml fetch-predictions ./src/app.ts:model -m e2',
    );
  });
});

describe('cliError', () => {
  const session = { address: 'app:model', remote: Remote };

  it("names the CLI's commands and flags in @unionml/remote's hints, keeping the code, message, execution and cause", () => {
    const error = new Remote.RemoteError('REMOTE_EXECUTION_UNKNOWN', 'model version x does not exist', {
      hint: 'list the model versions: app.listModelVersions()',
      execution: 'x',
    });
    const said = cliError(error, session) as Remote.RemoteError;
    expect(said).toBeInstanceOf(Remote.RemoteError);
    expect([said.code, said.message, said.hint, said.execution, said.cause]).toEqual([
      'REMOTE_EXECUTION_UNKNOWN',
      'model version x does not exist',
      'list the model versions: unionml list-model-versions app:model',
      'x',
      error,
    ]);
    const version = cliError(
      new Remote.VersionError('dirty', 'commit your changes, pass --allow-uncommitted, or pass --version'),
      session,
    ) as Remote.VersionError;
    expect([version.code, version.hint]).toEqual(['APP_VERSION_UNKNOWN', 'commit your changes, pass --allow-uncommitted, or pass --app-version']);
  });

  it('leaves other errors as they are', () => {
    const plain = new Error('x');
    expect(cliError(plain, session)).toBe(plain);
    const coded = new Remote.RemoteError('REMOTE_EXECUTION_FAILED', 'failed', { hint: 'fix the task' });
    expect(cliError(coded, session)).toBe(coded);
  });
});
