import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HUB_AUTH_KEY, dockerConfigAuth, dockerConfigPath } from './auth.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'unionml-docker-auth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(content: unknown): Promise<string> {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('dockerConfigAuth', () => {
  it('reads auths[registry].auth (base64 user:password, the password may contain colons)', async () => {
    const file = await config({ auths: { 'localhost:30000': { auth: b64('alice:s3:cr3t') } } });
    expect(dockerConfigAuth('localhost:30000', file)).toEqual({ username: 'alice', password: 's3:cr3t', serveraddress: 'localhost:30000' });
    expect(dockerConfigAuth('localhost:30001', file)).toBeUndefined();
  });

  it('reads username/password entries and keys with a scheme or a path', async () => {
    const file = await config({ auths: { 'https://ghcr.io/v2/': { username: 'bob', password: 'pw' }, 'http://127.0.0.1:5000': { auth: b64('c:d') } } });
    expect(dockerConfigAuth('ghcr.io', file)).toEqual({ username: 'bob', password: 'pw', serveraddress: 'ghcr.io' });
    expect(dockerConfigAuth('127.0.0.1:5000', file)).toEqual({ username: 'c', password: 'd', serveraddress: '127.0.0.1:5000' });
  });

  it('finds Docker Hub credentials under https://index.docker.io/v1/ for images without a registry', async () => {
    const file = await config({ auths: { [DOCKER_HUB_AUTH_KEY]: { auth: b64('hub:pw') } } });
    expect(dockerConfigAuth(undefined, file)).toEqual({ username: 'hub', password: 'pw', serveraddress: DOCKER_HUB_AUTH_KEY });
    expect(dockerConfigAuth('docker.io', file)?.username).toBe('hub');
  });

  it('runs credential helpers (credHelpers, then credsStore) and falls back to auths', async () => {
    const helper = path.join(dir, 'docker-credential-unionmltest');
    await writeFile(
      helper,
      '#!/bin/sh\nread server\nif [ "$server" = "helped.example.com" ]; then echo \'{"ServerURL":"helped.example.com","Username":"helper-user","Secret":"helper-secret"}\'; else echo "credentials not found" >&2; exit 1; fi\n',
    );
    await chmod(helper, 0o755);
    const file = await config({ credsStore: 'unionmltest', auths: { 'other.example.com': { auth: b64('o:p') } } });
    const savedPath = process.env['PATH'];
    process.env['PATH'] = `${dir}:${savedPath ?? ''}`;
    try {
      expect(dockerConfigAuth('helped.example.com', file)).toEqual({ username: 'helper-user', password: 'helper-secret', serveraddress: 'helped.example.com' });
      expect(dockerConfigAuth('other.example.com', file)).toEqual({ username: 'o', password: 'p', serveraddress: 'other.example.com' });
      const perRegistry = await config({ credHelpers: { 'helped.example.com': 'unionmltest' } });
      expect(dockerConfigAuth('helped.example.com', perRegistry)?.username).toBe('helper-user');
      const missingHelper = await config({ credHelpers: { 'x.example.com': 'nonexistent-helper' } });
      expect(dockerConfigAuth('x.example.com', missingHelper)).toBeUndefined();
    } finally {
      process.env['PATH'] = savedPath;
    }
  });

  it('is undefined for a missing or unparsable file', async () => {
    expect(dockerConfigAuth('ghcr.io', path.join(dir, 'missing.json'))).toBeUndefined();
    expect(dockerConfigAuth('ghcr.io', await config('{not json'))).toBeUndefined();
  });

  it('defaults to $DOCKER_CONFIG/config.json', () => {
    const saved = process.env['DOCKER_CONFIG'];
    process.env['DOCKER_CONFIG'] = '/some/where';
    try {
      expect(dockerConfigPath()).toBe('/some/where/config.json');
    } finally {
      if (saved === undefined) delete process.env['DOCKER_CONFIG'];
      else process.env['DOCKER_CONFIG'] = saved;
    }
  });
});
