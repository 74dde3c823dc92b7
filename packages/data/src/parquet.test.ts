import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataFrame } from './dataframe.js';
import { fromParquet, toParquet } from './parquet.js';

describe('Parquet', () => {
  it('round-trips numbers, strings, booleans and nulls, keeping the column order', async () => {
    const df = DataFrame.fromRecords([
      { b: 1.5, a: 'x', flag: true, n: 3 },
      { b: null, a: null, flag: false, n: -1 },
    ]);
    const bytes = await toParquet(df);
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('PAR1');
    const back = await fromParquet(bytes);
    expect(back.columns).toEqual(['b', 'a', 'flag', 'n']);
    expect(back.toRecords()).toEqual(df.toRecords());
  });

  it('writes an empty frame and a wide numeric frame', async () => {
    const wide = DataFrame.fromColumns(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, [i, i + 0.5]])));
    expect((await fromParquet(await toParquet(wide))).toMatrix()).toEqual(wide.toMatrix());
    const empty = DataFrame.fromColumns({ x: [] });
    expect((await fromParquet(await toParquet(empty))).shape).toEqual([0, 1]);
  });

  it('rejects mixed columns and bytes that are not Parquet', async () => {
    await expect(toParquet(DataFrame.fromRecords([{ x: 1 }, { x: 'a' }]))).rejects.toThrow("column 'x' mixes double and string values");
    await expect(fromParquet(new TextEncoder().encode('not parquet'))).rejects.toMatchObject({ code: 'DATA_INVALID' });
  });
});

// Files as pandas 3.1 and pyarrow 26 write them (tools/flytekit-check/write_parquet_fixtures.py): the same three rows
// of ints, floats, strings, booleans, nullable ints and booleans, timestamps (us, ms and ns, with and without a zone),
// dates, times, decimals, binary, a categorical, lists, structs and maps, in every codec pyarrow writes and with each
// kind of pandas index; and the LZ4 framings pyarrow does not write (see fixtures/parquet/README.md).
const fixture = (name: string) => readFileSync(new URL(`../fixtures/parquet/${name}.parquet`, import.meta.url));
const COLUMNS = [
  'int',
  'float',
  'string',
  'bool',
  'nullable_int',
  'nullable_bool',
  'timestamp_utc',
  'timestamp_naive',
  'date',
  'time',
  'decimal',
  'binary',
  'category',
  'list',
  'struct',
  'map',
  'timestamp_ms_utc',
  'timestamp_ns',
];
const ROWS = [
  {
    int: 1,
    float: 0.5,
    string: 'a',
    bool: true,
    nullable_int: 1,
    nullable_bool: true,
    timestamp_utc: '2024-01-02T03:04:05.123Z',
    timestamp_naive: '2024-01-02T03:04:05.123Z',
    date: '2024-01-02',
    time: '03:04:05.123456',
    decimal: 1.25,
    binary: 'AAE=',
    category: 'red',
    list: '[1,2]',
    struct: '{"a":1,"b":"x"}',
    map: '{"k":1}',
    timestamp_ms_utc: '2024-01-02T03:04:05.123Z',
    timestamp_ns: '2024-01-02T03:04:05.123Z',
  },
  {
    int: -2,
    float: -1.25,
    string: 'béta',
    bool: false,
    nullable_int: null,
    nullable_bool: null,
    timestamp_utc: '1970-01-01T00:00:00.000Z',
    timestamp_naive: '1999-12-31T23:59:59.000Z',
    date: '1969-07-20',
    time: '00:00:00.000000',
    decimal: -0.5,
    binary: '',
    category: 'green',
    list: '[]',
    struct: '{"a":2,"b":"y"}',
    map: '{}',
    timestamp_ms_utc: '1970-01-01T00:00:00.000Z',
    timestamp_ns: '1999-12-31T23:59:59.000Z',
  },
  {
    int: '9007199254740993',
    float: 3,
    string: '',
    bool: true,
    nullable_int: 3,
    nullable_bool: false,
    timestamp_utc: '2038-01-19T03:14:08.000Z',
    timestamp_naive: '2000-02-29T12:00:00.000Z',
    date: '2000-02-29',
    time: '23:59:59.000000',
    decimal: 100,
    binary: 'eHl6',
    category: 'red',
    list: '[3]',
    struct: '{"a":3,"b":"z"}',
    map: '{"k":2,"l":3}',
    timestamp_ms_utc: '2038-01-19T03:14:08.000Z',
    timestamp_ns: '2000-02-29T12:00:00.000Z',
  },
];

describe('Parquet as pandas and pyarrow write it', () => {
  it.each(['snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'none'])('reads the %s codec', async (codec) => {
    const df = await fromParquet(fixture(`codec-${codec}`));
    expect(df.columns).toEqual(COLUMNS);
    expect(df.toRecords()).toEqual(ROWS);
  });

  it.each([
    ['filtered', 'a non-range index after a filter (__index_level_0__)', [ROWS[0], ROWS[2]]],
    ['string', 'a string index (__index_level_0__)', ROWS],
    ['named', 'a named index (row_id)', ROWS],
    ['multi', 'a multi-index (k1, k2)', ROWS],
  ])("leaves out pandas' index columns: %s, %s", async (kind, _what, rows) => {
    const df = await fromParquet(fixture(`index-${kind}`));
    expect(df.columns).toEqual(COLUMNS);
    expect(df.toRecords()).toEqual(rows);
  });

  it("reads LZ4 in Hadoop's framing and in the older raw framing (apache/parquet-testing's files: pyarrow writes neither)", async () => {
    const rows = [
      { c0: 1593604800, c1: 'YWJj', v11: 42 },
      { c0: 1593604800, c1: 'ZGVm', v11: 7.7 },
      { c0: 1593604801, c1: 'YWJj', v11: 42.125 },
      { c0: 1593604801, c1: 'ZGVm', v11: 7.7 },
    ];
    expect((await fromParquet(fixture('hadoop_lz4_compressed'))).toRecords()).toEqual(rows);
    expect((await fromParquet(fixture('non_hadoop_lz4_compressed'))).toRecords()).toEqual(rows);
  });

  it('reads every row group', async () => {
    expect((await fromParquet(fixture('row-groups'))).toRecords()).toEqual(ROWS);
  });

  it('holds dates and nested cells as strings: a model using only the numeric columns gets its matrix', async () => {
    const df = await fromParquet(fixture('codec-snappy'));
    expect(df.select(['float', 'decimal']).toMatrix()).toEqual([
      [0.5, 1.25],
      [-1.25, -0.5],
      [3, 100],
    ]);
    expect(() => df.select(['float', 'date']).toMatrix()).toThrow('column \'date\' row 0 is not a finite number: "2024-01-02"');
  });
});
