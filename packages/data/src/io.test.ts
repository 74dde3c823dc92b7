import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError, DataOptionsError, JsonSyntaxError } from './errors.js';
import { readCsv, readJson, readText } from './io.js';

const dir = mkdtempSync(join(tmpdir(), 'unionml-data-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('readCsv', () => {
  it('reads a header and types numbers, booleans and empty cells', async () => {
    const df = await readCsv(file('a.csv', 'x,y,flag,name\n1,2.5,true,a\n3,,false,b\n'));
    expect(df.toRecords()).toEqual([
      { x: 1, y: 2.5, flag: true, name: 'a' },
      { x: 3, y: null, flag: false, name: 'b' },
    ]);
  });

  it('reads gzip files without a header when given column names, from paths and file URLs', async () => {
    const path = file('b.csv.gz', gzipSync('1,2\n3,4\n'));
    for (const source of [path, pathToFileURL(path)]) {
      const df = await readCsv(source, { columns: ['a', 'b'] });
      expect(df.toMatrix()).toEqual([
        [1, 2],
        [3, 4],
      ]);
    }
  });

  it('names the file and line of a row with the wrong number of fields', async () => {
    await expect(readCsv(file('c.csv', 'a,b\n1,2\n3\n'))).rejects.toThrow(/c\.csv line 3 has 1 fields, expected 2/);
  });

  it('says when a file is missing and refuses remote URLs', async () => {
    await expect(readCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'DATA_FILE_NOT_FOUND' });
    await expect(readCsv('https://example.com/x.csv')).rejects.toThrow('only local files can be read');
    await expect(readCsv(file('bad.csv.gz', 'not gzip'))).rejects.toThrow(DataFileError);
  });
});

describe('readCsv skipRows (pandas skiprows=int)', () => {
  it('skips that many lines before the header, blank lines included, with \\n, \\r\\n or \\r line ends', async () => {
    for (const [text, skipRows] of [
      ['# exported 2024-01-01\n# units: cm\nx,y\n1,2\n3,4\n', 2],
      ['junk\n\nx,y\n1,2\n3,4\n', 2],
      ['junk\r\nmore\r\nx,y\r\n1,2\r\n3,4\r\n', 2],
      ['junk\rx,y\r1,2\r3,4\r', 1],
      ['x,y\n1,2\n3,4', 0],
    ] as const) {
      const df = await readCsv(file(`skip${skipRows}.csv`, text), { skipRows });
      expect(df.toRecords(), JSON.stringify(text)).toEqual([
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ]);
    }
  });

  it('counts a quoted field that spans lines as one line, as pandas does', async () => {
    // pandas.read_csv(io.StringIO('"a\\nb",c\\nx,y\\n1,2\\n'), skiprows=1) -> columns x, y
    expect((await readCsv(file('q.csv', '"a\nb",c\nx,y\n1,2\n'), { skipRows: 1 })).toRecords()).toEqual([{ x: 1, y: 2 }]);
    expect((await readCsv(file('q2.csv', 'a,"b ""quoted""\n, still"\nx,y\n1,2\n'), { skipRows: 1 })).columns).toEqual(['x', 'y']);
    // A quote inside an unquoted field is a character: the line ends at the line break.
    expect((await readCsv(file('q3.csv', 'a"b,c\nx,y\n1,2\n'), { skipRows: 1 })).columns).toEqual(['x', 'y']);
    expect((await readCsv(file('q4.csv', 'a;"b\nc";d\nx;y\n1;2\n'), { skipRows: 1, delimiter: ';' })).columns).toEqual(['x', 'y']);
  });

  it('works with gzip, file URLs, no header and given columns, and numbers lines of the file in errors', async () => {
    const path = file('s.csv.gz', gzipSync('notes\n1,2\n3,4\n'));
    expect((await readCsv(pathToFileURL(path), { skipRows: 1, columns: ['a', 'b'] })).toMatrix()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect((await readCsv(path, { skipRows: 1, header: false })).columns).toEqual(['column_0', 'column_1']);
    await expect(readCsv(file('e.csv', 'n1\nn2\na,b\n1,2\n3\n'), { skipRows: 2 })).rejects.toThrow(/e\.csv line 5 has 1 fields, expected 2/);
  });

  it('rejects a skipRows that is not a whole number, or that skips past the end', async () => {
    const path = file('short.csv', 'junk\nx,y\n');
    for (const skipRows of [-1, 1.5, Number.NaN, '2' as never]) {
      const error = await readCsv(path, { skipRows }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataOptionsError);
      expect(error).toMatchObject({
        code: 'DATA_OPTIONS_INVALID',
        option: 'skipRows',
        message: expect.stringContaining('readCsv: skipRows must be a whole number') as string,
      });
    }
    await expect(readCsv(path, { skipRows: 3 })).rejects.toMatchObject({
      code: 'DATA_FILE_INVALID',
      message: `${path} has 2 lines: skipRows 3 skips past its end`,
    });
    await expect(readCsv(path, { skipRows: 2 })).rejects.toThrow(`skipRows 2 skips every line of ${path}: no header left`);
    await expect(readCsv(file('short2.csv', 'junk\nx,y'), { skipRows: 2 })).rejects.toThrow('no header left');
    await expect(readCsv(file('short3.csv', 'junk\nx,y'), { skipRows: 3 })).rejects.toThrow('has 2 lines: skipRows 3 skips past its end');
    await expect(readCsv(file('short4.csv', 'junk\n1,2\n\n'), { skipRows: 2, header: false })).rejects.toThrow('no rows left');
  });
});

describe('readText', () => {
  it('takes what readCsv takes: paths, file: URL strings and URL objects, gunzipping .gz', async () => {
    const path = file('t.txt.gz', gzipSync('héllo\n'));
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href]) expect(await readText(source)).toBe('héllo\n');
  });

  it('gives the same errors as readCsv', async () => {
    for (const read of [readText, readCsv]) {
      await expect(read(join(dir, 'nope.txt'))).rejects.toMatchObject({
        code: 'DATA_FILE_NOT_FOUND',
        message: `data file not found: ${join(dir, 'nope.txt')}`,
      });
      await expect(read(pathToFileURL(join(dir, 'nope.txt')))).rejects.toMatchObject({ code: 'DATA_FILE_NOT_FOUND' });
      await expect(read('https://example.com/x.csv')).rejects.toMatchObject({
        code: 'DATA_FILE_INVALID',
        message: 'only local files can be read, not https://example.com/x.csv',
      });
      await expect(read(new URL('https://example.com/x.csv'))).rejects.toMatchObject({
        code: 'DATA_FILE_INVALID',
        message: 'only local files can be read, not https://example.com/x.csv',
      });
      await expect(read(new URL('data:text/csv,x'))).rejects.toThrow('only local files can be read');
      await expect(read('file://remote-host/x.csv')).rejects.toMatchObject({
        code: 'DATA_FILE_INVALID',
        message: expect.stringContaining('is not a file URL of this machine') as string,
      });
      await expect(read(42 as never)).rejects.toThrow('a data file is named by a path or a URL, got a number 42');
      await expect(read(file('bad.txt.gz', 'not gzip'))).rejects.toThrow(/is not valid gzip/);
    }
  });
});

describe('readJson', () => {
  it('reads records and column objects', async () => {
    expect((await readJson(file('r.json', '[{"x": 1}, {"x": 2}]'))).toVector('x')).toEqual([1, 2]);
    expect((await readJson(file('c.json', '{"x": [1, 2]}'))).toVector('x')).toEqual([1, 2]);
  });

  it('names the file, line and column of a syntax error', async () => {
    const path = file('bad.json', '[\n  {"x": 1},\n  {"x": }\n]');
    const error = await readJson(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect((error as Error).message).toContain(`${path} is not valid JSON: unexpected '}', expected a value at line 3, column 9`);
  });

  it('names the file when the JSON is not tabular', async () => {
    await expect(readJson(file('n.json', '42'))).rejects.toThrow(/n\.json: cannot make a DataFrame from a number/);
  });
});
