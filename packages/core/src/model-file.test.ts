import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJsonValue, encodeJsonValue, flattenMetrics, normalizeMetrics, readPayload, unflattenMetrics, writePayload } from './model-file.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unionml-model-file-'));

describe('encodeJsonValue / decodeJsonValue', () => {
  it('round-trips NaN, infinities, bigints, typed arrays and ArrayBuffers through JSON text', () => {
    const value = {
      a: [1, Number.NaN, Infinity, -Infinity],
      b: 2n ** 70n,
      f: new Float64Array([0.1, Number.NaN]),
      i: new Int32Array([-1, 2]),
      u: new BigUint64Array([3n]),
      buf: new Uint8Array([1, 2, 3]).buffer,
      nested: { when: new Date('2026-01-02T00:00:00Z'), skip: undefined },
    };
    const { value: encoded, tagged } = encodeJsonValue(value, 'the model object');
    expect(tagged).toBe(true);
    const decoded = decodeJsonValue(JSON.parse(JSON.stringify(encoded))) as typeof value;
    expect(decoded.a).toEqual([1, Number.NaN, Infinity, -Infinity]);
    expect(decoded.b).toBe(2n ** 70n);
    expect(decoded.f).toEqual(new Float64Array([0.1, Number.NaN]));
    expect(decoded.i).toEqual(new Int32Array([-1, 2]));
    expect(decoded.u).toEqual(new BigUint64Array([3n]));
    expect(new Uint8Array(decoded.buf)).toEqual(new Uint8Array([1, 2, 3]));
    expect(decoded.nested).toEqual({ when: '2026-01-02T00:00:00.000Z' });
    expect(encodeJsonValue({ plain: [1, 'a', null, true] }, 'x')).toEqual({ value: { plain: [1, 'a', null, true] }, tagged: false });
  });

  it('names the path of what JSON would lose', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const cases: [unknown, string][] = [
      [{ forest: { trees: [{}, { split: new Set() }] } }, 'forest.trees[1].split is a Set'],
      [{ 'odd key': [() => 1] }, '["odd key"][0] is a function'],
      [[1, undefined], '[1] is undefined, which JSON would store as null'],
      [cyclic, 'self refers back to itself'],
      [{ p: Promise.resolve(1) }, 'p is a Promise'],
      [{ $unionml: 1 }, "$unionml uses the key '$unionml'"],
    ];
    for (const [value, message] of cases) expect(() => encodeJsonValue(value, 'the model object')).toThrow(message);
  });
});

describe('payloads', () => {
  it('round-trips a folder with nested and empty folders, and refuses links and unsafe entries', async () => {
    const dir = tmp();
    const src = join(dir, 'm');
    mkdirSync(join(src, 'a', 'b'), { recursive: true });
    mkdirSync(join(src, 'empty'));
    writeFileSync(join(src, 'a', 'b', 'w.bin'), Buffer.from([0, 255, 7]));
    writeFileSync(join(src, 'top.json'), '{}');
    const payload = await readPayload(src, 'm', 'the saver');
    const out = tmp();
    const path = await writePayload(payload, out);
    expect(readFileSync(join(path, 'a', 'b', 'w.bin'))).toEqual(Buffer.from([0, 255, 7]));
    expect(readdirSync(path).sort()).toEqual(['a', 'empty', 'top.json']);
    if (payload.kind !== 'directory') throw new Error('expected a folder');
    const evil = { ...payload, entries: [{ path: '../escape', data: '' }] };
    await expect(writePayload(evil, tmp())).rejects.toThrow('unsafe path: "../escape"');
    await expect(writePayload({ ...payload, name: '..' }, tmp())).rejects.toThrow('malformed');
    symlinkSync('/etc/hostname', join(src, 'link'));
    await expect(readPayload(src, 'm', 'the saver')).rejects.toThrow('the saver wrote a symbolic link at');
  });
});

describe('metrics shapes', () => {
  it('flattens to a Flyte map and back, and names version 1 and Python numbers', () => {
    const metrics = { train: { accuracy: 1, f1: 0.5 }, test: { accuracy: 0.9 } };
    expect(flattenMetrics(metrics)).toEqual({ 'train.accuracy': 1, 'train.f1': 0.5, 'test.accuracy': 0.9 });
    expect(unflattenMetrics(flattenMetrics(metrics))).toEqual(metrics);
    expect(unflattenMetrics({ train: 0.8, test: 0.7 }, 'accuracy')).toEqual({ train: { accuracy: 0.8 }, test: { accuracy: 0.7 } });
    expect(normalizeMetrics({ train: 0.8 }, 'r2')).toEqual({ train: { r2: 0.8 } });
    expect(normalizeMetrics(undefined, 'r2')).toBeUndefined();
  });
});
