import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError, JsonSyntaxError } from './errors.js';
import { readCsv, readJson } from './io.js';

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
