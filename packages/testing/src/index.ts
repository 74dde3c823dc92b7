/**
 * Test helpers shared by the UnionML packages' tests: a small, deterministic model in plain JavaScript and the
 * labelled rows it learns, and an S3 emulator (s3rver). Not published; it depends on no UnionML package, so that any
 * of them can use it.
 * @module
 */
export { startTestS3 } from './s3.js';
export type { TestS3 } from './s3.js';

/** `n` labelled rows from x = offset: `{ x, x2: 2x, y: x >= threshold ? 1 : 0 }`. */
export function labelledRows(n = 100, options: { offset?: number; threshold?: number } = {}): { x: number; x2: number; y: number }[] {
  const { offset = 0, threshold = 50 } = options;
  return Array.from({ length: n }, (_, i) => ({ x: offset + i, x2: 2 * (offset + i), y: offset + i >= threshold ? 1 : 0 }));
}

/** The share of equal labels. */
export function accuracy(predicted: readonly number[], actual: readonly number[]): number {
  return predicted.filter((p, i) => p === actual[i]).length / actual.length;
}

/** Hyperparameters of {@link Centroid}: a shift added to every centroid coordinate per epoch (0 by default). */
export interface CentroidHyperparameters {
  shift?: number;
}

/** A nearest-centroid classifier: deterministic, fast, and saved with toJSON/fromJSON. */
export class Centroid {
  constructor(
    readonly hyperparameters: CentroidHyperparameters = {},
    public centroids: Record<string, number[]> = {},
  ) {}

  fit(X: number[][], y: number[], epochs = 1): this {
    const sums: Record<string, { sum: number[]; n: number }> = {};
    X.forEach((row, i) => {
      const s = (sums[String(y[i])] ??= { sum: row.map(() => 0), n: 0 });
      row.forEach((v, j) => (s.sum[j]! += v));
      s.n++;
    });
    const shift = (this.hyperparameters.shift ?? 0) * epochs;
    this.centroids = Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.sum.map((v) => v / s.n + shift)]));
    return this;
  }

  predict(X: number[][]): number[] {
    return X.map((row) => {
      let best = '';
      let bestDistance = Infinity;
      for (const [k, c] of Object.entries(this.centroids)) {
        const d = row.reduce((s, v, j) => s + (v - c[j]!) ** 2, 0);
        if (d < bestDistance) [best, bestDistance] = [k, d];
      }
      return Number(best);
    });
  }

  toJSON(): { hyperparameters: CentroidHyperparameters; centroids: Record<string, number[]> } {
    return { hyperparameters: this.hyperparameters, centroids: this.centroids };
  }

  /** Rebuilds an instance (of a subclass too) from {@link Centroid.toJSON}'s output. */
  static fromJSON<T extends typeof Centroid>(this: T, json: ReturnType<Centroid['toJSON']>): InstanceType<T> {
    return new this(json.hyperparameters, json.centroids) as InstanceType<T>;
  }
}
