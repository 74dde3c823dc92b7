// `unionml deploy` through the RemoteModel stand-in (test-support/fake-remote.ts): its options reach remote() and
// deploy(), its report; --patch is refused. (A deploy to a real cluster is tried by hand against the Flyte lab.)
import { describe, expect, it } from 'vitest';
import { fakeUnionml } from '../test-support/fake-cli.js';
import { onlyJson } from '../test-support/run.js';

describe('unionml deploy', () => {
  it('gives remote() the image options and deploy() the version, build and schedule options; prints the app version', async () => {
    const result = await fakeUnionml([
      'deploy',
      'tiny:model',
      '--allow-uncommitted',
      '--app-version',
      'v9',
      '--no-schedule',
      '--registry',
      'ghcr.io/acme',
      '--image-name',
      'acme/tiny',
      '--dockerfile',
      'docker/Dockerfile',
      '--build-arg',
      'BASE_IMAGE=node:20',
      '--build-arg',
      'X=a=b',
      '--network',
      'host',
      '-p',
      'ml',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[0]!.args[1]).toMatchObject({ registry: 'ghcr.io/acme', imageName: 'acme/tiny', dockerfile: 'docker/Dockerfile', project: 'ml' });
    expect(result.calls[1]).toEqual({
      method: 'deploy',
      args: [{ appVersion: 'v9', allowUncommitted: true, schedule: false, buildArgs: { BASE_IMAGE: 'node:20', X: 'a=b' }, network: 'host' }],
    });
    expect(result.stdout).toBe(
      [
        "[unionml] deployed app version v9 of model 'tiny_classifier' to ml/development in 1.8 s (image localhost:30000/acme/tiny:tiny-classifier-v9)",
        '[unionml] registered 2 tasks, 1 workflow and 1 launch plan',
        '[unionml] train it: unionml train tiny:model -p ml --wait',
        'v9',
        '',
      ].join('\n'),
    );
  });

  it('deploys the schedules by default and reports them; --json prints one object', async () => {
    const result = await fakeUnionml(['deploy', 'tiny:model', '--json'], { schedules: ['nightly'] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls[1]!.args[0]).toEqual({ allowUncommitted: false, schedule: true, buildArgs: {} });
    expect(onlyJson(result)).toEqual({
      model: 'tiny_classifier',
      appVersion: 'v1',
      image: 'localhost:30000/unionml:tiny-classifier-v1',
      project: 'flytesnacks',
      domain: 'development',
      registered: expect.arrayContaining([{ kind: 'workflow', name: 'tiny_classifier.train', version: 'v1', created: true }]) as unknown,
      activated: ['nightly'],
      seconds: { build: 1.5, register: 0.25, total: 1.75 },
    });
    expect(result.stderr).toContain('[unionml] activated schedules: nightly');
  });

  it('refuses --patch (not available yet) and a malformed --build-arg before loading anything (exit 2)', async () => {
    const patch = await fakeUnionml(['deploy', 'tiny:model', '--patch', '--json']);
    expect(patch.code).toBe(2);
    expect(onlyJson(patch)).toEqual({
      error: {
        code: 'REMOTE_NOT_AVAILABLE',
        message: '--patch (registering new code without building the image) is not available yet',
        hint: expect.stringContaining('deploy without --patch') as string,
      },
    });
    expect(patch.calls).toEqual([]);
    const buildArg = await fakeUnionml(['deploy', 'tiny:model', '--build-arg', 'NOVALUE']);
    expect(buildArg.code).toBe(2);
    expect(buildArg.stderr).toContain("error: --build-arg 'NOVALUE' is not KEY=VALUE");
    expect(buildArg.stderr).toContain('usage: unionml deploy APP:MODEL');
  });

  it('says an app version error in the words of deploy (--app-version, not --version)', async () => {
    const result = await fakeUnionml(['deploy', 'tiny:model'], {
      fail: {
        method: 'deploy',
        code: 'APP_VERSION_UNKNOWN',
        message: 'Version number cannot be determined with uncommitted changes present.',
        hint: 'commit your changes, pass --allow-uncommitted, or pass --version',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Version number cannot be determined with uncommitted changes present.\n  hint: commit your changes, pass --allow-uncommitted, or pass --app-version\n',
    );
  });
});
