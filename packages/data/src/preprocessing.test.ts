import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DataFrame, type Scalar } from './dataframe.js';
import {
  ColumnTypeError,
  ColumnsMissingError,
  DataOptionsError,
  InvalidDataError,
  NonNumericValueError,
  TransformerStateError,
  UnknownCategoryError,
} from './errors.js';
import {
  oneHotEncoder,
  pipeline,
  standardScaler,
  type AsyncFrameTransformer,
  type Category,
  type FrameTransformer,
  type OneHotEncoderState,
  type StandardScalerState,
} from './preprocessing.js';

interface ScalerGolden {
  name: string;
  withMean: boolean;
  withStd: boolean;
  columns: string[];
  train: (number | null)[][];
  test: (number | null)[][];
  mean: number[] | null;
  scale: number[] | null;
  trainOut: (number | null)[][];
  testOut: (number | null)[][];
}

interface EncoderGolden {
  name: string;
  kind: string;
  handleUnknown: 'error' | 'ignore';
  train: Category[];
  test: Category[];
  categories: Category[];
  featureNames: string[];
  jsFeatureNames: string[];
  trainOut: number[][];
  testOut?: number[][];
  testError?: string;
}

const goldens = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/preprocessing.json'), 'utf8')) as {
  versions: { sklearn: string };
  standardScaler: ScalerGolden[];
  oneHotEncoder: EncoderGolden[];
};

const frame = (columns: readonly string[], rows: readonly (readonly Scalar[])[]) => DataFrame.fromRows(rows, columns);

/**
 * `actual` equals scikit-learn's values exactly, null for NaN: the same float operations in the same order (sums
 * row by row, the corrected two-pass variance, `(x - mean) / scale`) give the same bits. scikit-learn sums a
 * column-major array pairwise, which may differ in the last bits: the goldens are fitted on a C-ordered array.
 */
function expectSame(actual: readonly Scalar[], expected: readonly (number | null)[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i], `${what}[${i}]`).toBe(expected[i]);
}

describe('standardScaler against scikit-learn StandardScaler (fixtures/preprocessing.json)', () => {
  it('has the three cases from scikit-learn 1.7', () => {
    expect(goldens.versions.sklearn).toMatch(/^1\.7\./);
    expect(goldens.standardScaler).toHaveLength(3);
  });

  it.each(goldens.standardScaler.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const scaler = standardScaler({ withMean: c.withMean, withStd: c.withStd });
    const train = frame(c.columns, c.train);
    const state = scaler.fit(train);
    expect(state.columns).toEqual(c.columns);
    if (c.withMean) expectSame(state.mean!, c.mean!, 'mean');
    else expect(state.mean).toBeNull();
    if (c.withStd) expectSame(state.scale!, c.scale!, 'scale');
    else expect(state.scale).toBeNull();
    // The constant-but-for-rounding column gets scale 1, as _is_constant_feature decides.
    if (c.withStd) expect(state.scale![c.columns.indexOf('const')]).toBe(1);
    for (const [input, output, name] of [
      [train, c.trainOut, 'train'],
      [frame(c.columns, c.test), c.testOut, 'test'],
    ] as const) {
      const out = scaler.transform(input, JSON.parse(JSON.stringify(state)) as StandardScalerState);
      expect(out.columns).toEqual(c.columns);
      c.columns.forEach((column, j) =>
        expectSame(
          out.column(column),
          output.map((row) => row[j]!),
          `${name} ${column}`,
        ),
      );
    }
  });
});

describe('standardScaler', () => {
  const df = DataFrame.fromRecords([
    { id: 'a', x: 1, flag: true, y: 10 },
    { id: 'b', x: 2, flag: false, y: 10 },
    { id: 'c', x: 3, flag: true, y: 10 },
    { id: 'd', x: 6, flag: false, y: 10 },
  ]);

  it('scales every numeric column by default, in place, and passes the others through', () => {
    const scaler = standardScaler();
    const state = scaler.fit(df);
    expect(state).toEqual({ columns: ['x', 'y'], mean: [3, 10], scale: [Math.sqrt(3.5), 1] });
    const out = scaler.transform(df, state);
    expect(out.columns).toEqual(['id', 'x', 'flag', 'y']);
    expect(out.column('id')).toEqual(['a', 'b', 'c', 'd']);
    expect(out.column('flag')).toEqual([true, false, true, false]);
    expect(out.column('x')).toEqual([-2, -1, 0, 3].map((v) => v / Math.sqrt(3.5)));
    // A zero-variance column: scale 1, so it becomes all zeros.
    expect(out.column('y')).toEqual([0, 0, 0, 0]);
    // The input frame is not modified.
    expect(df.column('x')).toEqual([1, 2, 3, 6]);
  });

  it('scales only the given columns; withMean and withStd turn the steps off', () => {
    expect(standardScaler({ columns: ['x'] }).fit(df)).toEqual({ columns: ['x'], mean: [3], scale: [Math.sqrt(3.5)] });
    const noMean = standardScaler({ columns: ['x'], withMean: false });
    expect(noMean.transform(df, noMean.fit(df)).column('x')).toEqual([1, 2, 3, 6].map((v) => v / Math.sqrt(3.5)));
    const noStd = standardScaler({ columns: ['x'], withStd: false });
    expect(noStd.fit(df)).toEqual({ columns: ['x'], mean: [3], scale: null });
    expect(noStd.transform(df, noStd.fit(df)).column('x')).toEqual([-2, -1, 0, 3]);
  });

  it('leaves nulls out of the fit and keeps them null, as scikit-learn does with NaN', () => {
    const scaler = standardScaler();
    const withNull = DataFrame.fromColumns({ x: [1, null, 3] });
    const state = scaler.fit(withNull);
    expect(state).toEqual({ columns: ['x'], mean: [2], scale: [1] });
    expect(scaler.transform(withNull, state).column('x')).toEqual([-1, null, 1]);
  });

  it('transforms one row and a frame with extra columns, in their order', () => {
    const scaler = standardScaler({ columns: ['x'] });
    const state = scaler.fit(df);
    const one = scaler.transform(DataFrame.fromRecords([{ z: 'q', x: 6 }]), state);
    expect(one.toRecords()).toEqual([{ z: 'q', x: 3 / Math.sqrt(3.5) }]);
  });

  it('names what is wrong: missing columns, non-numbers, no rows, no numbers', () => {
    const scaler = standardScaler({ columns: ['x', 'nope'] });
    expect(() => scaler.fit(df)).toThrow(ColumnsMissingError);
    expect(() => scaler.fit(df)).toThrow('missing column nope in the features of standardScaler; present: id, x, flag, y');
    expect(() => standardScaler({ columns: ['id'] }).fit(df)).toThrow(new NonNumericValueError('id', 0, 'a'));
    expect(() => standardScaler().fit(DataFrame.fromColumns({ x: [1, Number.POSITIVE_INFINITY] }))).toThrow(
      "column 'x' row 1 is not a finite number: Infinity",
    );
    expect(() => standardScaler().fit(DataFrame.empty(['x']))).toThrow('standardScaler cannot be fitted on features with no rows');
    expect(() => standardScaler().fit(DataFrame.fromColumns({ s: ['a'] }))).toThrow('standardScaler found no numeric column to scale among the features (s)');
    expect(() => standardScaler({ columns: ['x'] }).fit(DataFrame.fromColumns({ x: [null, null] }))).toThrow(InvalidDataError);
    const state = standardScaler().fit(df);
    expect(() => standardScaler().transform(df.drop(['y']), state)).toThrow('missing column y in the features of standardScaler');
    const bad = DataFrame.fromRecords([{ x: 'one', y: 1 }]);
    expect(() => standardScaler().transform(bad, state)).toThrow(`column 'x' row 0 is not a finite number: "one"`);
    expect(() => standardScaler().fit([{ x: 1 }] as never)).toThrow('standardScaler.fit takes a DataFrame, got an array');
  });

  it('refuses bad options and states with typed errors', () => {
    for (const options of [{ columns: [] }, { columns: 'x' }, { columns: ['x', 'x'] }, { withMean: 'yes' }, { with_mean: false }]) {
      expect(() => standardScaler(options as never), JSON.stringify(options)).toThrow(DataOptionsError);
    }
    const scaler = standardScaler();
    const state = scaler.fit(df);
    const bad: unknown[] = [
      null,
      [],
      { columns: 'x', mean: null, scale: null },
      { ...state, mean: [1] },
      { ...state, scale: [1, 0] },
      { ...state, columns: ['x', 'x'] },
      { columns: ['color'], categories: [['a']] },
    ];
    for (const s of bad) {
      const error = (() => {
        try {
          scaler.transform(df, s as StandardScalerState);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(s)).toBeInstanceOf(TransformerStateError);
      expect(error).toMatchObject({
        code: 'DATA_TRANSFORMER_STATE_INVALID',
        kind: 'state',
        message: expect.stringContaining('the fitted state of standardScaler is not valid') as string,
      });
    }
  });
});

describe('oneHotEncoder against scikit-learn OneHotEncoder (fixtures/preprocessing.json)', () => {
  it('has the cases', () => {
    expect(goldens.oneHotEncoder.length).toBeGreaterThanOrEqual(9);
  });

  it.each(goldens.oneHotEncoder.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const encoder = oneHotEncoder({ columns: ['x'], handleUnknown: c.handleUnknown });
    const state = encoder.fit(DataFrame.fromColumns({ x: c.train }));
    expect(state).toEqual({ columns: ['x'], categories: [c.categories] });
    const names = c.jsFeatureNames;
    // scikit-learn's names, but for JavaScript's spelling of numbers, booleans and null.
    if (c.kind === 'string' || c.kind === 'int') expect(names).toEqual(c.featureNames);
    const decode = (df: DataFrame) => df.toMatrix();
    const train = encoder.transform(DataFrame.fromColumns({ x: c.train }), JSON.parse(JSON.stringify(state)) as OneHotEncoderState);
    expect(train.columns).toEqual(names);
    expect(decode(train)).toEqual(c.trainOut);
    const test = () => encoder.transform(DataFrame.fromColumns({ x: c.test }), state);
    if (c.testError) {
      expect(c.testError).toMatch(/Found unknown categories/);
      expect(test).toThrow(UnknownCategoryError);
    } else {
      expect(decode(test())).toEqual(c.testOut);
    }
  });
});

describe('oneHotEncoder', () => {
  const df = DataFrame.fromRecords([
    { size: 1, color: 'red', shape: 'box', ok: true },
    { size: 2, color: 'blue', shape: null, ok: false },
    { size: 3, color: 'red', shape: 'ball', ok: true },
  ]);

  it('replaces each encoded column by its categories, at its position', () => {
    const encoder = oneHotEncoder({ columns: ['shape', 'color', 'ok'] });
    const state = encoder.fit(df);
    expect(state).toEqual({
      columns: ['shape', 'color', 'ok'],
      categories: [
        ['ball', 'box', null],
        ['blue', 'red'],
        [false, true],
      ],
    });
    const out = encoder.transform(df, state);
    expect(out.columns).toEqual(['size', 'color_blue', 'color_red', 'shape_ball', 'shape_box', 'shape_null', 'ok_false', 'ok_true']);
    expect(out.toMatrix()).toEqual([
      [1, 0, 1, 0, 1, 0, 0, 1],
      [2, 1, 0, 0, 0, 1, 1, 0],
      [3, 0, 1, 1, 0, 0, 0, 1],
    ]);
    expect(df.columns).toEqual(['size', 'color', 'shape', 'ok']);
  });

  it('names the column, the value and the known categories of an unknown category', () => {
    const encoder = oneHotEncoder({ columns: ['color'] });
    const state = encoder.fit(df);
    const error = (() => {
      try {
        encoder.transform(
          DataFrame.fromRecords([
            { size: 1, color: 'red' },
            { size: 2, color: 'green' },
          ]),
          state,
        );
      } catch (e) {
        return e as UnknownCategoryError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(UnknownCategoryError);
    expect(error).toMatchObject({ code: 'DATA_CATEGORY_UNKNOWN', column: 'color', row: 1, value: 'green', categories: ['blue', 'red'] });
    expect(error.message).toBe(`column 'color' row 1 has the category "green", which the encoder did not see in training; known categories: "blue", "red"`);
    // A null, or a number for a string, is unknown too.
    expect(() => encoder.transform(DataFrame.fromRecords([{ color: null }]), state)).toThrow('has the category null');
    const sizes = oneHotEncoder({ columns: ['size'] });
    expect(() => sizes.transform(DataFrame.fromRecords([{ size: '1' }]), sizes.fit(df))).toThrow(
      `has the category "1", which the encoder did not see in training; known categories: 1, 2, 3`,
    );
  });

  it("encodes unknown categories as zeros with handleUnknown: 'ignore'", () => {
    const encoder = oneHotEncoder({ columns: ['color'], handleUnknown: 'ignore' });
    const out = encoder.transform(DataFrame.fromRecords([{ color: 'green' }, { color: null }, { color: 'red' }]), encoder.fit(df));
    expect(out.toRecords()).toEqual([
      { color_blue: 0, color_red: 0 },
      { color_blue: 0, color_red: 0 },
      { color_blue: 0, color_red: 1 },
    ]);
  });

  it('sorts numbers numerically and treats -0 as 0', () => {
    const encoder = oneHotEncoder({ columns: ['n'] });
    const state = encoder.fit(DataFrame.fromColumns({ n: [10, 9, -1, 0, 2.5, 10] }));
    expect(state.categories).toEqual([[-1, 0, 2.5, 9, 10]]);
    expect(encoder.transform(DataFrame.fromColumns({ n: [-0] }), state).columns).toEqual(['n_-1', 'n_0', 'n_2.5', 'n_9', 'n_10']);
    expect(encoder.transform(DataFrame.fromColumns({ n: [-0] }), state).toMatrix()).toEqual([[0, 1, 0, 0, 0]]);
  });

  it('refuses columns of mixed types, NaN, missing columns, name collisions and bad options', () => {
    expect(() => oneHotEncoder({ columns: ['m'] }).fit(DataFrame.fromColumns({ m: ['a', null, 1] }))).toThrow(ColumnTypeError);
    expect(() => oneHotEncoder({ columns: ['m'] }).fit(DataFrame.fromColumns({ m: ['a', null, 1] }))).toThrow(
      "column 'm' row 2 should be a string (a category column holds one type; row 0 is a string), got 1",
    );
    expect(() => oneHotEncoder({ columns: ['m'] }).fit(DataFrame.fromColumns({ m: [1, Number.NaN] }))).toThrow(NonNumericValueError);
    expect(() => oneHotEncoder({ columns: ['nope'] }).fit(df)).toThrow('missing column nope in the features of oneHotEncoder');
    const state = oneHotEncoder({ columns: ['color'] }).fit(df);
    expect(() => oneHotEncoder({ columns: ['color'] }).transform(df.drop(['color']), state)).toThrow(ColumnsMissingError);
    const clash = DataFrame.fromRecords([{ a: 'b', a_b: 1 }]);
    expect(() => oneHotEncoder({ columns: ['a'] }).fit(clash)).toThrow(
      "oneHotEncoder would make a column 'a_b' (a category of 'a'), but the features have a column of that name",
    );
    const twice = DataFrame.fromRecords([{ a: 'b_c', a_b: 'c' }]);
    expect(() => oneHotEncoder({ columns: ['a', 'a_b'] }).fit(twice)).toThrow("oneHotEncoder would make the column 'a_b_c' twice (from 'a' and 'a_b')");
    expect(() => oneHotEncoder({ columns: ['a'] }).transform(clash, { columns: ['a'], categories: [['b']] })).toThrow(InvalidDataError);
    for (const options of [undefined, {}, { columns: [] }, { columns: ['a'], handleUnknown: 'skip' }, { columns: ['a'], drop: 'first' }]) {
      expect(() => oneHotEncoder(options as never), JSON.stringify(options)).toThrow(DataOptionsError);
    }
    for (const s of [
      { columns: ['color'] },
      { columns: ['color'], categories: [['a', 'a']] },
      { columns: ['color'], categories: [[{}]] },
      { columns: ['x', 'x'], categories: [[], []] },
    ]) {
      expect(() => oneHotEncoder({ columns: ['color'] }).transform(df, s as never), JSON.stringify(s)).toThrow(TransformerStateError);
    }
  });
});

describe('pipeline', () => {
  const df = DataFrame.fromRecords([
    { x: 1, color: 'red' },
    { x: 2, color: 'blue' },
    { x: 6, color: 'red' },
  ]);

  it('fits each step on the output of the ones before, and applies them in order, synchronously', () => {
    // standardScaler() after the encoder scales the 0/1 columns too: it is fitted on the encoder's output.
    const preprocess = pipeline(oneHotEncoder({ columns: ['color'] }), standardScaler());
    const state = preprocess.fit(df);
    expect(state).toHaveLength(2);
    expect(state[0]).toEqual({ columns: ['color'], categories: [['blue', 'red']] });
    expect(state[1].columns).toEqual(['x', 'color_blue', 'color_red']);
    const encoded = oneHotEncoder({ columns: ['color'] }).transform(df, state[0]);
    expect(preprocess.transform(df, JSON.parse(JSON.stringify(state)) as typeof state).toRecords()).toEqual(
      standardScaler().transform(encoded, state[1]).toRecords(),
    );
    expect(() => preprocess.transform(df, [state[0]] as never)).toThrow(TransformerStateError);
  });

  it('returns promises when a step is asynchronous', async () => {
    const doubler: AsyncFrameTransformer<{ factor: number }> = {
      fit: () => Promise.resolve({ factor: 2 }),
      transform: (features, { factor }) =>
        Promise.resolve(
          features.assign(
            'x',
            features.toVector('x').map((v) => v * factor),
          ),
        ),
    };
    const preprocess = pipeline(doubler, standardScaler({ columns: ['x'], withStd: false }));
    const fitted = preprocess.fit(df);
    expect(fitted).toBeInstanceOf(Promise);
    const state = await fitted;
    expect(state).toEqual([{ factor: 2 }, { columns: ['x'], mean: [6], scale: null }]);
    expect((await preprocess.transform(df, state)).column('x')).toEqual([-4, -2, 6]);
    expect(() => pipeline({} as never)).toThrow(DataOptionsError);
  });

  it('is structurally a FittedTransformer<DataFrame, State> of @unionml/core', () => {
    // A copy of packages/core/src/types.ts FittedTransformer (this package cannot import @unionml/core).
    interface FittedTransformer<TFeatures, TState> {
      fit(features: TFeatures): TState | Promise<TState>;
      transform(features: TFeatures, state: TState): TFeatures | Promise<TFeatures>;
    }
    expectTypeOf(standardScaler()).toExtend<FittedTransformer<DataFrame, StandardScalerState>>();
    expectTypeOf(oneHotEncoder({ columns: ['c'] })).toExtend<FittedTransformer<DataFrame, OneHotEncoderState>>();
    const both = pipeline(oneHotEncoder({ columns: ['c'] }), standardScaler());
    expectTypeOf(both).toEqualTypeOf<FrameTransformer<[OneHotEncoderState, StandardScalerState]>>();
    expectTypeOf(both).toExtend<FittedTransformer<DataFrame, [OneHotEncoderState, StandardScalerState]>>();
  });
});
