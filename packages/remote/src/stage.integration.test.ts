import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { imageReference, registryFor } from './naming.js';
import { stageLocalPackages } from './stage.js';

const digits = fileURLToPath(new URL('../../../../examples/digits/', import.meta.url));

describe('imageReference', () => {
  it("is Python UnionML's {registry/}{image}:{model-name}-{version}", () => {
    expect(imageReference({ modelName: 'digits_classifier', version: 'abc123' })).toBe('unionml:digits-classifier-abc123');
    expect(imageReference({ registry: 'localhost:30000/', imageName: 'team/digits', modelName: 'm', version: 'v1' })).toBe('localhost:30000/team/digits:m-v1');
    expect(() => imageReference({ imageName: 'Bad Name', modelName: 'm', version: 'v1' })).toThrow("'Bad Name' is not a valid image name");
  });
});

describe('registryFor (sandbox mode)', () => {
  it("uses the demo cluster's registry for a local endpoint and requires one otherwise", () => {
    expect(registryFor({ endpoint: 'dns:///localhost:30080' })).toBe('localhost:30000');
    expect(registryFor({ endpoint: 'localhost:30080' })).toBe('localhost:30000');
    expect(registryFor({})).toBe('localhost:30000');
    expect(registryFor({ endpoint: 'dns:///flyte.acme.com', registry: 'ghcr.io/acme' })).toBe('ghcr.io/acme');
    expect(() => registryFor({ endpoint: 'dns:///flyte.acme.com' })).toThrow(expect.objectContaining({ code: 'IMAGE_REGISTRY_REQUIRED', message: expect.stringContaining('You must specify a registry') }));
  });
});

describe('stageLocalPackages', () => {
  it('packs the workspace packages the example needs, transitively, and points package.json at them', async () => {
    const staged = (await stageLocalPackages(digits))!;
    expect(Object.keys(staged.packages).sort()).toEqual(['@unionml/cli', '@unionml/core', '@unionml/data', '@unionml/docker', '@unionml/errors', '@unionml/flyte', '@unionml/server']);
    const pkg = JSON.parse(staged.extraFiles['package.json'] as string) as Record<string, Record<string, string>>;
    expect(pkg['dependencies']!['@unionml/core']).toBe('file:.unionml/packages/unionml-core-0.1.0.tgz');
    expect(pkg['dependencies']!['zod']).toBe('4.6.7');
    expect(pkg['devDependencies']).toBeUndefined();
    expect(pkg['overrides']).toMatchObject({ '@tensorflow/tfjs-node': 'npm:@tensorflow/tfjs@4.22.0', '@unionml/flyte': 'file:.unionml/packages/unionml-flyte-0.1.0.tgz' });
    expect(Object.keys(staged.extraFiles).filter((f) => f.endsWith('.tgz'))).toHaveLength(7);
    expect(staged.exclude).toContain('package-lock.json');
  }, 120_000);

  it('leaves an app whose dependencies all come from a registry alone, and names a missing file: dependency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-stage-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { zod: '4.6.7' } }));
    expect(await stageLocalPackages(dir)).toBeUndefined();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { x: 'file:../nope.tgz' } }));
    await expect(stageLocalPackages(dir)).rejects.toThrow('dependency x is file:../nope.tgz, which does not exist');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(stageLocalPackages(empty)).rejects.toMatchObject({ code: 'IMAGE_CONTEXT_INVALID' });
    rmSync(dir, { recursive: true, force: true });
  });
});
