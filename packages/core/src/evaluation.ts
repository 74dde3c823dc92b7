// What a trained model's predictions look like against the truth, for reports: a confusion matrix for
// classifiers, predicted against actual values for regressions.
import { DataFrame } from '@unionml/data';
import { confusionMatrix } from './metrics/index.js';
import type { ClassLabel, Evaluation } from './types.js';

/** Classification or regression; `undefined` lets {@link evaluatePredictions} decide from the values. */
export type Task = 'classification' | 'regression';

const MAX_CLASSES = 100;
const MAX_POINTS = 2000;
/** Integer targets with at most this many distinct values are taken as classes. */
const MAX_INTEGER_CLASSES = 50;

/**
 * Compares predictions with the target of a split. Returns `undefined` when they cannot be compared (a target of
 * several columns, predictions that are not one label or number per row, too many classes...): a report then shows
 * the metrics only.
 */
export function evaluatePredictions(target: unknown, prediction: unknown, split: 'train' | 'test', task?: Task): Evaluation | undefined {
  let name = 'target';
  let actual: readonly unknown[];
  if (DataFrame.isDataFrame(target)) {
    if (target.columns.length !== 1) return undefined;
    name = target.columns[0]!;
    actual = target.column(name);
  } else if (Array.isArray(target) || ArrayBuffer.isView(target)) {
    actual = Array.from(target as ArrayLike<unknown>);
  } else return undefined;
  let predicted: readonly unknown[];
  if (Array.isArray(prediction) || (ArrayBuffer.isView(prediction) && !(prediction instanceof DataView)))
    predicted = Array.from(prediction as ArrayLike<unknown>);
  else if (DataFrame.isDataFrame(prediction) && prediction.columns.length === 1) predicted = prediction.column(prediction.columns[0]!);
  else return undefined;
  // One-element rows ([[3], [5]]) are what some models return for one output.
  predicted = predicted.map((p) => (Array.isArray(p) && p.length === 1 ? (p[0] as unknown) : p));
  if (actual.length === 0 || actual.length !== predicted.length) return undefined;
  if (!actual.every(isLabel) || !predicted.every(isLabel)) return undefined;
  const kind = task ?? guessTask(actual, predicted);
  if (kind === 'classification') return confusion(name, split, actual, predicted);
  if (kind === 'regression') return scatter(name, split, actual, predicted);
  return undefined;
}

function isLabel(v: unknown): v is ClassLabel {
  return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number'; // NaN too: a regression leaves it out
}

function guessTask(actual: readonly ClassLabel[], predicted: readonly ClassLabel[]): Task | undefined {
  if (actual.some((v) => typeof v !== 'number')) return 'classification';
  const integers = (values: readonly ClassLabel[]) => values.every((v) => Number.isInteger(v));
  if (integers(actual) && integers(predicted) && new Set(actual).size <= MAX_INTEGER_CLASSES) return 'classification';
  return predicted.every((v) => typeof v === 'number') ? 'regression' : undefined;
}

function confusion(target: string, split: 'train' | 'test', actual: readonly ClassLabel[], predicted: readonly ClassLabel[]): Evaluation | undefined {
  if (new Set([...actual, ...predicted]).size > MAX_CLASSES) return undefined;
  try {
    const { labels, matrix } = confusionMatrix(actual, predicted);
    return { kind: 'classification', split, target, labels, matrix };
  } catch {
    return undefined; // labels of mixed types: no matrix to draw
  }
}

function scatter(target: string, split: 'train' | 'test', actual: readonly unknown[], predicted: readonly unknown[]): Evaluation | undefined {
  const pairs: [number, number][] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (typeof a === 'number' && typeof p === 'number' && Number.isFinite(a) && Number.isFinite(p)) pairs.push([a, p]);
  }
  if (pairs.length === 0) return undefined;
  const step = Math.max(1, pairs.length / MAX_POINTS);
  const sample: [number, number][] = [];
  for (let k = 0; Math.floor(k * step) < pairs.length && sample.length < MAX_POINTS; k++) sample.push(pairs[Math.floor(k * step)]!);
  return { kind: 'regression', split, target, actual: sample.map((p) => p[0]), predicted: sample.map((p) => p[1]), rows: actual.length };
}
