// `unionml build` without a daemon: argument errors and a daemon that is not there. (Builds on a real daemon are
// in e2e/src/docker.e2e.ts.)
import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from './build.js';
import { unionml } from '../test-support/run.js';

describe('unionml build', () => {
  it('parses repeated --build-arg K=V and rejects malformed ones', () => {
    expect(parseBuildArgs(['BASE_IMAGE=node:20', 'X=a=b'])).toEqual({ BASE_IMAGE: 'node:20', X: 'a=b' });
    expect(parseBuildArgs(undefined)).toEqual({});
    expect(() => parseBuildArgs(['=x'])).toThrow("--build-arg '=x' is not KEY=VALUE");
  });

  it('says how to start a daemon when none answers, without a stack trace', async () => {
    const result = await unionml(['build', 'tiny:model', '--version', 'v1'], { env: { DOCKER_HOST: 'unix:///tmp/unionml-no-docker.sock' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/tmp/unionml-no-docker.sock');
    expect(result.stderr).toMatch(/hint: .*(start Docker|DOCKER_HOST)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('needs --compiled for --image, and a registry to push to a remote cluster', async () => {
    const image = await unionml(['train', 'tiny:model', '--local', '--image', 'x:1']);
    expect([image.code, image.stderr]).toEqual([2, expect.stringContaining('--image runs the compiled workflow in containers: it needs --local --compiled')]);
    const push = await unionml(['build', 'tiny:model', '--version', 'v1', '--push', '--endpoint', 'dns:///flyte.acme.com']);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('You must specify a registry when deploying to a remote cluster');
  });

  it("pushes to the demo cluster's registry only when asked (--sandbox), never by default", async () => {
    const local = await unionml(['build', 'tiny:model', '--version', 'v1', '--push', '--endpoint', 'localhost:30080']);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('error: no registry to push the image to (endpoint localhost:30080)');
    expect(local.stderr).toContain('--sandbox to push to the registry of a Flyte demo cluster');
    const sandboxOnly = await unionml(['build', 'tiny:model', '--version', 'v1', '--sandbox']);
    expect([sandboxOnly.code, sandboxOnly.stderr]).toEqual([2, expect.stringContaining('--sandbox names the registry to push to: it needs --push')]);
  });
});
