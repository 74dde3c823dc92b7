import { describe, expect, it } from 'vitest';
import { DataFrame, loadDanfo } from './dataframe.js';
import { ColumnsMissingError, InvalidDataError, NonNumericValueError } from './errors.js';

const records = [
  { x: 1, y: 2, label: 'a' },
  { x: 3, y: 4, label: 'b' },
  { x: 5, y: 6, label: 'a' },
];

describe('DataFrame construction', () => {
  it('builds from records and back', () => {
    const df = DataFrame.fromRecords(records);
    expect(df.columns).toEqual(['x', 'y', 'label']);
    expect(df.shape).toEqual([3, 3]);
    expect(df.toRecords()).toEqual(records);
    expect(JSON.parse(JSON.stringify(df))).toEqual(records);
  });

  it('takes the union of keys and fills absent cells with null', () => {
    const df = DataFrame.fromRecords([{ a: 1 }, { b: 2 }]);
    expect(df.toColumns()).toEqual({ a: [1, null], b: [null, 2] });
  });

  it('builds from columns and from rows', () => {
    expect(DataFrame.fromColumns({ x: [1, 2], y: [3, 4] }).toRecords()).toEqual([
      { x: 1, y: 3 },
      { x: 2, y: 4 },
    ]);
    expect(DataFrame.fromRows([[1, 'a']], ['n', 's']).toRecords()).toEqual([{ n: 1, s: 'a' }]);
  });

  it('rejects ragged columns, non-object records and nested values with clear messages', () => {
    expect(() => DataFrame.fromColumns({ x: [1, 2], y: [3] })).toThrow("column 'y' has 1 values but 'x' has 2");
    expect(() => DataFrame.fromRecords([{ x: 1 }, 5 as never])).toThrow('record 1 is a number, expected an object of column values');
    expect(() => DataFrame.fromRecords([{ x: { nested: true } }])).toThrow("column 'x' row 0 holds an object");
    expect(() => DataFrame.from('nope')).toThrow(InvalidDataError);
  });

  it('coerces every accepted input with from()', () => {
    const df = DataFrame.fromRecords(records);
    expect(DataFrame.from(df)).toBe(df);
    expect(DataFrame.from(records).toRecords()).toEqual(records);
    expect(DataFrame.from({ x: [1] }).toRecords()).toEqual([{ x: 1 }]);
    expect(DataFrame.from({ columns: ['x'], values: [[1], [2]], shape: [2, 1] }).toVector()).toEqual([1, 2]);
  });
});

describe('DataFrame selection', () => {
  const df = DataFrame.fromRecords(records);

  it('selects and drops columns', () => {
    expect(df.select(['y', 'x']).columns).toEqual(['y', 'x']);
    expect(df.drop(['label', 'nope']).columns).toEqual(['x', 'y']);
  });

  it('names the missing columns and the ones present', () => {
    let error: unknown;
    try {
      df.select(['x', 'z', 'w'], 'the request');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ColumnsMissingError);
    expect((error as ColumnsMissingError).code).toBe('DATA_COLUMNS_MISSING');
    expect((error as ColumnsMissingError).missing).toEqual(['z', 'w']);
    expect((error as Error).message).toBe('missing columns z, w in the request; present: x, y, label');
  });

  it('takes rows, heads and assigns', () => {
    expect(df.take([2, 0]).toVector('x')).toEqual([5, 1]);
    expect(df.head(2).length).toBe(2);
    expect(df.assign('z', [0, 0, 0]).columns).toEqual(['x', 'y', 'label', 'z']);
    expect(df.assign('x', [9, 9, 9]).toVector('x')).toEqual([9, 9, 9]);
    expect(() => df.take([3])).toThrow(RangeError);
  });

  it('reports column types', () => {
    const mixed = DataFrame.fromRecords([
      { a: 1, b: 's', c: true, d: null, e: 1 },
      { a: 2, b: 't', c: false, d: null, e: 'x' },
    ]);
    expect(mixed.schema().map((c) => c.type)).toEqual(['number', 'string', 'boolean', 'empty', 'mixed']);
  });
});

describe('DataFrame numbers', () => {
  it('gives matrices, typed matrices and vectors', () => {
    const df = DataFrame.fromRecords(records).select(['x', 'y']);
    expect(df.toMatrix()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const m = df.toTypedMatrix();
    expect([m.rows, m.cols, [...m.values]]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
    expect(df.toVector('y')).toEqual([2, 4, 6]);
    expect(() => df.toVector()).toThrow('toVector() needs a column name');
  });

  it('keeps a matrix of numbers row-major, and makes its columns only when asked', () => {
    const df = DataFrame.fromNumericMatrix(['x', 'y'], [1, 2, 3, 4, 5, 6], 3);
    expect([df.shape, df.columns]).toEqual([
      [3, 2],
      ['x', 'y'],
    ]);
    const m = df.toTypedMatrix();
    expect([m.rows, m.cols, [...m.values]]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
    m.values[0] = 99; // the caller's copy
    expect(df.toMatrix()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(df.toVector('y')).toEqual([2, 4, 6]);
    expect(df.column('x')).toEqual([1, 3, 5]);
    expect(df.has('y') && !df.has('z')).toBe(true);
    expect(df.schema()).toEqual([
      { name: 'x', type: 'number' },
      { name: 'y', type: 'number' },
    ]);
    expect(df.select(['y']).toRecords()).toEqual([{ y: 2 }, { y: 4 }, { y: 6 }]);
    expect(df.take([2, 0]).toRecords()).toEqual([
      { x: 5, y: 6 },
      { x: 1, y: 2 },
    ]);
    expect(DataFrame.isDataFrame(df)).toBe(true);
    expect(DataFrame.fromNumericMatrix(['x'], new Float64Array([0.5, -0]), 2).toVector('x')).toEqual([0.5, -0]);
    expect(() => DataFrame.fromNumericMatrix(['x', 'y'], [1, 2, 3], 2)).toThrow(InvalidDataError);
  });

  it('names the column and row of a non-numeric value', () => {
    const df = DataFrame.fromRecords([{ x: 1 }, { x: '2' }]);
    expect(() => df.toMatrix()).toThrow(NonNumericValueError);
    expect(() => df.toMatrix()).toThrow(`column 'x' row 1 is not a finite number: "2"`);
    expect(() => DataFrame.fromRecords([{ x: null }]).toVector('x')).toThrow('row 0 is not a finite number: null');
  });
});

describe('danfojs-node interop', () => {
  it('converts to a danfo DataFrame and back', () => {
    const df = DataFrame.fromRecords(records);
    const danfo = df.toDanfo() as { shape: number[]; columns: string[] };
    expect(danfo.shape).toEqual([3, 3]);
    expect(danfo.columns).toEqual(['x', 'y', 'label']);
    expect(DataFrame.from(danfo).toRecords()).toEqual(records);
    const { DataFrame: DanfoFrame } = loadDanfo();
    expect(DataFrame.from(new DanfoFrame({ a: [1, 2] })).toVector('a')).toEqual([1, 2]);
  });
});
