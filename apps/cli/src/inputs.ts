/**
 * What `train` and `predict` read from the command line: `--inputs` JSON (or `@FILE`), and features files. JSON
 * errors say where (source, line, column), through `parseJson` of @unionml/data.
 */
import { resolve } from 'node:path';
import { DATA_ERRORS, DataFileError, isPlainObject, kind, parseJson, readText } from '@unionml/data';
import { closest, isUnionMLError } from '@unionml/errors';
import { InputsError, UsageError } from './errors.js';

/** The keys of `--inputs` that are not reader arguments, in both spellings, and the name `Model.train` takes. */
const TRAIN_KEYS: Readonly<Record<string, string>> = {
  hyperparameters: 'hyperparameters',
  trainerKwargs: 'trainerKwargs',
  trainer_kwargs: 'trainerKwargs',
  loaderKwargs: 'loaderKwargs',
  loader_kwargs: 'loaderKwargs',
  splitterKwargs: 'splitterKwargs',
  splitter_kwargs: 'splitterKwargs',
  parserKwargs: 'parserKwargs',
  parser_kwargs: 'parserKwargs',
};

/** The names of the options of `Model.train` that are not reader arguments. */
export const TRAIN_OPTION_NAMES: ReadonlySet<string> = new Set(Object.values(TRAIN_KEYS));

/**
 * Checks the keys of `--inputs` (after {@link trainOptions}) against what the command takes: for `train`, the
 * hyperparameters and the components' arguments, and the reader's arguments; for `predict`, the reader's arguments.
 * An unknown key is a usage error (exit 2) with the nearest known key, not a silent run with the defaults. When the
 * reader takes arguments it does not declare (`readerArgNames` undefined), other keys are its to judge.
 *
 * @param readerArgNames the reader's declared arguments (`Dataset.readerArgNames`)
 */
export function checkInputKeys(options: Record<string, unknown>, readerArgNames: readonly string[] | undefined, command: 'train' | 'predict'): void {
  if (readerArgNames === undefined) return;
  const known = [...(command === 'train' ? Object.keys(TRAIN_KEYS) : []), ...readerArgNames];
  const unknown = Object.keys(options).filter((k) => !known.includes(k) && !(command === 'train' && TRAIN_OPTION_NAMES.has(k)));
  if (!unknown.length) return;
  const described = unknown.map((key) => {
    const close = closest(key, known, 3);
    return close ? `'${key}' (did you mean '${close}'?)` : `'${key}'`;
  });
  const readerSays = readerArgNames.length ? `the reader's arguments are ${readerArgNames.join(', ')}` : 'the reader takes no arguments';
  throw new UsageError(`--inputs has unknown key${unknown.length === 1 ? '' : 's'} ${described.join(', ')}`, command, {
    hint: `${command === 'train' ? 'train takes hyperparameters, trainerKwargs, loaderKwargs, splitterKwargs, parserKwargs and reader arguments; ' : ''}${readerSays}`,
  });
}

/** Python UnionML's spellings of the default splitter's arguments. */
const SPLITTER_KEYS: Readonly<Record<string, string>> = { test_size: 'testSize', random_state: 'randomState' };

/**
 * Reads the value of `--inputs`: a JSON object, or `@FILE` for a file holding one.
 * @param cwd the folder `@FILE` is relative to
 */
export async function readInputs(value: string, cwd: string): Promise<Record<string, unknown>> {
  let text = value;
  let source = '--inputs';
  if (value.startsWith('@')) {
    source = value.slice(1);
    text = await readTextFile(resolve(cwd, source), 'inputs');
  }
  let parsed: unknown;
  try {
    parsed = parseJson(text, source);
  } catch (error) {
    // JSON typed on the command line is part of the command: a usage error (exit 2); a file's JSON is input.
    if (source === '--inputs' && isUnionMLError(error)) throw new InputsError(error.message, error.hint);
    throw error;
  }
  if (!isPlainObject(parsed)) {
    throw new InputsError(`${source} must be a JSON object, got ${kind(parsed)}`, `write --inputs '{"key": value, ...}'`);
  }
  return parsed;
}

/**
 * Maps `--inputs` to the options of `Model.train`: accepts `trainer_kwargs` for `trainerKwargs` (and the same for
 * the loader, splitter and parser), and `test_size`/`random_state` inside the splitter's arguments. Other keys are
 * the reader's arguments and pass unchanged.
 */
export function trainOptions(inputs: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(inputs)) {
    const name = Object.hasOwn(TRAIN_KEYS, key) ? TRAIN_KEYS[key]! : key;
    if (Object.hasOwn(given, name)) throw new InputsError(`--inputs has both '${given[name]}' and '${key}'`, 'give each argument once, in one spelling');
    setOwn(given, name, key);
    setOwn(options, name, name === 'splitterKwargs' && isPlainObject(value) ? renameKeys(value, SPLITTER_KEYS, `${key}`) : value);
  }
  return options;
}

/** `object[key] = value` as an own property, also for `__proto__` (a JSON key like any other, never a prototype). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads a features file: a JSON array of records, or `{"features": [...]}` (a prediction request body). `.gz`
 * files are gunzipped.
 */
export async function readFeatures(file: string, cwd: string): Promise<unknown> {
  const value = parseJson(await readTextFile(resolve(cwd, file), 'features'), file);
  if (isPlainObject(value) && Object.keys(value).length === 1 && 'features' in value) return value['features'];
  return value;
}

async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readText(path);
  } catch (error) {
    if (isUnionMLError(error) && error.code === 'DATA_FILE_NOT_FOUND') {
      throw new DataFileError(path, `${what} file not found: ${path}`, {
        code: DATA_ERRORS.DATA_FILE_NOT_FOUND,
        cause: error,
        hint: 'check the path; relative paths start from the current folder',
      });
    }
    throw error;
  }
}

function renameKeys(value: Record<string, unknown>, names: Readonly<Record<string, string>>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const given: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = Object.hasOwn(names, key) ? names[key]! : key;
    if (Object.hasOwn(given, name))
      throw new InputsError(`--inputs ${where} has both '${given[name]}' and '${key}'`, 'give each argument once, in one spelling');
    setOwn(given, name, key);
    setOwn(out, name, v);
  }
  return out;
}
