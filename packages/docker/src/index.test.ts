import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('@unionml/docker', () => {
  it('exports the contract', () => {
    for (const name of ['Docker', 'registryOf', 'dockerConfigAuth', 'createContext', 'listContextFiles', 'renderProgress']) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    for (const name of ['DockerUnavailableError', 'DockerBuildError', 'DockerPushError', 'DockerAuthError']) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
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
    const out = execFileSync(process.execPath, ['--conditions=@unionml/source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({ before: false, after: true });
  });
});
