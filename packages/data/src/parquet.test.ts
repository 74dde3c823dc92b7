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
