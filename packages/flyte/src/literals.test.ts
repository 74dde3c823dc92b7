import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlyteTypeError } from './errors.js';
import { flyteidl, Long, toStruct } from './idl.js';
import {
  decodeMsgpack,
  encodeMsgpack,
  fromLiteral,
  fromLiteralMap,
  structuredDatasetFiles,
  toLiteral,
  toLiteralMap,
  typeTransformers,
  type LiteralContext,
  type TypeTransformer,
} from './literals.js';
import { anyStorage, joinUri } from './storage.js';
import { FLYTEKIT_GOLDENS, flytekitHex } from './test-support/goldens.js';
import { t, type FlyteType } from './types.js';

let root: string;
let ctx: LiteralContext;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flyte-literals-'));
  ctx = { storage: anyStorage({}), rawOutputPrefix: join(root, 'raw'), workDir: join(root, 'work') };
});

const hex = (literal: flyteidl.core.ILiteral) => Buffer.from(flyteidl.core.Literal.encode(literal).finish()).toString('hex');
const wire = (literal: flyteidl.core.ILiteral) => flyteidl.core.Literal.decode(flyteidl.core.Literal.encode(literal).finish());

describe('toLiteral matches flytekit byte for byte', () => {
  // By case name in flytekit-goldens.json: flytekit 1.16's
  // `TypeEngine.to_literal(ctx, value, T, lt).to_flyte_idl().SerializeToString()` (tools/flytekit-check/write_goldens.py).
  const cases: [string, unknown, FlyteType][] = [
    ['dict {"a": 1, "b": [1.5, "x"]}', { a: 1, b: [1.5, 'x'] }, t.struct()],
    ['float 3.0', 3, t.float()],
    ['int 2**53 + 1', 2n ** 53n + 1n, t.int()],
    ['int -5', -5, t.int()],
    ['Optional[float] 3.0', 3, t.optional(t.float())],
    ['Optional[float] None', null, t.optional(t.float())],
    ['Optional[int] 7', 7, t.optional(t.int())],
    ['datetime 2024-01-02T03:04:05.678Z', new Date('2024-01-02T03:04:05.678Z'), t.datetime()],
    ['timedelta(seconds=90, milliseconds=500)', 90_500, t.duration()],
    ['-timedelta(milliseconds=1500)', -1500, t.duration()],
    ['List[float] [1.0, 2.5]', [1, 2.5], t.list(t.float())],
    ['Dict[str, int] {"x": 1}', { x: 1 }, t.map(t.int())],
    ['Color.GREEN', 'green', t.enum(['red', 'green'])],
    ['None', null, t.none()],
    ['True', true, t.boolean()],
    ['"héllo"', 'héllo', t.string()],
    ['datetime 2024-01-01 (whole seconds: no nanos)', new Date('2024-01-01T00:00:00Z'), t.datetime()],
    ['datetime epoch (an empty Timestamp)', new Date(0), t.datetime()],
    ['timedelta(0)', 0, t.duration()],
    ['timedelta(milliseconds=250)', 250, t.duration()],
    ['float 0.0', 0, t.float()],
    ['int 0', 0, t.int()],
    ['""', '', t.string()],
    ['False', false, t.boolean()],
    ['List[int] []', [], t.list(t.int())],
    ['dict {}', {}, t.struct()],
    ['Dict[str, float] {}', {}, t.map(t.float())],
    ['Optional[str] ""', '', t.optional(t.string())],
    ['Optional[dict] {"k": "v"}', { k: 'v' }, t.optional(t.struct())],
    ['a nested dict', { n: { m: [1, 2, { z: null }] }, t: true, f: -2.25, big: 4294967296, neg: -129 }, t.struct()],
    ['int 2**63 - 1', 2n ** 63n - 1n, t.int()],
    ['int -2**63', -(2n ** 63n), t.int()],
    ['float nan', Number.NaN, t.float()],
    ['float inf', Number.POSITIVE_INFINITY, t.float()],
    ['float -inf', Number.NEGATIVE_INFINITY, t.float()],
    ['float -0.0', -0, t.float()],
    ['datetime with an offset +02:00', new Date('2024-05-01T10:00:00.250Z'), t.datetime()],
    ['datetime naive (read as UTC)', new Date('2024-01-02T03:04:05Z'), t.datetime()],
    ['timedelta(days=10000)', 864_000_000_000, t.duration()],
    ['dict {"z": -0.0, "nan": nan}', { z: -0, nan: Number.NaN }, t.struct()],
    // A float field's integral value is written as a float, as flytekit writes a dataclass's float fields.
    [
      'dataclass Hyperparameters(lr=1.0, epochs=2, ratio=-0.0)',
      { lr: 1, epochs: 2, ratio: -0 },
      t.struct({ type: 'object', properties: { lr: { type: 'number' }, epochs: { type: 'integer' }, ratio: { type: 'number' } } }),
    ],
  ];

  // flytekit's values that JavaScript cannot hold exactly: read to the millisecond (a Date, a number of milliseconds).
  const lossy: [string, unknown, FlyteType][] = [
    ['datetime with microseconds', new Date('2024-01-02T03:04:05.123Z'), t.datetime()],
    ['timedelta(days=10000, microseconds=1)', 864_000_000_000.001, t.duration()],
  ];

  it.each(lossy)('reads %s to the millisecond (JavaScript holds no more)', async (name, value, type) => {
    const decoded = await fromLiteral(flyteidl.core.Literal.decode(Buffer.from(flytekitHex('literals', name), 'hex')), type, ctx);
    if (value instanceof Date) expect(decoded).toEqual(value);
    else expect(decoded as number).toBeCloseTo(value as number, 2);
  });

  it('writes a naive ISO string as the UTC instant flytekit writes for a naive datetime', async () => {
    expect(hex(await toLiteral('2024-01-02T03:04:05', t.datetime(), ctx))).toBe(flytekitHex('literals', 'datetime naive (read as UTC)'));
  });

  it.each(cases)('%s', async (name, value, type) => {
    const expected = flytekitHex('literals', name);
    expect(hex(await toLiteral(value, type, ctx))).toBe(expected);
    // and flytekit's bytes decode back to the value
    expect(await fromLiteral(flyteidl.core.Literal.decode(Buffer.from(expected, 'hex')), type, ctx)).toEqual(value);
  });

  it('covers every literal of flytekit-goldens.json, and only those', () => {
    expect([...cases, ...lossy].map(([name]) => name).sort()).toEqual(Object.keys(FLYTEKIT_GOLDENS.literals).sort());
  });

  it('writes msgpack as Python msgpack does for a simple dict', () => {
    const packed = flytekitHex('msgpack', '{"a": 1, "b": [1.5, "x"]}');
    expect(Buffer.from(encodeMsgpack({ a: 1, b: [1.5, 'x'] })).toString('hex')).toBe(packed);
    expect(decodeMsgpack(Buffer.from(packed, 'hex'))).toEqual({ a: 1, b: [1.5, 'x'] });
  });

  // The JS side of each msgpack case of flytekit-goldens.json: byte for byte what Python's msgpack writes.
  const msgpackCases: [string, unknown][] = [
    ['{"a": 1, "b": [1.5, "x"]}', { a: 1, b: [1.5, 'x'] }],
    ['-0.0', -0],
    ['{"z": -0.0}', { z: -0 }],
    [
      'int formats',
      [
        0,
        127,
        128,
        255,
        256,
        65535,
        65536,
        2 ** 32 - 1,
        2 ** 32,
        2n ** 53n + 1n,
        2n ** 63n - 1n,
        2n ** 64n - 1n,
        -1,
        -32,
        -33,
        -128,
        -129,
        -32768,
        -32769,
        -(2 ** 31),
        -(2 ** 31) - 1,
        -(2n ** 63n),
      ],
    ],
    ['floats', [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 5e-324]],
    ['str formats', ['x'.repeat(31), 'x'.repeat(32), 'x'.repeat(256), 'é']],
    ['array and map formats', [Array.from({ length: 16 }, (_, i) => i), Object.fromEntries(Array.from({ length: 16 }, (_, i) => [String(i), i])), [], {}]],
    ['bytes', new Uint8Array([0, 1])],
  ];

  it.each(msgpackCases)('writes msgpack byte for byte as Python msgpack: %s', (name, value) => {
    expect(Buffer.from(encodeMsgpack(value)).toString('hex')).toBe(flytekitHex('msgpack', name));
  });

  it('covers every msgpack case of flytekit-goldens.json; -0.0 keeps its sign both ways; str32 and array32 too', () => {
    expect(msgpackCases.map(([name]) => name).sort()).toEqual(Object.keys(FLYTEKIT_GOLDENS.msgpack).sort());
    expect(Object.is(decodeMsgpack(encodeMsgpack(-0)), -0)).toBe(true);
    expect(Object.is((decodeMsgpack(encodeMsgpack({ z: -0 })) as { z: number }).z, -0)).toBe(true);
    const long = 'y'.repeat(70_000);
    expect(Buffer.from(encodeMsgpack(long)).subarray(0, 5).toString('hex')).toBe('db00011170');
    expect(decodeMsgpack(encodeMsgpack([long, Array(70_000).fill(0)]))).toEqual([long, Array(70_000).fill(0)]);
    expect(() => encodeMsgpack(2n ** 64n)).toThrow('does not fit a 64-bit msgpack integer');
  });
});

describe('round trips value → literal → bytes → value', () => {
  const roundTrip = async (value: unknown, type: FlyteType) => fromLiteral(wire(await toLiteral(value, type, ctx)), type, ctx);

  it.each<[string, unknown, FlyteType]>([
    ['int', 42, t.int()],
    ['negative int', -7, t.int()],
    ['float', 0.1, t.float()],
    ['integral float', 3, t.float()],
    ['float zero', 0, t.float()],
    ['string', 'hello, wörld', t.string()],
    ['empty string', '', t.string()],
    ['boolean false', false, t.boolean()],
    ['none', null, t.none()],
    ['list of lists', [[1, 2], [], [3]], t.list(t.list(t.int()))],
    ['map of lists', { a: [1.5], b: [] }, t.map(t.list(t.float()))],
    ['struct', { lr: 0.1, layers: [64, 32], name: 'mlp', nested: { ok: true, none: null } }, t.struct()],
    ['list of maps of structs', [{ first: { a: 1 }, second: { b: [true] } }, {}], t.list(t.map(t.struct()))],
    ['optional present', 2.5, t.optional(t.float())],
    ['optional absent', null, t.optional(t.float())],
    ['optional list', [1, 2], t.optional(t.list(t.int()))],
    ['optional struct', { a: 'b' }, t.optional(t.struct())],
    ['list of optionals', [1, null, 3], t.list(t.optional(t.int()))],
    ['enum', 'b', t.enum(['a', 'b'])],
    ['optional enum', 'a', t.optional(t.enum(['a', 'b']))],
    ['dataset', { uri: 's3://bucket/data/abc', format: 'parquet' }, t.structuredDataset({ format: 'parquet' })],
    ['remote blob', { uri: 's3://bucket/x/model.json', path: 's3://bucket/x/model.json' }, t.blob()],
  ])('%s', async (_name, value, type) => {
    if (type.kind === 'blob') {
      expect(
        await fromLiteral(await toLiteral(value, type, ctx), type, { ...ctx, storage: { ...ctx.storage, copyTo: () => Promise.resolve() } }),
      ).toMatchObject({ uri: (value as { uri: string }).uri });
      return;
    }
    expect(await roundTrip(value, type)).toEqual(value);
  });

  it('keeps datetimes (UTC, millisecond precision) and durations (milliseconds)', async () => {
    const date = new Date('1969-07-20T20:17:40.123Z');
    expect(await roundTrip(date, t.datetime())).toEqual(date);
    expect(await roundTrip('2024-05-01T12:00:00+02:00', t.datetime())).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(await roundTrip(1234.5, t.duration())).toBe(1234.5);
    expect(await roundTrip(-250, t.duration())).toBe(-250);
  });

  it("reads a naive ISO date-time as UTC, as flytekit does (not in the machine's time zone), given or in msgpack", async () => {
    expect(await roundTrip('2024-01-02T03:04:05', t.datetime())).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect(await roundTrip('2024-01-02 03:04:05.250', t.datetime())).toEqual(new Date('2024-01-02T03:04:05.250Z'));
    const packed = { scalar: { binary: { value: encodeMsgpack('2024-01-02T03:04:05'), tag: 'msgpack' } } };
    expect(await fromLiteral(packed, t.datetime(), ctx)).toEqual(new Date('2024-01-02T03:04:05Z'));
  });

  it('gives ints beyond 2^53 back as bigints, and safe ones as numbers', async () => {
    expect(await roundTrip(2n ** 62n, t.int())).toBe(2n ** 62n);
    expect(await roundTrip(-(2n ** 63n), t.int())).toBe(-(2n ** 63n));
    expect(await roundTrip(12n, t.int())).toBe(12);
    expect(await roundTrip(Number.MAX_SAFE_INTEGER, t.int())).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('decodes a struct JSON Schema type like an untyped one', async () => {
    const type = t.struct({ title: 'Config', type: 'object' });
    expect(await roundTrip({ lr: 0.5 }, type)).toEqual({ lr: 0.5 });
  });

  it('encodes struct values as JSON would: Dates to strings, undefined dropped, toJSON honoured', async () => {
    const value = { when: new Date('2024-01-01T00:00:00Z'), skip: undefined, list: [undefined, 1], custom: { toJSON: () => 'custom' } };
    expect(await roundTrip(value, t.struct())).toEqual({ when: '2024-01-01T00:00:00.000Z', list: [null, 1], custom: 'custom' });
  });
});

describe('corrupt bytes name the innermost variable (a non-retried type error, not a crash)', () => {
  const bad = { scalar: { binary: { value: new Uint8Array([0xc1]), tag: 'msgpack' } } };
  it.each([
    ['an optional', bad, t.optional(t.int()), "variable 'v': cannot decode a binary literal"],
    ['a list item', { collection: { literals: [bad] } }, t.list(t.optional(t.float())), "variable 'v[0]': cannot decode a binary literal"],
    ['a map value', { map: { literals: { k: bad } } }, t.map(t.struct()), 'variable \'v["k"]\': expected struct, got msgpack bytes that do not decode'],
  ])('in %s', async (_what, literal, type, message) => {
    await expect(fromLiteral(literal, type, ctx, 'v')).rejects.toMatchObject({
      code: 'FLYTE_TYPE_MISMATCH',
      message: expect.stringContaining(message) as string,
    });
  });
});

describe('fromLiteral accepts what other producers send', () => {
  it('an integer literal for a float, an integral float for an int', async () => {
    expect(await fromLiteral({ scalar: { primitive: { integer: Long.fromNumber(3) } } }, t.float(), ctx)).toBe(3);
    expect(await fromLiteral({ scalar: { primitive: { floatValue: 4 } } }, t.int(), ctx)).toBe(4);
    await expect(fromLiteral({ scalar: { primitive: { floatValue: 4.5 } } }, t.int(), ctx, 'n')).rejects.toThrow(
      "variable 'n': expected int, got a float literal 4.5",
    );
  });

  it('a scalar.generic Struct for a struct (the console and FLYTE_USE_OLD_DC_FORMAT)', async () => {
    const literal = { scalar: { generic: toStruct({ a: 1, b: [true, 'x'], c: { d: null } }) } };
    expect(await fromLiteral(wire(literal), t.struct(), ctx)).toEqual({ a: 1, b: [true, 'x'], c: { d: null } });
  });

  it('a bare value or a bare none for an optional, and msgpack primitives resolved out of a struct', async () => {
    expect(await fromLiteral({ scalar: { primitive: { floatValue: 1.5 } } }, t.optional(t.float()), ctx)).toBe(1.5);
    expect(await fromLiteral({ scalar: { noneType: {} } }, t.optional(t.float()), ctx)).toBeNull();
    const packed = (value: unknown) => ({ scalar: { binary: { value: encodeMsgpack(value), tag: 'msgpack' } } });
    expect(await fromLiteral(packed(5), t.int(), ctx)).toBe(5);
    expect(await fromLiteral(packed('x'), t.string(), ctx)).toBe('x');
    expect(await fromLiteral(packed([1, 2]), t.list(t.int()), ctx)).toEqual([1, 2]);
  });

  it('an offloaded literal', async () => {
    const uri = join(root, 'offloaded', 'o0_offloaded_metadata.pb');
    await ctx.storage.write(uri, flyteidl.core.Literal.encode({ scalar: { primitive: { stringValue: 'big' } } }).finish());
    expect(await fromLiteral({ offloadedMetadata: { uri, sizeBytes: Long.fromNumber(10) } }, t.string(), ctx)).toBe('big');
  });

  it('a union holding none, whatever the tag', async () => {
    expect(await fromLiteral({ scalar: { union: { value: { scalar: { noneType: {} } }, type: { simple: 0 } } } }, t.optional(t.int()), ctx)).toBeNull();
  });
});

describe('errors name the variable, the expected type and what was given', () => {
  const types = { epochs: t.int(), rates: t.list(t.float()), name: t.optional(t.string()) };

  it('a value of the wrong type', async () => {
    await expect(toLiteralMap({ epochs: 2.5, rates: [] }, types, ctx)).rejects.toThrow("variable 'epochs': expected int, got 2.5");
    await expect(toLiteralMap({ epochs: 1, rates: [0.1, 'a'] }, types, ctx)).rejects.toThrow(`variable 'rates[1]': expected float, got "a"`);
    await expect(toLiteral(3, t.string(), ctx)).rejects.toThrow('value: expected string, got 3');
    await expect(toLiteral({ a: 1 }, t.list(t.int()), ctx, 'xs')).rejects.toThrow(`variable 'xs': expected list<int>, got {"a":1}`);
    await expect(toLiteral([1], t.struct(), ctx, 'cfg')).rejects.toMatchObject({
      code: 'FLYTE_TYPE_MISMATCH',
      message: "variable 'cfg': expected struct, got [1]",
    });
    await expect(toLiteral('c', t.enum(['a', 'b']), ctx, 'e')).rejects.toThrow(`variable 'e': expected enum('a', 'b'), got "c"`);
    await expect(toLiteral(2 ** 60, t.int(), ctx, 'big')).rejects.toMatchObject({ hint: 'integers beyond 2^53 must be passed as a bigint' });
    await expect(toLiteral({ uri: 1 }, t.blob(), ctx, 'f')).rejects.toThrow(`variable 'f': expected file, got {"uri":1}`);
    await expect(toLiteral({ a: () => 1 }, t.struct(), ctx, 'cfg')).rejects.toThrow(/variable 'cfg.a': expected struct/);
  });

  it('a missing variable (optional ones may be left out) and an unknown one', async () => {
    const error = await toLiteralMap({ rates: [] }, types, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlyteTypeError);
    expect(error).toMatchObject({ code: 'FLYTE_VALUE_MISSING', variable: 'epochs', message: "missing variable 'epochs': expected int" });
    const map = await toLiteralMap({ epochs: 1, rates: [] }, types, ctx);
    expect(await fromLiteralMap(wire({ map }).map!, types, ctx)).toEqual({ epochs: 1, rates: [], name: null });
    await expect(toLiteralMap({ epochs: 1, rates: [], lr: 0.1 }, types, ctx)).rejects.toMatchObject({
      code: 'FLYTE_TYPE_MISMATCH',
      message: "unknown variable 'lr' (a value was given for it); expected: epochs: int, rates: list<float>, name: optional<string>",
    });
    await expect(fromLiteralMap({ literals: { name: { scalar: { noneType: {} } } } }, types, ctx)).rejects.toMatchObject({
      code: 'FLYTE_VALUE_MISSING',
      message: "missing variable 'epochs': expected int",
    });
  });

  it('a literal of the wrong kind', async () => {
    await expect(fromLiteral({ scalar: { primitive: { stringValue: 'x' } } }, t.int(), ctx, 'epochs')).rejects.toThrow(
      `variable 'epochs': expected int, got a string literal "x"`,
    );
    await expect(fromLiteral({ collection: { literals: [] } }, t.struct(), ctx, 'cfg')).rejects.toThrow(
      "variable 'cfg': expected struct, got a collection literal of 0",
    );
    await expect(fromLiteral({ scalar: { binary: { value: new Uint8Array([1]), tag: 'pickle' } } }, t.struct(), ctx, 'cfg')).rejects.toMatchObject({
      code: 'FLYTE_TYPE_UNSUPPORTED',
    });
    await expect(fromLiteral({ scalar: { primitive: { stringValue: 'c' } } }, t.enum(['a']), ctx, 'e')).rejects.toThrow(
      `variable 'e': expected enum('a'), got "c"`,
    );
  });
});

describe('blobs', () => {
  it('uploads a local file to <rawOutputPrefix>/<random>/<name> and uses local URIs in place when reading', async () => {
    const source = join(root, 'model.json');
    await writeFile(source, '{"w": [1, 2]}');
    const literal = wire(await toLiteral({ uri: source }, t.blob({ format: 'json' }), ctx));
    const blob = literal.scalar!.blob!;
    expect(blob.metadata?.type?.format).toBe('json');
    expect(blob.uri).toMatch(new RegExp(`^${ctx.rawOutputPrefix}/[0-9a-f]{32}/model\\.json$`));
    expect(await readFile(blob.uri!, 'utf8')).toBe('{"w": [1, 2]}');
    expect(await fromLiteral(literal, t.blob(), ctx)).toEqual({ uri: blob.uri, path: blob.uri });
    const fromUrl = wire(await toLiteral(`file://${source}`, t.blob(), ctx));
    expect(fromUrl.scalar!.blob!.uri).toMatch(/\/model\.json$/);
  });

  it('uploads a folder for a multipart blob, and rejects a folder for a file and a missing path', async () => {
    const folder = join(root, 'checkpoint');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'a.bin'), 'A');
    await writeFile(join(folder, 'sub', 'b.bin'), 'B');
    const literal = wire(await toLiteral({ path: folder }, t.blob({ multipart: true }), ctx));
    expect(literal.scalar!.blob!.metadata!.type!.dimensionality).toBe(flyteidl.core.BlobType.BlobDimensionality.MULTIPART);
    const uri = literal.scalar!.blob!.uri!;
    expect(await ctx.storage.list(`${uri}/`)).toEqual([joinUri(uri, 'a.bin'), joinUri(uri, 'sub/b.bin')]);
    await expect(toLiteral({ uri: folder }, t.blob(), ctx, 'f')).rejects.toMatchObject({ hint: 'declare t.blob({ multipart: true }) for a folder' });
    await expect(toLiteral({ uri: join(root, 'nope.bin') }, t.blob(), ctx, 'f')).rejects.toThrow(
      `variable 'f': expected file, got ${join(root, 'nope.bin')}, which does not exist`,
    );
  });

  it('downloads remote blobs (single and multipart) to the work dir', async () => {
    const files: Record<string, string> = { 'mem://b/dir/x.txt': 'x', 'mem://b/dir/deep/y.txt': 'y', 'mem://b/file.txt': 'f' };
    const storage = {
      ...ctx.storage,
      list: (prefix: string) =>
        Promise.resolve(
          Object.keys(files)
            .filter((k) => k.startsWith(prefix))
            .sort(),
        ),
      copyTo: async (uri: string, local: string) => {
        await mkdir(join(local, '..'), { recursive: true });
        await writeFile(local, files[uri]!);
      },
    };
    const single = (await fromLiteral({ scalar: { blob: { uri: 'mem://b/file.txt', metadata: { type: {} } } } }, t.blob(), { ...ctx, storage })) as {
      path: string;
    };
    expect(single.path.startsWith(ctx.workDir)).toBe(true);
    expect(await readFile(single.path, 'utf8')).toBe('f');
    const dir = (await fromLiteral({ scalar: { blob: { uri: 'mem://b/dir', metadata: { type: { dimensionality: 1 } } } } }, t.blob({ multipart: true }), {
      ...ctx,
      storage,
    })) as { path: string };
    expect(await readFile(join(dir.path, 'deep', 'y.txt'), 'utf8')).toBe('y');
  });
});

describe('structured datasets', () => {
  it('are references: {uri, format} with the declared columns; the declared format wins unless generic', async () => {
    const type = t.structuredDataset({ format: 'parquet', columns: [{ name: 'x', type: t.float() }] });
    const literal = wire(await toLiteral({ uri: 's3://b/d/abc', format: 'csv' }, type, ctx));
    const dataset = literal.scalar!.structuredDataset!;
    expect(dataset.uri).toBe('s3://b/d/abc');
    expect(dataset.metadata!.structuredDatasetType!.format).toBe('parquet');
    expect(dataset.metadata!.structuredDatasetType!.columns![0]!.name).toBe('x');
    expect(await fromLiteral(literal, type, ctx)).toEqual({ uri: 's3://b/d/abc', format: 'parquet' });
    const generic = wire(await toLiteral({ uri: 's3://b/d/abc', format: 'csv' }, t.structuredDataset(), ctx));
    expect(generic.scalar!.structuredDataset!.metadata!.structuredDatasetType!.format).toBe('csv');
  });

  it('structuredDatasetFiles lists data files, skipping _ and . names, or the uri itself for a file', async () => {
    const dir = join(root, 'dataset');
    await mkdir(dir, { recursive: true });
    for (const name of ['00000', '00001', '_SUCCESS', '.00000.crc']) await writeFile(join(dir, name), name);
    expect(await structuredDatasetFiles(dir, ctx.storage)).toEqual([join(dir, '00000'), join(dir, '00001')]);
    expect(await structuredDatasetFiles(join(dir, '00000'), ctx.storage)).toEqual([join(dir, '00000')]);
    expect(await structuredDatasetFiles(join(root, 'missing'), ctx.storage)).toEqual([]);
  });

  const rows: TypeTransformer = {
    name: 'test-rows',
    async toLiteral(value, _type, c) {
      const rows = value as Record<string, number>[];
      const uri = joinUri(c.rawOutputPrefix, 'rows-dataset');
      await c.storage.write(joinUri(uri, '00000'), [Object.keys(rows[0]!).join(','), ...rows.map((row) => Object.values(row).join(','))].join('\n'));
      return { scalar: { structuredDataset: { uri, metadata: { structuredDatasetType: { format: 'csv' } } } } };
    },
    async fromLiteral(literal, _type, c) {
      const [file] = await structuredDatasetFiles(literal.scalar!.structuredDataset!.uri!, c.storage);
      const [header, ...lines] = new TextDecoder().decode(await c.storage.read(file!)).split('\n');
      const names = header!.split(',');
      return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i]!, Number(cell)])));
    },
  };

  it("a transformer of the context's transformers converts values (here: rows ↔ a CSV file in flytekit layout)", async () => {
    const withRows: LiteralContext = { ...ctx, transformers: typeTransformers(rows) };
    const type: FlyteType = { kind: 'structuredDataset', format: 'csv', transformer: 'test-rows' };
    const values = [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ];
    expect(await fromLiteral(wire(await toLiteral(values, type, withRows)), type, withRows)).toEqual(values);
    // also inside a list and an optional, in a LiteralMap
    const types = { frames: t.list(type), maybe: t.optional(type) };
    const map = await toLiteralMap({ frames: [values], maybe: values }, types, withRows);
    expect(await fromLiteralMap(wire({ map }).map!, types, withRows)).toEqual({ frames: [values], maybe: values });
    await expect(toLiteral(values, { kind: 'structuredDataset', transformer: 'nope' }, withRows, 'df')).rejects.toMatchObject({
      code: 'FLYTE_TYPE_UNSUPPORTED',
      kind: 'app',
      variable: 'df',
      message: "variable 'df': no type transformer named 'nope' in the context (its transformers: 'test-rows')",
      hint: "pass it in the context's transformers (e.g. executeTask(..., { transformers: typeTransformers(myTransformer) }))",
    });
    const broken = typeTransformers({ name: 'broken', toLiteral: () => Promise.reject(new Error('disk full')), fromLiteral: () => Promise.resolve(null) });
    await expect(toLiteral(values, { kind: 'structuredDataset', transformer: 'broken' }, { ...ctx, transformers: broken }, 'df')).rejects.toThrow(
      "variable 'df': the 'broken' transformer failed: disk full",
    );
  });

  it('a type that names a transformer fails without one in the context, naming the variable and the transformer', async () => {
    const type: FlyteType = { kind: 'structuredDataset', format: 'csv', transformer: 'test-rows' };
    const error = await toLiteralMap({ df: [] }, { df: type }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlyteTypeError);
    expect(error).toMatchObject({
      code: 'FLYTE_TYPE_UNSUPPORTED',
      variable: 'df',
      message: "variable 'df': no type transformer named 'test-rows' in the context (its transformers: none)",
    });
    expect((error as FlyteTypeError).hint).toContain('typeTransformers(myTransformer)');
    const literal = { scalar: { structuredDataset: { uri: 's3://b/x', metadata: { structuredDatasetType: { format: 'csv' } } } } };
    await expect(fromLiteral(literal, t.list(type), ctx, 'frames')).rejects.toThrow(/^variable 'frames': expected list/);
    await expect(fromLiteral({ collection: { literals: [literal] } }, t.list(type), ctx, 'frames')).rejects.toThrow(
      "variable 'frames[0]': no type transformer named 'test-rows' in the context",
    );
  });

  it('typeTransformers refuses nameless, incomplete and duplicate transformers with FLYTE_TRANSFORMER_INVALID', () => {
    expect([...typeTransformers().keys()]).toEqual([]);
    expect(typeTransformers(rows).get('test-rows')).toBe(rows);
    expect(() => typeTransformers({ ...rows, name: '' })).toThrow(
      expect.objectContaining({ code: 'FLYTE_TRANSFORMER_INVALID', kind: 'app', message: 'type transformer 0 has no name' }),
    );
    expect(() => typeTransformers(rows, { name: 'half' } as TypeTransformer)).toThrow(
      expect.objectContaining({ code: 'FLYTE_TRANSFORMER_INVALID', message: "type transformer 'half' needs a toLiteral and a fromLiteral function" }),
    );
    expect(() => typeTransformers(rows, { ...rows })).toThrow(
      expect.objectContaining({ code: 'FLYTE_TRANSFORMER_INVALID', message: "two type transformers are named 'test-rows'" }),
    );
  });
});
