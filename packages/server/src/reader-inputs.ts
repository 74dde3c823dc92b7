// Predictions from reader arguments ({"inputs": {...}}) for POST /predict, when the server allows them: the arguments
// checked against the dataset's readerArgs, and the serialized predictions kept in a small LRU cache by the arguments.
import type { AnyModel, Logger, ModelArtifact } from '@unionml/core';

/** Options of {@link readerPredictions}. */
export interface ReaderPredictionsOptions {
  /** How many predictions to keep (least recently used first out); 0 keeps none. */
  cacheSize: number;
  logger: Logger;
  /** The JSON text of a prediction (throws `PREDICTION_NOT_SERIALIZABLE`). */
  serialize: (prediction: unknown) => string;
}

/**
 * Makes the function that answers `{"inputs": args}`: it checks `args` against the dataset's `readerArgs`
 * (`ARGUMENTS_INVALID` naming the known arguments, before anything is read), then returns the prediction's JSON text,
 * from the cache when the same arguments (after the schema's defaults: `{}` and `{"n": 100}` are the same when 100 is
 * n's default) were answered before with the same artifact. Concurrent requests with the same arguments share one
 * prediction. Failures are not cached. The model's post-prediction callbacks run only when a prediction is computed.
 *
 * The reader is assumed to give the same data for the same arguments while the server runs; the cache is emptied
 * when the model's artifact changes.
 */
export function readerPredictions(
  model: AnyModel,
  { cacheSize, logger, serialize }: ReaderPredictionsOptions,
): (args: Record<string, unknown>) => Promise<Buffer> {
  const cache = new Map<string, Promise<Buffer>>();
  let cachedFor: ModelArtifact | undefined;
  const compute = async (args: Record<string, unknown>): Promise<Buffer> => Buffer.from(serialize(await model.predict({ inputs: args }, { logger })));

  return (args) => {
    // Checked here for the cache key; the raw arguments go to predict, which checks them again (a schema's transforms
    // must not run twice).
    const checked: unknown = model.dataset.checkReaderArgs(args);
    if (cacheSize === 0) return compute(args);
    if (model.artifact !== cachedFor) {
      cache.clear();
      cachedFor = model.artifact;
    }
    const key = canonicalJson(checked);
    if (key === undefined) return compute(args);
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key); // most recently used last
      cache.set(key, hit);
      return hit;
    }
    const pending = compute(args);
    cache.set(key, pending);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    pending.catch(() => {
      if (cache.get(key) === pending) cache.delete(key);
    });
    return pending;
  };
}

const UNCACHEABLE = Symbol('uncacheable');

/**
 * A canonical JSON text of checked reader arguments: object keys sorted, `undefined` members left out, dates as
 * `{"$date": iso}`, bigints as `{"$bigint": digits}`, non-finite numbers as `{"$number": "NaN"}`. Undefined for values
 * it cannot tell apart (functions, symbols, class instances other than Date).
 */
export function canonicalJson(value: unknown): string | undefined {
  const text = canonical(value);
  return text === UNCACHEABLE ? undefined : text;
}

function canonical(value: unknown): string | typeof UNCACHEABLE {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `{"$number":"${String(value)}"}`;
    case 'bigint':
      return `{"$bigint":"${value.toString()}"}`;
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (const item of value) {
          const text = canonical(item);
          if (text === UNCACHEABLE) return UNCACHEABLE;
          items.push(text);
        }
        return `[${items.join(',')}]`;
      }
      if (value instanceof Date) return `{"$date":${JSON.stringify(Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString())}}`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return UNCACHEABLE;
      const members: string[] = [];
      for (const key of Object.keys(value).sort()) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        const text = canonical(member);
        if (text === UNCACHEABLE) return UNCACHEABLE;
        members.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return UNCACHEABLE;
  }
}
