// Input checks and label encoding shared by the metrics. Internal: not exported by the subpath.
import { MetricInputError } from '../errors.js';
import type { ClassLabel } from '../types.js';

/** Throws the {@link MetricInputError} of `metric`. */
export function fail(metric: string, problem: string, hint?: string): never {
  throw new MetricInputError(metric, problem, hint);
}

/** A value as a message shows it: strings quoted, others as JavaScript prints them. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return 'an array';
  return typeof value;
}

/** At most `max` values, as a message lists them. */
export function list(values: readonly unknown[], max = 10): string {
  const shown = values.slice(0, max).map(show).join(', ');
  return values.length > max ? `${shown}, ... (${values.length} in all)` : shown;
}

/** Checks that `a` and `b` are array-likes of the same, non-zero length; returns it. */
export function checkLengths(metric: string, a: ArrayLike<unknown>, aName: string, b: ArrayLike<unknown>, bName: string): number {
  checkArrayLike(metric, a, aName);
  checkArrayLike(metric, b, bName);
  if (a.length !== b.length) {
    fail(
      metric,
      `${aName} has ${a.length} values but ${bName} has ${b.length}`,
      `pass one ${bName} value for each ${aName} value, for the same rows in the same order`,
    );
  }
  if (a.length === 0) fail(metric, `${aName} and ${bName} are empty`, 'score at least one row');
  return a.length;
}

function checkArrayLike(metric: string, value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number') {
    fail(metric, `${name} is ${show(value)}, not an array`, `pass ${name} as an array (or a typed array) with one value per row`);
  }
}

/** A finite number at `values[i]`, or the error that names it. */
export function finiteAt(metric: string, values: ArrayLike<number>, name: string, i: number): number {
  const v = values[i];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return fail(metric, `${name}[${i}] is ${show(v)}, not a finite number`, `remove or fill the missing and infinite values of ${name} first`);
}

/** The kind of a label: what every label of a metric call must share. */
export type LabelKind = 'number' | 'string' | 'boolean';

/**
 * Checks one label: a number that is an integer, a string or a boolean, of the same kind as the first label seen.
 * Like scikit-learn, a classification metric refuses NaN, non-integer ("continuous") numbers and mixed types.
 */
export function checkLabel(metric: string, v: unknown, kind: LabelKind, first: string, name: string, i: number): void {
  const t = typeof v;
  if (t === kind) {
    if (t !== 'number' || Number.isInteger(v)) return;
    if (Number.isNaN(v)) fail(metric, `${name}[${i}] is NaN`, `remove or fill the missing values of ${name} first`);
    fail(
      metric,
      `${name}[${i}] is ${show(v)}, not a class label: classification metrics take integer, string or boolean labels`,
      Number.isFinite(v)
        ? 'for continuous values use a regression metric (r2, meanSquaredError, meanAbsoluteError); for scores or probabilities use rocAuc or logLoss'
        : `remove the infinite values of ${name} first`,
    );
  }
  if (t !== 'number' && t !== 'string' && t !== 'boolean') {
    fail(metric, `${name}[${i}] is ${show(v)}, not a class label (a number, string or boolean)`, 'pass one label per row');
  }
  fail(
    metric,
    `labels must all be numbers, all strings or all booleans, but ${first} is a ${kind} and ${name}[${i}] is ${show(v)}`,
    'convert the labels to one type first, e.g. with String(label) or Number(label)',
  );
}

/** The kind of the first label of `values` (assumed non-empty), or the error saying it is not a label. */
export function kindOfFirst(metric: string, values: ArrayLike<unknown>, name: string): LabelKind {
  const t = typeof values[0];
  if (t === 'number' || t === 'string' || t === 'boolean') return t;
  return fail(metric, `${name}[0] is ${show(values[0])}, not a class label (a number, string or boolean)`, 'pass one label per row');
}

/** Checks the labels of `inputs` (each a name and its values; all of one kind) without encoding them; returns their kind. */
export function checkLabels(metric: string, inputs: readonly (readonly [string, ArrayLike<unknown>])[]): LabelKind {
  const [firstName, firstValues] = inputs[0]!;
  const kind = kindOfFirst(metric, firstValues, firstName);
  for (const [name, values] of inputs) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== kind || (kind === 'number' && !Number.isInteger(v))) checkLabel(metric, v, kind, `${firstName}[0]`, name, i);
    }
  }
  return kind;
}

/** Orders labels as scikit-learn (numpy) sorts them: numbers ascending, strings by code point, false before true. */
export function compareLabels(a: ClassLabel, b: ClassLabel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // Mixed kinds never reach a sort (they are refused); order them by kind for a total order anyway.
  const rank = (v: ClassLabel) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  return rank(a) - rank(b);
}

/** Compares strings by Unicode code point (numpy's order), not by UTF-16 code unit. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800..U+DFFF) encode code points above U+FFFF: they sort after U+E000..U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/** Labels as codes: indices into `labels`, the sorted distinct labels of every input. */
export interface EncodedLabels<L extends ClassLabel> {
  /** The distinct labels of all inputs, sorted as {@link compareLabels} sorts them. */
  labels: L[];
  kind: LabelKind;
  /** One array per input: `codes[k][i]` is the index in `labels` of `inputs[k][i]`. */
  codes: Int32Array[];
}

/**
 * Checks the labels of `inputs` (each a name and its values; all of one kind) and encodes them as indices into
 * their sorted distinct labels. One pass per input plus one remapping pass.
 */
export function encodeLabels<L extends ClassLabel>(metric: string, inputs: readonly (readonly [string, ArrayLike<L>])[]): EncodedLabels<L> {
  const [firstName, firstValues] = inputs[0]!;
  const kind = kindOfFirst(metric, firstValues, firstName);
  const first = `${firstName}[0]`;
  const index = new Map<L, number>();
  const seen: L[] = [];
  const codes = inputs.map(([name, values]) => {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let code = index.get(v);
      if (code === undefined) {
        checkLabel(metric, v, kind, first, name, i);
        code = seen.length;
        index.set(v, code);
        seen.push(v);
      }
      out[i] = code;
    }
    return out;
  });
  // A value found in the map is a label already checked: only new values are checked above.
  const order = seen.map((_, i) => i).sort((a, b) => compareLabels(seen[a]!, seen[b]!));
  const labels = order.map((i) => seen[i]!);
  if (order.some((old, position) => old !== position)) {
    const remap = new Int32Array(order.length);
    order.forEach((old, position) => (remap[old] = position));
    for (const out of codes) for (let i = 0; i < out.length; i++) out[i] = remap[out[i]!]!;
  }
  return { labels, kind, codes };
}

/**
 * Checks labels given by the caller (`options.labels`): non-empty, one kind, no duplicates, and when `sorted`, in
 * scikit-learn's order. Returns a copy of them and a map from label to position.
 */
export function checkGivenLabels<L extends ClassLabel>(metric: string, given: readonly L[], sorted: boolean): { labels: L[]; index: Map<L, number> } {
  const raw: unknown = given;
  if (!Array.isArray(raw) || raw.length === 0) fail(metric, 'options.labels is empty or not an array', 'pass the classes, e.g. { labels: [0, 1, 2] }');
  const labels = [...given];
  const kind = kindOfFirst(metric, labels, 'options.labels');
  const index = new Map<L, number>();
  labels.forEach((label, i) => {
    checkLabel(metric, label, kind, 'options.labels[0]', 'options.labels', i);
    if (index.has(label)) fail(metric, `options.labels names ${show(label)} twice`, 'name each class once');
    index.set(label, i);
  });
  if (sorted) {
    for (let i = 1; i < labels.length; i++) {
      if (compareLabels(labels[i - 1]!, labels[i]!) > 0) {
        const expected = [...labels].sort(compareLabels);
        fail(
          metric,
          `options.labels must be sorted as the probability columns are (as scikit-learn sorts classes), but ${show(labels[i - 1])} comes before ${show(labels[i])}`,
          `order the labels and the columns alike: [${list(expected)}]`,
        );
      }
    }
  }
  return { labels, index };
}
