import { describe, expect, expectTypeOf, it } from 'vitest';
import { CODECS, type Codec, type CodecTable } from './codecs.js';
import type { FlyteTypeKind, FlyteTypeOf } from './flyte-type.js';
import { t } from './types.js';

const FUNCTIONS = ['literalType', 'unionTag', 'describe', 'jsonLeaf', 'encode', 'decode'] as const;

describe('the codec table', () => {
  it('has one codec per FlyteType kind, and nothing else', () => {
    expectTypeOf<keyof typeof CODECS>().toEqualTypeOf<FlyteTypeKind>();
    const oneOfEach = [
      t.int(),
      t.float(),
      t.string(),
      t.boolean(),
      t.datetime(),
      t.duration(),
      t.none(),
      t.list(t.int()),
      t.map(t.int()),
      t.struct(),
      t.blob(),
      t.structuredDataset(),
      t.optional(t.int()),
      t.enum(['a']),
    ];
    expect(Object.keys(CODECS).sort()).toEqual(oneOfEach.map((type) => type.kind).sort());
    expect(Object.keys(t)).toHaveLength(oneOfEach.length);
  });

  it('gives every codec each of its functions', () => {
    for (const [kind, codec] of Object.entries(CODECS)) {
      for (const name of FUNCTIONS) expect(typeof (codec as unknown as Record<string, unknown>)[name], `${kind}.${name}`).toBe('function');
    }
  });

  it('is exhaustive at compile time: a missing kind, a missing function or a codec of another kind does not compile', () => {
    const { enum: _enum, ...withoutEnum } = CODECS;
    // @ts-expect-error a table without the codec of a kind (here: enum) is not a CodecTable
    const missingKind: CodecTable = withoutEnum;
    const withoutDescribe: Omit<typeof CODECS.int, 'describe'> = CODECS.int;
    // @ts-expect-error a codec without one of its functions (here: describe) is not a codec
    const missingFunction: CodecTable = { ...CODECS, int: withoutDescribe };
    // @ts-expect-error the codec of a list (it reads `type.of`) cannot stand for the codec of an int
    const wrongKind: CodecTable = { ...CODECS, int: CODECS.list };
    // @ts-expect-error a kind FlyteType does not have cannot be added
    const extraKind: CodecTable = { ...CODECS, tensor: CODECS.struct };
    expectTypeOf(CODECS.list).toEqualTypeOf<Codec<FlyteTypeOf<'list'>>>();
    expect([missingKind, missingFunction, wrongKind, extraKind]).toHaveLength(4);
  });
});
