// The nearest-centroid test model of @unionml/testing, kept here as a copy: core's package map allows it no
// dependency but @unionml/data and @unionml/errors, not even for tests (the packages above core share @unionml/testing).
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
