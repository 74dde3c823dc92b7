import { DataFrame } from '@unionml/data';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Dataset } from './dataset.js';
import { frame } from './test-support/fixtures.js';
import type { NoArgs } from './types.js';

describe('Dataset defaults (tabular)', () => {
  it('has Python UnionML defaults', () => {
    const d = new Dataset();
    expect([d.name, d.testSize, d.shuffle, d.randomState, d.features, d.targets]).toEqual(['dataset', 0.2, true, 12345, [], []]);
  });

  it('splits ceil(testSize * n) rows and parses features and targets', async () => {
    const d = new Dataset({ targets: ['y'], randomState: 123 });
    const { train, test, featureSchema } = await d.getData(frame());
    expect(train[0].shape).toEqual([80, 3]);
    expect(test![0].shape).toEqual([20, 3]);
    expect(train[0].columns).toEqual(['x', 'x2', 'noise']);
    expect(train[1].columns).toEqual(['y']);
    expect(featureSchema).toEqual([
      { name: 'x', type: 'number' },
      { name: 'x2', type: 'number' },
      { name: 'noise', type: 'number' },
    ]);
  });

  it('honours features when targets are set (Python UnionML ignored them)', async () => {
    const d = new Dataset({ features: ['x'], targets: ['y'] });
    const { train } = await d.getData(frame());
    expect(train[0].columns).toEqual(['x']);
  });

  it('coerces records from the reader to a DataFrame', async () => {
    const d = new Dataset({ targets: ['y'] });
    const data = await d.load(frame(10).toRecords());
    expect(DataFrame.isDataFrame(data)).toBe(true);
  });

  it('applies splitter and parser overrides, and rejects keys the defaults do not take', async () => {
    const d = new Dataset({ targets: ['y'] });
    const { train, test } = await d.getData(frame(), { splitterKwargs: { testSize: 0.5, shuffle: false }, parserKwargs: { features: ['noise'] } });
    expect(test![0].toVector('noise')).toEqual(
      frame()
        .take(Array.from({ length: 50 }, (_, i) => 50 + i))
        .toVector('noise'),
    );
    expect(train[0].columns).toEqual(['noise']);
    await expect(d.getData(frame(), { splitterKwargs: { test_size: 0.5 } })).rejects.toThrow(/unknown key 'test_size'/);
    await expect(d.getData(frame(), { loaderKwargs: { head: 3 } })).rejects.toThrow(/the default loader takes no arguments/);
  });

  it('gives an empty target frame for unlabeled data', async () => {
    const d = new Dataset({ targets: ['y'] });
    const [features, target] = await d.parse(frame(5).drop(['y']));
    expect(features.columns).toEqual(['x', 'x2', 'noise']);
    expect(target.shape).toEqual([0, 0]);
  });

  it('stratifies on the target (stratify: true) or a column, as scikit-learn does, also as a splitter argument', async () => {
    const labels = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 'rare' : 'common'));
    const data = DataFrame.fromColumns({ x: labels.map((_, i) => i), label: labels });
    const count = (frame: DataFrame, value: string) => frame.column('label').filter((v) => v === value).length;
    const d = new Dataset({ targets: ['label'], stratify: true, testSize: 0.2 });
    const { test } = await d.getData(data);
    expect(count(test![1], 'rare')).toBe(2); // 10 rare rows: 20% of them
    const plain = new Dataset({ targets: ['label'], testSize: 0.2 });
    const viaKwargs = await plain.getData(data, { splitterKwargs: { stratify: 'label' } });
    expect(viaKwargs.test![0].column('x')).toEqual(test![0].column('x'));
    expect(() => new Dataset({ targets: ['a', 'b'], stratify: true })).toThrow('stratify: true stratifies on the target column, but the dataset has 2 targets');
  });

  it('names missing feature columns of the data', async () => {
    const d = new Dataset({ features: ['x', 'nope'], targets: ['y'] });
    await expect(d.getData(frame())).rejects.toMatchObject({
      code: 'DATASET_COLUMNS_MISSING',
      message: "the feature column 'nope' of dataset 'dataset' is not in the data; it has: x, x2, noise, y",
    });
  });
});

describe('Dataset components', () => {
  it('returns the registered function, in plain and options forms', () => {
    const d = new Dataset();
    const reader = () => frame();
    expect(d.reader(reader)).toBe(reader);
    expect(d.reader({ cache: true, cacheVersion: '1', retries: 2 })(reader)).toBe(reader);
    expect(d.taskOptions.reader).toEqual({ cache: true, cacheVersion: '1', retries: 2 });
    expect(() => d.reader(42 as never)).toThrow('dataset.reader(...) expects a function, or an options object then a function; got a number');
  });

  it('validates reader arguments against their schema', async () => {
    const d = new Dataset({ readerArgs: z.object({ n: z.int().min(1) }) });
    d.reader(({ n }) => frame(n));
    expect((await d.read({ n: 5 })) as DataFrame).toHaveLength(5);
    await expect(d.read({ n: 'five' })).rejects.toThrow(/invalid reader arguments for dataset 'dataset':\n {2}- 'n': .*\nexpected: \{ n: integer \(>= 1\) \}/);
    await expect(d.read({ n: 5, m: 1 })).rejects.toThrow(/unknown key 'm'/);
    await expect(d.read({ N: 5 })).rejects.toThrow("unknown key 'N' (did you mean 'n'?)");
  });

  it('refuses reader arguments for a reader that declares none, and passes them to one that takes a parameter', async () => {
    const none = new Dataset({ name: 'digits' });
    none.reader(() => frame(3));
    await expect(none.read({ file: 'x' })).rejects.toMatchObject({
      code: 'ARGUMENTS_INVALID',
      message: expect.stringContaining("unknown key 'file' (the reader takes no arguments)") as string,
    });
    const untyped = new Dataset<{ n?: number }>();
    untyped.reader((args) => frame(args.n ?? 2));
    expect(await untyped.read({ n: 4 })).toHaveLength(4);
  });

  it('says when the reader is missing or returns nothing', async () => {
    const d = new Dataset();
    await expect(d.read()).rejects.toThrow("dataset 'dataset' has no reader");
    d.reader(() => undefined as never);
    await expect(d.read()).rejects.toThrow('returned undefined');
  });

  it('runs a custom loader with its kwargs', async () => {
    const d = new Dataset<NoArgs, { raw: string }>({ targets: ['y'] });
    d.loader((raw: string, kwargs: { head?: number }) => DataFrame.fromRecords(JSON.parse(raw) as Record<string, unknown>[]).head(kwargs.head ?? 100));
    const { train, test } = await d.getData(JSON.stringify(frame().toRecords()), { loaderKwargs: { head: 10 } });
    expect(train[0].length + test![0].length).toBe(10);
  });

  it('supports non-tabular data with a custom splitter and parser (records, as Python UnionML tests)', async () => {
    type Rec = { x: number; y: number };
    const d = new Dataset<NoArgs, { data: Rec[]; parsed: [number[], number[]] }>({ tabular: false });
    d.reader(() => Array.from({ length: 100 }, (_, i) => ({ x: i, y: 2 * i })));
    d.splitter((data, { testSize }) => [data.slice(0, data.length * (1 - testSize)), data.slice(data.length * (1 - testSize))]);
    d.parser((data) => [data.map((r) => r.x), data.map((r) => r.y)]);
    const { train, test } = await d.getData(await d.read());
    expect(train[0]).toHaveLength(80);
    expect(test![1][0]).toBe(160);
  });

  it('gives non-tabular data one split and passes features through', async () => {
    const d = new Dataset<NoArgs, { data: number[][] }>({ tabular: false });
    const splits = await d.getData([[1], [2]]);
    expect(splits.test).toBeUndefined();
    expect(splits.train).toEqual([[[1], [2]]]);
    expect(await d.getFeatures([[3]])).toEqual([[3]]);
  });

  it('rejects a splitter that returns no splits and a parser that returns no tuple', async () => {
    const d = new Dataset({ targets: ['y'] });
    d.splitter(() => []);
    await expect(d.getData(frame())).rejects.toThrow('must return [train] or [train, test], got an array of 0');
    const p = new Dataset({ targets: ['y'] });
    p.parser(() => 'x' as never);
    await expect(p.getData(frame())).rejects.toThrow('must return an array with the features at index 0');
  });

  it('says how to declare non-tabular data when the reader returns something else', async () => {
    const d = new Dataset();
    await expect(d.load('text' as never)).rejects.toMatchObject({ code: 'DATA_INVALID', hint: expect.stringContaining('set tabular: false') as string });
  });
});

describe('feature loading and transforming', () => {
  it('applies the feature transformer exactly once in training and in prediction', async () => {
    const d = new Dataset({ features: ['x'], targets: ['y'] });
    let calls = 0;
    d.featureTransformer((f) => {
      calls++;
      return f.assign(
        'x',
        f.toVector('x').map((v) => v / 100),
      );
    });
    const { train, test } = await d.getData(frame());
    expect(calls).toBe(2); // once per split
    expect(Math.max(...train[0].toVector('x'), ...test![0].toVector('x'))).toBeLessThan(1);
    calls = 0;
    const features = await d.getFeatures([{ x: 50 }]);
    expect(calls).toBe(1);
    expect(features.toVector('x')).toEqual([0.5]);
  });

  it('runs a custom feature loader (JSON text to DataFrame) then the transformer', async () => {
    const d = new Dataset<NoArgs, { rawFeatures: string }>({ targets: ['y'] });
    d.featureLoader((raw) => DataFrame.fromRecords(JSON.parse(raw) as Record<string, unknown>[]));
    d.featureTransformer((f) =>
      f.assign(
        'x',
        f.toVector('x').map((v) => v * 10),
      ),
    );
    expect((await d.getFeatures('[{"x": 1}]')).toRecords()).toEqual([{ x: 10 }]);
  });

  it('checks request columns against the declared features', async () => {
    const d = new Dataset({ features: ['x', 'x2'], targets: ['y'] });
    expect((await d.getFeatures([{ x2: 2, x: 1 }])).columns).toEqual(['x', 'x2']);
    expect((await d.getFeatures([{ x: 1, x2: 2, y: 0 }])).columns).toEqual(['x', 'x2']); // targets are ignored
    await expect(d.getFeatures([{ x: 1 }])).rejects.toMatchObject({ code: 'DATA_COLUMNS_MISSING', message: 'missing column x2 in the features; present: x' });
    await expect(d.getFeatures([{ x: 1, x2: 2, z: 3 }])).rejects.toMatchObject({
      code: 'DATA_COLUMNS_UNEXPECTED',
      message: 'unexpected column z in the features; expected: x, x2',
    });
    await expect(d.getFeatures([{ a: 1 }])).rejects.toMatchObject({
      code: 'DATA_COLUMNS_MISSING',
      message: 'missing columns x, x2 in the features; present: a',
    });
    await expect(d.getFeatures([{ x: 1, x2: 2 }, { x: 1 }])).rejects.toMatchObject({ message: 'missing column x2 in record 1 of the features; present: x' });
    await expect(d.getFeatures([{ x: 1, x2: 2 }, 7] as never)).rejects.toMatchObject({
      code: 'DATA_INVALID',
      message: 'record 1 is a number, expected an object of column values',
    });
    // A DataFrame is taken as df[features]: its other columns (ids, dates, metadata) are left out; JSON columns are strict.
    expect((await d.getFeatures(DataFrame.fromRecords([{ x: 1, x2: 2, q: '2024-01-02' }]))).toRecords()).toEqual([{ x: 1, x2: 2 }]);
    await expect(d.getFeatures(DataFrame.fromRecords([{ x: 1, q: 1 }]))).rejects.toMatchObject({ code: 'DATA_COLUMNS_MISSING' });
    await expect(d.getFeatures({ x2: [2], x: [1], q: [1] })).rejects.toMatchObject({ code: 'DATA_COLUMNS_UNEXPECTED' });
    expect((await d.getFeatures({ x2: [2], x: [1] })).toRecords()).toEqual([{ x: 1, x2: 2 }]);
    await expect(d.getFeatures([])).rejects.toThrow('the features have no records');
    await expect(d.getFeatures('nope' as never)).rejects.toMatchObject({ code: 'DATA_INVALID' });
  });

  it('uses the training feature schema when no features are declared, and checks types', async () => {
    const d = new Dataset({ targets: ['y'] });
    const featureSchema = [
      { name: 'a', type: 'number' as const },
      { name: 'b', type: 'string' as const },
    ];
    expect((await d.getFeatures([{ a: 1, b: 'x' }], { featureSchema })).columns).toEqual(['a', 'b']);
    await expect(d.getFeatures([{ a: 'one', b: 'x' }], { featureSchema })).rejects.toMatchObject({
      code: 'DATA_NOT_NUMERIC',
      message: `column 'a' row 0 is not a finite number: "one"`,
    });
    await expect(d.getFeatures([{ a: 1 }], { featureSchema })).rejects.toMatchObject({ code: 'DATA_COLUMNS_MISSING' });
    await expect(d.getFeatures([{ a: 1, b: { deep: true } }], { featureSchema })).rejects.toMatchObject({
      code: 'DATA_INVALID',
      message: "column 'b' row 0 holds an object; cells must be numbers, strings, booleans or null",
    });
    await expect(d.getFeatures([{ a: 1, b: 2 }], { featureSchema })).rejects.toMatchObject({
      code: 'DATA_WRONG_TYPE',
      message: "column 'b' row 0 should be a string, got 2",
    });
    expect((await d.getFeatures([{ a: 1, b: null }], { featureSchema })).toRecords()).toEqual([{ a: 1, b: null }]);
  });

  it('reads the usual request fast and anything else as before: same frames, same errors', async () => {
    const d = new Dataset({ features: ['x', 'x2'], targets: ['y'] });
    // The usual request (every column, numbers, in any order) and the unusual ones the checked path reads.
    const frames = [
      [
        { x2: 2, x: 1 },
        { x: 3, x2: 4 },
      ],
      [
        { x: 1, x2: 2, y: 0 },
        { x: 3, x2: 4 },
      ], // a target column, left out
      [
        { x: 1, x2: 2 },
        { x: 3, x2: 4, y: 1 },
      ],
      JSON.parse('[{"x": 1, "x2": 2}, {"x": 3, "x2": 4}]') as Record<string, number>[],
    ];
    for (const records of frames) {
      const features = await d.getFeatures(records);
      expect(features.columns).toEqual(['x', 'x2']);
      expect(features.toMatrix()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect(features.column('x2')).toEqual([2, 4]);
    }
    // Without a recorded type, a column takes strings and nulls too (the checked path).
    expect((await d.getFeatures([{ x: 'a', x2: null }])).toRecords()).toEqual([{ x: 'a', x2: null }]);
    // Keys that are not own plain keys: a record's __proto__ key (JSON.parse makes it an own key) is an unknown column.
    await expect(d.getFeatures(JSON.parse('[{"x": 1, "x2": 2, "__proto__": 3}]') as never)).rejects.toMatchObject({ code: 'DATA_COLUMNS_UNEXPECTED' });
    // A key present with undefined (from code, not JSON) is a null there, as before.
    expect(
      (
        await d.getFeatures([
          { x: 1, x2: 2 },
          { x: 1, x2: undefined },
        ])
      ).toRecords(),
    ).toEqual([
      { x: 1, x2: 2 },
      { x: 1, x2: null },
    ]);
    await expect(d.getFeatures([[1, 2]] as never)).rejects.toMatchObject({ code: 'DATA_INVALID', message: /record 0 is an array/ });

    // Typed columns of several types: strings, booleans and numbers in the column arrays.
    const featureSchema = [
      { name: 'n', type: 'number' as const },
      { name: 's', type: 'string' as const },
      { name: 'b', type: 'boolean' as const },
    ];
    const typed = new Dataset({ targets: ['y'] });
    expect((await typed.getFeatures([{ b: true, s: 'x', n: 1.5 }], { featureSchema })).toRecords()).toEqual([{ n: 1.5, s: 'x', b: true }]);
    expect((await typed.getFeatures([{ n: 1, s: null, b: null }], { featureSchema })).toRecords()).toEqual([{ n: 1, s: null, b: null }]);
    await expect(typed.getFeatures([{ n: 1, s: 'x', b: 'yes' }], { featureSchema })).rejects.toMatchObject({ code: 'DATA_WRONG_TYPE' });
    await expect(typed.getFeatures([{ n: Number.POSITIVE_INFINITY, s: 'x', b: true }], { featureSchema })).rejects.toMatchObject({
      code: 'DATA_NOT_NUMERIC',
    });
  });

  it('reads columns whose names are not identifiers', async () => {
    const columns = ['a b', "it's", 'quote"d', 'back\\slash', 'line\u2028sep', '__proto__', 'constructor', '0'];
    const d = new Dataset({ features: columns });
    const record = JSON.parse(JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, i])))) as Record<string, number>;
    const features = await d.getFeatures([record, record]);
    expect(features.toMatrix()).toEqual([columns.map((_, i) => i), columns.map((_, i) => i)]);
  });
});
