import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection, consoleFromEndpoint, consoleUrl, isLocalEndpoint, storageEnv } from './connection.js';

const work = mkdtempSync(join(tmpdir(), 'unionml-connection-'));

describe('the Flyte config', () => {
  it("gives S3Storage the config's storage settings over the process's, FLYTE_AWS_* already applied by the config reader", async () => {
    const file = join(work, 'config.yaml');
    writeFileSync(
      file,
      'admin:\n  endpoint: dns:///localhost:30080\nstorage:\n  connection:\n    endpoint: http://localhost:30002\n    access-key: minio\n    secret-key: miniostorage\n    region: us-east-1\n',
    );
    const config = await new Connection({ config: file, env: { HOME: work } }).config();
    expect(storageEnv(config, { AWS_ACCESS_KEY_ID: 'aws', PATH: '/bin' })).toEqual({
      AWS_ACCESS_KEY_ID: 'aws',
      PATH: '/bin',
      FLYTE_AWS_ENDPOINT: 'http://localhost:30002',
      FLYTE_AWS_ACCESS_KEY_ID: 'minio',
      FLYTE_AWS_SECRET_ACCESS_KEY: 'miniostorage',
      FLYTE_AWS_REGION: 'us-east-1',
    });
    const overridden = await new Connection({ config: file, env: { HOME: work, FLYTE_AWS_ENDPOINT: 'http://minio:9000' } }).config();
    expect(storageEnv(overridden, {})['FLYTE_AWS_ENDPOINT']).toBe('http://minio:9000');
    // Without a console endpoint, links go to the admin host (http for a local one, as flytekit).
    expect(await new Connection({ config: file, env: { HOME: work } }).consoleUrl('p', 'd', 'f1')).toBe(
      'http://localhost:30080/console/projects/p/domains/d/executions/f1',
    );
  });

  it('an injected client without a config file of its own gets a config of its endpoint', async () => {
    const admin = { endpoint: 'flyte.example.com:443', configPath: undefined } as never;
    const config = await new Connection({ admin, env: { HOME: work } }).config();
    expect(config.admin.endpoint).toBe('flyte.example.com:443');
    expect(await new Connection({ admin, env: { HOME: work } }).endpoint()).toBe('flyte.example.com:443');
  });
});

describe('endpoints and links', () => {
  it('knows a local endpoint as Python UnionML does (and loopback addresses)', () => {
    for (const endpoint of ['localhost:30080', 'dns:///localhost:30080', '127.0.0.1:30080', 'http://localhost', '[::1]:30080'])
      expect(isLocalEndpoint(endpoint), endpoint).toBe(true);
    for (const endpoint of ['flyte.example.com:443', 'dns:///flyte.acme.io', 'localhost.example.com:80'])
      expect(isLocalEndpoint(endpoint), endpoint).toBe(false);
  });

  it("writes flytekit's console links", () => {
    expect(consoleUrl('http://localhost:30080/', 'flytesnacks', 'development', 'f0a1')).toBe(
      'http://localhost:30080/console/projects/flytesnacks/domains/development/executions/f0a1',
    );
    expect(consoleUrl('https://flyte.acme.io/console', 'p', 'd', 'n')).toBe('https://flyte.acme.io/console/projects/p/domains/d/executions/n');
    expect(consoleFromEndpoint('dns:///flyte.acme.io:443')).toBe('https://flyte.acme.io:443');
  });
});
