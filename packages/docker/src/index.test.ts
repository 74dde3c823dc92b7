import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { httpStatusOf, isUnionMLError } from '@unionml/errors';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import {
  DOCKER_ERRORS,
  DockerAbortedError,
  DockerAuthError,
  DockerBuildError,
  DockerContextError,
  DockerPushError,
  DockerRequestError,
  DockerRunError,
  DockerUnavailableError,
} from './index.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('@unionml/docker', () => {
  it('exports the contract', () => {
    for (const name of ['Docker', 'registryOf', 'dockerConfigAuth', 'createContext', 'listContextFiles', 'renderProgress']) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    for (const name of [
      'DockerUnavailableError',
      'DockerBuildError',
      'DockerPushError',
      'DockerAuthError',
      'DockerContextError',
      'DockerRunError',
      'DockerRequestError',
      'DockerAbortedError',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    expect(api.DOCKER_ERRORS.DOCKER_UNAVAILABLE.code).toBe('DOCKER_UNAVAILABLE');
  });

  it('does not load dockerode on import or construction, only on the first daemon call', () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(process.cwd() + '/x.js').cache).some((f) => f.includes('/node_modules/dockerode/'));
      const { Docker } = await import('@unionml/docker');
      const docker = new Docker({ socketPath: '/tmp/unionml-no-such-docker.sock' });
      const before = loaded();
      await docker.ping().catch(() => {});
      console.log(JSON.stringify({ before, after: loaded() }));
    `;
    const out = execFileSync(process.execPath, ['--conditions=@unionml/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim())).toEqual({ before: false, after: true });
  });

  it('declares every code once, in DOCKER_ERRORS, with its kind', () => {
    expect(Object.fromEntries(Object.values(DOCKER_ERRORS).map((c) => [c.code, c.kind]))).toEqual({
      DOCKER_UNAVAILABLE: 'environment',
      DOCKER_CONTEXT_INVALID: 'input',
      DOCKER_BUILD_FAILED: 'app',
      DOCKER_AUTH_FAILED: 'input',
      DOCKER_PUSH_FAILED: 'environment',
      DOCKER_RUN_FAILED: 'input',
      DOCKER_IMAGE_NOT_FOUND: 'input',
      DOCKER_REFERENCE_INVALID: 'input',
      DOCKER_REQUEST_FAILED: 'environment',
      DOCKER_ABORTED: 'state',
    });
    for (const entry of Object.values(DOCKER_ERRORS)) {
      expect(entry.registry).toBe('@unionml/docker');
      expect(entry.meaning.length, entry.code).toBeGreaterThan(20);
      expect(entry.hint.length, entry.code).toBeGreaterThan(10);
    }
    const errors = [
      new DockerUnavailableError('unix:///x.sock', 'down'),
      new DockerContextError('no folder'),
      new DockerBuildError('failed'),
      new DockerAuthError('registry.example.com', 'refused'),
      new DockerPushError('registry.example.com', 'failed'),
      new DockerRunError('failed'),
      new DockerRequestError(DOCKER_ERRORS.DOCKER_IMAGE_NOT_FOUND, 'tag', 'no image'),
      new DockerRequestError(DOCKER_ERRORS.DOCKER_REFERENCE_INVALID, 'push', 'a digest'),
      new DockerRequestError(DOCKER_ERRORS.DOCKER_REQUEST_FAILED, 'remove', 'refused'),
      new DockerAbortedError('build of x:1'),
    ];
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(Object.keys(DOCKER_ERRORS)));
    for (const e of errors) {
      expect(isUnionMLError(e)).toBe(true);
      expect(e.kind).toBe(DOCKER_ERRORS[e.code].kind);
    }
    expect(httpStatusOf(new DockerUnavailableError('unix:///x.sock', 'down'))).toBe(503);
    expect(httpStatusOf(new DockerContextError('no folder'))).toBe(400);
    expect(httpStatusOf(new DockerRequestError(DOCKER_ERRORS.DOCKER_IMAGE_NOT_FOUND, 'tag', 'no image'))).toBe(404);
    // @ts-expect-error a DockerRequestError is made from its own codes only (a compile-time check)
    void (() => new DockerRequestError(DOCKER_ERRORS.DOCKER_RUN_FAILED, 'x', 'y'));
    // @ts-expect-error not from free strings
    expect(() => new DockerRequestError('DOCKER_REQUEST_FAILED', 'x', 'y')).toThrow('needs a registered error code');
  });

  it('speaks to users: no advice or default that only holds in the UnionML repository', async () => {
    const repositorySpecific = /npm run|docker:up|tools\/scripts|storage-driver|--bridge=none|unionml-node-base|localhost:30000|this machine/;
    const dir = import.meta.dirname;
    const sources = (await readdir(dir)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources).toContain('docker.ts');
    for (const name of sources) expect(await readFile(path.join(dir, name), 'utf8'), name).not.toMatch(repositorySpecific);
    for (const entry of Object.values(DOCKER_ERRORS)) expect(`${entry.meaning} ${entry.hint}`, entry.code).not.toMatch(repositorySpecific);
  });
});
