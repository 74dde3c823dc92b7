import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageLocalPackages } from './stage.js';

describe('stageLocalPackages (nothing to pack)', () => {
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
