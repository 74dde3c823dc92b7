import { describe, expect, it } from 'vitest';
import { imageReference, registryFor } from './naming.js';

describe('imageReference', () => {
  it("is Python UnionML's {registry/}{image}:{model-name}-{version}", () => {
    expect(imageReference({ modelName: 'digits_classifier', version: 'abc123' })).toBe('unionml:digits-classifier-abc123');
    expect(imageReference({ registry: 'localhost:30000/', imageName: 'team/digits', modelName: 'm', version: 'v1' })).toBe('localhost:30000/team/digits:m-v1');
    expect(() => imageReference({ imageName: 'Bad Name', modelName: 'm', version: 'v1' })).toThrow("'Bad Name' is not a valid image name");
  });
});

describe('registryFor', () => {
  it('takes the registry given, or the sandbox registry only when asked for', () => {
    expect(registryFor({ endpoint: 'dns:///flyte.acme.com', registry: 'ghcr.io/acme' })).toBe('ghcr.io/acme');
    expect(registryFor({ sandbox: true })).toBe('localhost:30000');
    expect(registryFor({ endpoint: 'dns:///localhost:30080', sandbox: true })).toBe('localhost:30000');
    expect(() => registryFor({ registry: 'ghcr.io/acme', sandbox: true })).toThrow('not both');
  });

  it("never falls back to the sandbox's registry silently", () => {
    for (const endpoint of [undefined, 'dns:///localhost:30080', 'localhost:30080']) {
      expect(() => registryFor({ endpoint })).toThrow(
        expect.objectContaining({ code: 'IMAGE_REGISTRY_REQUIRED', kind: 'input', hint: expect.stringContaining('--sandbox') as string }),
      );
    }
  });

  it("keeps Python UnionML's error for a remote endpoint without a registry", () => {
    expect(() => registryFor({ endpoint: 'dns:///flyte.acme.com' })).toThrow(
      expect.objectContaining({ code: 'IMAGE_REGISTRY_REQUIRED', message: expect.stringContaining('You must specify a registry') as string }),
    );
  });
});
