// `unionml deploy` through the RemoteModel stand-in (test-support/fake-remote.ts): its options reach remote() and
// deploy(), its report, --patch's. (A deploy to a real cluster is tried by hand against the Flyte lab.)
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
      args: [{ appVersion: 'v9', allowUncommitted: true, patch: false, schedule: false, buildArgs: { BASE_IMAGE: 'node:20', X: 'a=b' }, network: 'host' }],
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
    expect(result.calls[1]!.args[0]).toEqual({ allowUncommitted: false, patch: false, schedule: true, buildArgs: {} });
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

  it('--patch deploys the code on the last image and says which; it refuses image build options (exit 2)', async () => {
    const patch = await fakeUnionml(['deploy', 'tiny:model', '--patch']);
    expect(patch.code, patch.stderr).toBe(0);
    expect(patch.calls[1]).toEqual({ method: 'deploy', args: [{ allowUncommitted: false, patch: true, schedule: true, buildArgs: {} }] });
    expect(patch.stdout.endsWith('\nv1-patch0f3a9c1\n')).toBe(true);
    expect(patch.stdout).toContain(
      "[unionml] deployed app version v1-patch0f3a9c1 of model 'tiny_classifier' to flytesnacks/development in 1.8 s (image localhost:30000/unionml:tiny-classifier-v1)\n" +
        '[unionml] patch of app version v1: its image runs the code archive s3://my-s3-bucket/flytesnacks/development/unionml-fast-0f3a/fast0f3a.tar.gz (7 files)\n',
    );
    const json = await fakeUnionml(['deploy', 'tiny:model', '--patch', '--json']);
    expect(onlyJson(json)).toMatchObject({ appVersion: 'v1-patch0f3a9c1', patch: { of: 'v1', files: 7, bytes: 51234 } });

    const refused = await fakeUnionml(['deploy', 'tiny:model', '--patch', '--build-arg', 'A=b', '--network', 'host', '--json']);
    expect(refused.code).toBe(2);
    expect(onlyJson(refused)).toEqual({
      error: {
        code: 'CLI_USAGE',
        message: '--patch builds no image: leave out --build-arg, --network',
        hint: 'a patch reuses the image of the newest deployed version; deploy without --patch to build an image with these options',
      },
    });
    expect(refused.calls).toEqual([]);
  });

  it('refuses a malformed --build-arg before loading anything (exit 2)', async () => {
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
