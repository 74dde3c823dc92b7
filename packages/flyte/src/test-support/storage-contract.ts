import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinUri, type Storage } from '../storage.js';

/** The same behaviour, whichever backend: `make()` gives the storage, a base URI in it and a local scratch folder. */
export function storageContract(name: string, make: () => { storage: Storage; base: string; root: string }) {
  describe(name, () => {
    it('writes, reads, checks and lists (recursively, sorted)', async () => {
      const { storage, base } = make();
      await storage.write(joinUri(base, 'a/inputs.pb'), new Uint8Array([1, 2, 3]));
      await storage.write(joinUri(base, 'a/b/c.txt'), 'hello');
      await storage.write(joinUri(base, 'ab.txt'), 'sibling');
      expect([...(await storage.read(joinUri(base, 'a/inputs.pb')))]).toEqual([1, 2, 3]);
      expect(new TextDecoder().decode(await storage.read(joinUri(base, 'a/b/c.txt')))).toBe('hello');
      expect(await storage.exists(joinUri(base, 'a/inputs.pb'))).toBe(true);
      expect(await storage.exists(joinUri(base, 'a/missing.pb'))).toBe(false);
      expect(await storage.exists(joinUri(base, 'a'))).toBe(false);
      expect(await storage.list(joinUri(base, 'a/'))).toEqual([joinUri(base, 'a/b/c.txt'), joinUri(base, 'a/inputs.pb')]);
      expect(await storage.list(joinUri(base, 'a'))).toEqual([joinUri(base, 'a/b/c.txt'), joinUri(base, 'a/inputs.pb'), joinUri(base, 'ab.txt')]);
      expect(await storage.list(joinUri(base, 'nothing/'))).toEqual([]);
      await storage.write(joinUri(base, 'a/inputs.pb'), 'replaced');
      expect(new TextDecoder().decode(await storage.read(joinUri(base, 'a/inputs.pb')))).toBe('replaced');
    });

    it('copies local files in and out', async () => {
      const { storage, base, root } = make();
      const safe = name.replace(/[^a-z0-9]+/gi, '-');
      const local = join(root, `${safe}-source.bin`);
      await writeFile(local, Buffer.from('payload ✓'));
      const uri = joinUri(base, 'copies/with space/x.bin');
      await storage.copyFrom(local, uri);
      const back = join(root, `${safe}-copies`, 'deep', 'x.bin');
      await storage.copyTo(uri, back);
      expect(await readFile(back, 'utf8')).toBe('payload ✓');
    });

    it('reports a missing object as STORAGE_NOT_FOUND naming the uri', async () => {
      const { storage, base, root } = make();
      const uri = joinUri(base, 'missing/outputs.pb');
      await expect(storage.read(uri)).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND', uri, message: expect.stringContaining(uri) as string });
      await expect(storage.copyTo(uri, join(root, 'never'))).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
      await expect(storage.copyFrom(join(root, 'no-such-file'), joinUri(base, 'x'))).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    });
  });
}
