import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpStatusOf, isUnionMLError } from '@unionml/errors';
import { afterAll, describe, expect, it } from 'vitest';
import * as api from './index.js';
import {
  ColumnTypeError,
  DanfoMissingError,
  ColumnsMissingError,
  ColumnsUnexpectedError,
  DATA_ERRORS,
  DataFileError,
  DataOptionsError,
  InvalidDataError,
  JsonSyntaxError,
  NonNumericValueError,
  SplitError,
  TransformerStateError,
  UnknownCategoryError,
} from './index.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'unionml-data-index-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('@unionml/data', () => {
  it('exports the contract', () => {
    for (const name of [
      'DataFrame',
      'readCsv',
      'readJson',
      'readText',
      'parseJson',
      'toParquet',
      'fromParquet',
      'trainTestSplit',
      'splitIndices',
      'standardScaler',
      'oneHotEncoder',
      'pipeline',
      'loadDanfo',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
    expect(api.DATA_ERRORS.DATA_WRONG_TYPE.code).toBe('DATA_WRONG_TYPE');
  });

  it('declares every code once, in DATA_ERRORS: all of kind input (a server answers them 400) but the transformer state and a missing danfojs-node', () => {
    expect(Object.fromEntries(Object.values(DATA_ERRORS).map((c) => [c.code, c.kind]))).toEqual({
      DATA_COLUMNS_MISSING: 'input',
      DATA_COLUMNS_UNEXPECTED: 'input',
      DATA_NOT_NUMERIC: 'input',
      DATA_WRONG_TYPE: 'input',
      DATA_INVALID: 'input',
      DATA_FILE_NOT_FOUND: 'input',
      DATA_FILE_INVALID: 'input',
      DATA_OPTIONS_INVALID: 'input',
      DATA_SPLIT_INVALID: 'input',
      DATA_CATEGORY_UNKNOWN: 'input',
      DATA_TRANSFORMER_STATE_INVALID: 'state',
      DATA_DANFO_MISSING: 'environment',
      INPUT_BAD_JSON: 'input',
    });
    const errors = [
      new ColumnsMissingError(['a'], ['b']),
      new ColumnsUnexpectedError(['b'], ['a']),
      new NonNumericValueError('a', 0, 'x'),
      new ColumnTypeError('a', 0, 1, 'string'),
      new InvalidDataError('not a table'),
      new DataFileError('x.csv', 'missing', { code: DATA_ERRORS.DATA_FILE_NOT_FOUND }),
      new DataFileError('x.csv', 'not CSV'),
      new DataOptionsError('readCsv', 'skipRows', 'skipRows must be a whole number'),
      new SplitError('cannot split'),
      new UnknownCategoryError('color', 0, 'green', ['blue', 'red']),
      new JsonSyntaxError('x.json', 1, 1, 'unexpected end', ''),
    ];
    for (const e of errors) {
      expect(isUnionMLError(e)).toBe(true);
      expect(e.kind).toBe('input');
      expect(httpStatusOf(e), e.code).toBe(400);
    }
    // A stored transformer state that the transformer cannot use: the model must be trained again (409, not 400).
    const stateError = new TransformerStateError('standardScaler', 'columns is not an array');
    expect([stateError.code, stateError.kind, httpStatusOf(stateError)]).toEqual(['DATA_TRANSFORMER_STATE_INVALID', 'state', 409]);
    // danfojs-node missing is the environment's (503 on HTTP, were it ever served).
    const danfoError = new DanfoMissingError(new Error("Cannot find module 'danfojs-node'"));
    expect([danfoError.code, danfoError.kind, httpStatusOf(danfoError)]).toEqual(['DATA_DANFO_MISSING', 'environment', 503]);
    expect(new Set([...errors, stateError, danfoError].map((e) => e.code))).toEqual(new Set(Object.keys(DATA_ERRORS)));
    for (const entry of Object.values(DATA_ERRORS)) {
      expect(entry.registry).toBe('@unionml/data');
      expect(entry.meaning.length, entry.code).toBeGreaterThan(20);
      expect(entry.hint.length, entry.code).toBeGreaterThan(10);
    }
    // @ts-expect-error a DataFileError is made from the file codes only (a compile-time check)
    void (() => new DataFileError('x', 'y', { code: DATA_ERRORS.DATA_WRONG_TYPE }));
    // @ts-expect-error not from free strings
    expect(() => new DataFileError('x', 'y', { code: 'DATA_FILE_NOT_FOUND' })).toThrow('needs a registered error code');
  });

  it('does not load danfojs-node to import the package, build frames, split them and read CSV, JSON and Parquet; toDanfo does', () => {
    writeFileSync(path.join(dir, 'a.csv'), 'x,y\n1,a\n2,b\n3,c\n');
    writeFileSync(path.join(dir, 'a.json'), '[{"x": 1}, {"x": 2}]');
    // In a fresh Node process: danfojs-node (CommonJS, loaded with require) and its TensorFlow.js would be in the
    // require cache once loaded, whether by require or by import.
    const script = `
      import { createRequire } from 'node:module';
      const cache = createRequire(process.cwd() + '/x.js').cache;
      const loaded = () => Object.keys(cache).filter((f) => /[\\\\/]node_modules[\\\\/](danfojs-node|@tensorflow)[\\\\/]/.test(f)).length > 0;
      const data = await import('@unionml/data');
      const steps = { imported: loaded() };
      const df = data.DataFrame.fromRecords([{ x: 1, y: 'a' }, { x: 2, y: 'b' }, { x: 3, y: 'c' }, { x: 4, y: 'd' }]);
      const [train, test] = data.trainTestSplit(df, { testSize: 0.25, randomState: 0 });
      steps.split = loaded() || train.length !== 3 || test.length !== 1;
      steps.csv = (await data.readCsv(${JSON.stringify(path.join(dir, 'a.csv'))})).length !== 3 || loaded();
      steps.json = (await data.readJson(${JSON.stringify(path.join(dir, 'a.json'))})).length !== 2 || loaded();
      steps.parquet = (await data.fromParquet(await data.toParquet(df))).length !== 4 || loaded();
      steps.fromDanfoLike = data.DataFrame.from({ columns: ['x'], values: [[1]], shape: [1, 1] }).length !== 1 || loaded();
      const danfo = df.toDanfo();
      steps.toDanfo = loaded() && data.DataFrame.from(danfo).length === 4;
      console.log(JSON.stringify(steps));
    `;
    const out = execFileSync(process.execPath, ['--conditions=@unionml/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? '')).toEqual({
      imported: false,
      split: false,
      csv: false,
      json: false,
      parquet: false,
      fromDanfoLike: false,
      toDanfo: true,
    });
  });

  it('without danfojs-node (an optional peer dependency) everything else works and toDanfo says what to install', () => {
    // In a fresh Node process whose module resolution cannot find danfojs-node, as in an app that did not install it:
    // Node's own MODULE_NOT_FOUND, from a search in a folder that has no node_modules.
    const preload = path.join(dir, 'no-danfo.cjs');
    writeFileSync(
      preload,
      `const Module = require('node:module');
       const resolve = Module._resolveFilename;
       Module._resolveFilename = function (request, parent, ...rest) {
         if (request === 'danfojs-node') return resolve.call(this, request, { id: '/', filename: '/x.js', paths: ['/no-node-modules-here'] }, ...rest);
         return resolve.call(this, request, parent, ...rest);
       };`,
    );
    const script = `
      const data = await import('@unionml/data');
      const df = data.DataFrame.fromRecords([{ x: 1 }, { x: 2 }]);
      const result = { split: data.trainTestSplit(df, { testSize: 0.5, randomState: 0 }).map((d) => d.length) };
      try { df.toDanfo(); result.toDanfo = 'no error'; }
      catch (e) { Object.assign(result, { isError: e instanceof data.DanfoMissingError, code: e.code, kind: e.kind, message: e.message, hint: e.hint }); }
      console.log(JSON.stringify(result));
    `;
    const out = execFileSync(process.execPath, ['--require', preload, '--conditions=@unionml/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as { message: string; hint: string };
    expect(result).toMatchObject({ split: [1, 1], isError: true, code: 'DATA_DANFO_MISSING', kind: 'environment' });
    expect(result.message).toContain('danfojs-node is not installed');
    expect(result.hint).toContain('npm install danfojs-node@1.2.0');
    expect(result.hint).toContain('"@tensorflow/tfjs-node": "npm:@tensorflow/tfjs@4.22.0"');
  });
});
