import { describe, expect, it } from 'vitest';
import { parseImageReference, registryOf } from './reference.js';

describe('registryOf', () => {
  it.each([
    ['localhost:30000/app:v1', 'localhost:30000'],
    ['localhost/app', 'localhost'],
    ['ghcr.io/x/y:1', 'ghcr.io'],
    ['127.0.0.1:5000/a/b/c@sha256:abc', '127.0.0.1:5000'],
    ['registry.example.com/team/app', 'registry.example.com'],
    ['Upper/app', 'Upper'],
    ['app:v1', undefined],
    ['app', undefined],
    ['library/node:20', undefined],
    ['team/app:v1', undefined],
    ['docker.io/library/node:20', undefined],
    ['index.docker.io/x/y', undefined],
  ])('%s → %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});

describe('parseImageReference', () => {
  it('splits repository, tag and digest (a port is not a tag)', () => {
    expect(parseImageReference('localhost:30000/app:v1')).toEqual({
      registry: 'localhost:30000',
      repository: 'localhost:30000/app',
      tag: 'v1',
      digest: undefined,
    });
    expect(parseImageReference('localhost:30000/app')).toEqual({
      registry: 'localhost:30000',
      repository: 'localhost:30000/app',
      tag: undefined,
      digest: undefined,
    });
    expect(parseImageReference('app@sha256:0123')).toEqual({ registry: undefined, repository: 'app', tag: undefined, digest: 'sha256:0123' });
    expect(parseImageReference('ghcr.io/x/y:1@sha256:0123')).toEqual({ registry: 'ghcr.io', repository: 'ghcr.io/x/y', tag: '1', digest: 'sha256:0123' });
  });
});
