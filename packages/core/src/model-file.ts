// The model file: UnionML's envelope (what the model was trained on, its metrics, its hyperparameters, the fitted
// preprocessing state, the versions) around the model object, written by the default saver or by the app's own.
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { bigintReplacer, type ColumnSchema } from '@unionml/data';
import { SerializationError } from './errors.js';
import { isPlainObject } from './schema.js';
import type { Evaluation, Metrics } from './types.js';

export const MODEL_FILE_FORMAT = 'unionml.model';
/** The format version this version writes. Version 1 (the default saver's file before custom payloads) still loads. */
export const MODEL_FILE_VERSION = 2;

/** The model file: a JSON envelope around the model object. */
export interface ModelFile {
  format: typeof MODEL_FILE_FORMAT;
  formatVersion: 1 | 2;
  /** The model's name. */
  model: string;
  savedAt: string;
  /** The version of @unionml/core that wrote the file. */
  unionml: string;
  hyperparameters?: unknown;
  metrics?: Metrics;
  /** The training features' columns and types, before the feature transformer (tables). */
  featureSchema?: ColumnSchema[];
  /** The state the fitted feature transformer learned on the training split. */
  transformerState?: unknown;
  /** Predictions on the test split against the truth: a confusion matrix or predicted-vs-actual values. */
  evaluation?: Evaluation;
  /** Numbers JSON cannot hold (NaN, ±Infinity), bigints and typed arrays are written as `{"$unionml": ...}` tags. */
  tagged?: boolean;
  modelObject: ModelObjectEntry;
  /**
   * The first test rows as a request sends them, and what the model predicted for them when it was saved: loading
   * predicts them again and refuses a model that does not agree (`MODEL_CHECK_FAILED`).
   */
  sample?: ModelSample;
  /**
   * `sha256:<hex>` of the file's JSON without this field (`JSON.stringify` of the rest, in its order), the last field
   * of the file; checked at load (`MODEL_FILE_INTEGRITY`). Files written before it have none.
   */
  integrity?: string;
}

/** Rows kept in a model file to check the model when it is loaded (see {@link ModelFile.sample}). */
export interface ModelSample {
  features: Record<string, unknown>[];
  predictions: unknown;
}

/**
 * The text of a model file: `JSON.stringify(file)` (bigints as {@link bigintReplacer} writes them) with its
 * integrity hash as the last field.
 */
export function modelFileText(file: Omit<ModelFile, 'integrity'>): { text: string; integrity: string } {
  const body = JSON.stringify(file, bigintReplacer);
  const integrity = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  return { text: `${body.slice(0, -1)},"integrity":"${integrity}"}\n`, integrity };
}

/**
 * Checks the integrity hash of a parsed model file: `undefined` when it matches (or the file has none), else what is
 * wrong. Formatting does not matter (the hash is over the values, as JSON.stringify writes them); any change of a
 * value does.
 */
export function integrityProblem(value: Record<string, unknown>): { stored: string; actual: string } | 'malformed' | undefined {
  const stored = value['integrity'];
  if (stored === undefined) return undefined;
  if (typeof stored !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(stored)) return 'malformed';
  const { integrity: _, ...rest } = value;
  const actual = `sha256:${createHash('sha256').update(JSON.stringify(rest)).digest('hex')}`;
  return actual === stored ? undefined : { stored, actual };
}

/** A prediction as JSON data: typed arrays become arrays (what a model file and an HTTP answer hold). */
export function predictionData(prediction: unknown): unknown {
  if (ArrayBuffer.isView(prediction) && !(prediction instanceof DataView)) return Array.from(prediction as unknown as ArrayLike<unknown>);
  return prediction;
}

/**
 * Where two predictions differ, as a path and both values (`[3]: 7 where the model file has 1`), or `undefined`
 * when they agree: numbers within a relative 1e-6 (a library may round differently), NaN equal to NaN, typed arrays
 * as arrays. Iterative, so any nesting is fine.
 */
export function predictionDifference(expected: unknown, actual: unknown): string | undefined {
  const stack: [unknown, unknown, string][] = [[expected, predictionData(actual), '']];
  while (stack.length) {
    const [e, a, path] = stack.pop()!;
    const at = path || 'the prediction';
    if (typeof e === 'number' && typeof a === 'number') {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (e === a || Math.abs(e - a) <= 1e-6 * Math.max(1, Math.abs(e), Math.abs(a))) continue;
      return `${at}: ${a} where the model file has ${e}`;
    }
    if (Array.isArray(e)) {
      const arr = predictionData(a);
      if (!Array.isArray(arr)) return `${at}: ${describeShort(a)} where the model file has an array`;
      if (arr.length !== e.length) return `${at}: ${arr.length} values where the model file has ${e.length}`;
      for (let i = e.length - 1; i >= 0; i--) stack.push([e[i], arr[i], `${path}[${i}]`]);
      continue;
    }
    if (isPlainObject(e)) {
      if (!isPlainObject(a)) return `${at}: ${describeShort(a)} where the model file has an object`;
      const keys = Object.keys(e);
      if (keys.length !== Object.keys(a).length || keys.some((k) => !Object.hasOwn(a, k))) {
        return `${at}: keys ${JSON.stringify(Object.keys(a)).slice(0, 200)} where the model file has ${JSON.stringify(keys).slice(0, 200)}`;
      }
      for (const k of keys.reverse()) stack.push([e[k], a[k], `${path}.${k}`]);
      continue;
    }
    if (!Object.is(e, a) && !(e === null && a === null)) return `${at}: ${describeShort(a)} where the model file has ${describeShort(e)}`;
  }
  return undefined;
}

function describeShort(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
}

/** How the model object is stored. */
export type ModelObjectEntry =
  /** Plain JSON data. */
  | { encoding: 'json'; value: unknown }
  /** What `toJSON()` returned; rebuilt with the class's static `fromJSON(json)` or `load(json)`. */
  | { encoding: 'toJSON'; className?: string; rebuild?: 'fromJSON' | 'load'; value: unknown }
  /** A TensorFlow.js LayersModel, in its own format (topology, weight specs and weights). */
  | { encoding: 'tfjs-layers'; artifacts: Record<string, unknown> & { weightData: string } }
  /** What the app's saver wrote (a file or a folder), rebuilt by its loader. */
  | { encoding: 'custom'; payload: Payload };

/** A file or folder written by a custom saver, base64-encoded, with its SHA-256. */
export type Payload =
  { kind: 'file'; name: string; sha256: string; data: string } | { kind: 'directory'; name: string; sha256: string; entries: PayloadEntry[] };

/** A file of a folder payload (`path` uses `/`); a folder without files is listed with `directory: true`. */
export interface PayloadEntry {
  path: string;
  data?: string;
  directory?: true;
}

const TAG = '$unionml';

/**
 * Encodes a value as JSON data the way `JSON.stringify` would see it (`toJSON()` called, `undefined` properties
 * left out), but losslessly: NaN, ±Infinity, bigints, typed arrays and ArrayBuffers become `{"$unionml": ...}` tags
 * that {@link decodeJsonValue} turns back. What JSON would silently lose or refuse (functions, symbols, Maps, Sets,
 * `undefined` in arrays, cycles) is a {@link SerializationError} naming where it is, e.g. `trees[3].split`.
 *
 * @param root the name of the value in messages, e.g. `the model object`
 */
export function encodeJsonValue(value: unknown, root: string): { value: unknown; tagged: boolean } {
  let tagged = false;
  const seen = new Set<object>();
  const fail = (path: string, what: string, hint: string): never => {
    throw new SerializationError(`${root} cannot be stored as JSON: ${path ? `${path} ` : ''}${what}`, hint);
  };
  const WAYS_OUT = 'return plain data from toJSON() (e.g. an object instead of a Map), or register model.saver(...) and model.loader(...)';
  const encode = (v: unknown, path: string, key: string): unknown => {
    if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
    }
    switch (typeof v) {
      case 'number':
        if (Number.isFinite(v)) return v;
        tagged = true;
        return { [TAG]: String(v) };
      case 'string':
      case 'boolean':
        return v;
      case 'bigint':
        tagged = true;
        return { [TAG]: 'bigint', value: v.toString() };
      case 'undefined':
        return undefined;
      case 'function':
      case 'symbol':
        return fail(path, `is a ${typeof v}, which a model file cannot hold`, WAYS_OUT);
      case 'object':
        break;
    }
    if (v === null) return null;
    const object = v;
    if (ArrayBuffer.isView(object)) {
      if (object instanceof DataView) return fail(path, 'is a DataView, which a model file cannot hold', WAYS_OUT);
      tagged = true;
      const typed = object as unknown as ArrayLike<number | bigint> & { constructor: { name: string } };
      const values = Array.from(typed, (x) => (typeof x === 'bigint' ? x.toString() : Number.isFinite(x) ? x : { [TAG]: String(x) }));
      return { [TAG]: typed.constructor.name, values };
    }
    if (object instanceof ArrayBuffer) {
      tagged = true;
      return { [TAG]: 'ArrayBuffer', base64: Buffer.from(object).toString('base64') };
    }
    if (object instanceof Map || object instanceof Set || object instanceof WeakMap || object instanceof WeakSet) {
      return fail(path, `is a ${object.constructor.name}, which JSON would store as {}`, WAYS_OUT);
    }
    if (object instanceof Promise) return fail(path, 'is a Promise: await it before returning it', WAYS_OUT);
    if (seen.has(object)) return fail(path, 'refers back to itself (a cycle), which JSON cannot store', WAYS_OUT);
    seen.add(object);
    let out: unknown;
    if (Array.isArray(object)) {
      out = object.map((item, i) => {
        const at = `${path}[${i}]`;
        if (item === undefined) return fail(at, 'is undefined, which JSON would store as null', WAYS_OUT);
        return encode(item, at, String(i));
      });
    } else {
      const result: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(object)) {
        const encoded = encode(item, joinPath(path, k), k);
        if (encoded !== undefined) result[k] = encoded;
      }
      if (TAG in result) return fail(joinPath(path, TAG), `uses the key '${TAG}', which model files reserve`, 'rename the key');
      out = result;
    }
    seen.delete(object);
    return out;
  };
  const encoded = encode(value, '', '');
  return { value: encoded, tagged };
}

const TYPED_ARRAYS: Record<string, new (values: ArrayLike<number> | ArrayLike<bigint>) => unknown> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array: BigInt64Array,
  BigUint64Array: BigUint64Array,
};

/** Turns the tags of {@link encodeJsonValue} back into NaN, ±Infinity, bigints, typed arrays and ArrayBuffers. */
export function decodeJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeJsonValue);
  if (!isPlainObject(value)) return value;
  const tag = value[TAG];
  if (typeof tag === 'string') {
    if (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity') return Number(tag);
    if (tag === 'bigint' && typeof value['value'] === 'string') return BigInt(value['value']);
    if (tag === 'ArrayBuffer' && typeof value['base64'] === 'string') {
      const bytes = Buffer.from(value['base64'], 'base64');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    const Typed = TYPED_ARRAYS[tag];
    if (Typed && Array.isArray(value['values'])) {
      const values = (value['values'] as unknown[]).map(decodeJsonValue);
      return new Typed(tag.startsWith('Big') ? values.map((v) => BigInt(v as string)) : (values as number[]));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeJsonValue(v);
  return out;
}

function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * Reads what a custom saver wrote at `path`: a regular file, or a folder of regular files (and folders).
 * @param what the saver, for messages
 */
export async function readPayload(path: string, name: string, what: string): Promise<Payload> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) {
    throw new SerializationError(
      `${what} wrote nothing at the path it was given (${path})`,
      'write the model object to the path the saver receives as its third argument',
    );
  }
  if (info.isFile()) {
    const bytes = await readFile(path);
    return { kind: 'file', name, sha256: sha256(bytes), data: bytes.toString('base64') };
  }
  if (!info.isDirectory()) {
    throw new SerializationError(`${what} wrote ${describeEntry(info)} at ${path}; a model file holds a file or a folder`, 'write a regular file or a folder');
  }
  const entries: PayloadEntry[] = [];
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    if (names.length === 0 && dir !== path) entries.push({ path: toPosix(relative(path, dir)), directory: true });
    for (const entry of names) {
      const full = join(dir, entry);
      const stat = await lstat(full);
      const rel = toPosix(relative(path, full));
      if (stat.isDirectory()) await walk(full);
      else if (stat.isFile()) {
        const bytes = await readFile(full);
        hash.update(rel).update('\0').update(bytes).update('\0');
        entries.push({ path: rel, data: bytes.toString('base64') });
      } else {
        throw new SerializationError(
          `${what} wrote ${describeEntry(stat)} at ${full}; a model file holds only files and folders`,
          'write regular files (copy what a link points to)',
        );
      }
    }
  };
  await walk(path);
  return { kind: 'directory', name, sha256: hash.digest('hex'), entries };
}

/**
 * Writes a payload back under `dir` (as `dir/<name>`), checking its SHA-256 and refusing entries that would land
 * outside it. Throws an `Error` describing the damage; the caller names the model file.
 * @returns the path of the file or folder
 */
export async function writePayload(payload: Payload, dir: string): Promise<string> {
  if (!isPlainObject(payload) || (payload.kind !== 'file' && payload.kind !== 'directory') || !isSafeName(payload.name)) {
    throw new Error('its custom payload entry is malformed');
  }
  const target = join(dir, payload.name);
  if (payload.kind === 'file') {
    if (typeof payload.data !== 'string') throw new Error('its custom payload has no data');
    const bytes = Buffer.from(payload.data, 'base64');
    if (sha256(bytes) !== payload.sha256) throw new Error('its custom payload does not match its SHA-256 (the file was changed or damaged)');
    await writeFile(target, bytes, { flag: 'wx' });
    return target;
  }
  if (!Array.isArray(payload.entries)) throw new Error('its custom payload has no entries');
  const hash = createHash('sha256');
  await mkdir(target);
  for (const entry of payload.entries) {
    if (!isPlainObject(entry) || typeof entry.path !== 'string' || !entry.path.split('/').every(isSafeName)) {
      throw new Error(`its custom payload has an entry with an unsafe path: ${JSON.stringify((entry as { path?: unknown })?.path)}`);
    }
    const full = join(target, ...entry.path.split('/'));
    if (entry.directory) {
      await mkdir(full, { recursive: true });
      continue;
    }
    if (typeof entry.data !== 'string') throw new Error(`its custom payload entry ${entry.path} has no data`);
    const bytes = Buffer.from(entry.data, 'base64');
    hash.update(entry.path).update('\0').update(bytes).update('\0');
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, bytes, { flag: 'wx' });
  }
  if (hash.digest('hex') !== payload.sha256) throw new Error('its custom payload does not match its SHA-256 (the file was changed or damaged)');
  return target;
}

/** Whether the file starts like a model file envelope (without reading all of it: custom formats may be large). */
export async function looksLikeEnvelope(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return /^\s*\{\s*"format"\s*:\s*"unionml\.model"/.test(head);
  } finally {
    await handle.close();
  }
}

/**
 * Metrics as a model file or a Flyte output holds them, made named: version 1 files and Python UnionML keep one
 * number per split (`{"train": 0.9}`), named here `name`.
 */
export function normalizeMetrics(value: unknown, name: string): Metrics | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: Metrics = {};
  for (const split of ['train', 'test'] as const) {
    const v = value[split];
    if (typeof v === 'number') out[split] = { [name]: v };
    else if (isPlainObject(v)) {
      const named = Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number');
      if (named.length) out[split] = Object.fromEntries(named);
    }
  }
  return out;
}

/** Metrics as a Flyte `map<string, float>`: `{"train.accuracy": 0.99, "test.accuracy": 0.96}`. */
export function flattenMetrics(metrics: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const split of ['train', 'test'] as const) {
    for (const [name, value] of Object.entries(metrics[split] ?? {})) out[`${split}.${name}`] = value;
  }
  return out;
}

/**
 * The inverse of {@link flattenMetrics}. Keys without a split prefix (Python UnionML's `{"train": 0.9}`) become
 * a metric named `name` of that split.
 */
export function unflattenMetrics(flat: Record<string, unknown>, name = 'score'): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(flat)) {
    if (typeof value !== 'number') continue;
    const dot = key.indexOf('.');
    const split = dot < 0 ? key : key.slice(0, dot);
    if (split !== 'train' && split !== 'test') continue;
    (out[split] ??= {})[dot < 0 ? name : key.slice(dot + 1)] = value;
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isSafeName(name: unknown): boolean {
  return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function describeEntry(info: { isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device or special file';
}
