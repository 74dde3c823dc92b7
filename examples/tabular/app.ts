/**
 * Breast cancer classifier: UnionML's `tabular` template in TypeScript.
 *
 * A binary logistic regression with an L2 penalty on scikit-learn's breast cancer data (30 measurements of the cell
 * nuclei in 569 images of breast masses, each diagnosed malignant or benign). The features are standardized by a
 * fitted feature transformer: the scaler learns each column's mean and scale on the train split, the model file keeps
 * them, and every prediction, local, served or on Flyte, is scaled the same way. The regression is written here in
 * plain TypeScript and fitted by Newton's method to the optimum of scikit-learn's `LogisticRegression()`. Train,
 * predict and serve it with the unionml CLI:
 *
 *   npx unionml train app:model --local -o model.json
 *   npx unionml serve app:model --model-path model.json --port 8000
 */
import { Dataset, Model } from '@unionml/core';
import { accuracy, f1, rocAuc } from '@unionml/core/metrics';
import { readCsv, standardScaler, type DataFrame } from '@unionml/data';
import { z } from 'zod';

/** The ten measurements of the cell nuclei. */
const MEASUREMENTS = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave_points', 'symmetry', 'fractal_dimension'];

/** The 30 features, as in the CSV file: each measurement's mean, then its standard error, then its worst value. */
export const FEATURES = [...MEASUREMENTS.map((m) => `mean_${m}`), ...MEASUREMENTS.map((m) => `${m}_error`), ...MEASUREMENTS.map((m) => `worst_${m}`)];

/** The diagnosis, the label to predict. */
export const Diagnosis = z.enum(['benign', 'malignant']);
export type Diagnosis = z.infer<typeof Diagnosis>;

export const dataset = new Dataset({
  name: 'breast_cancer_dataset',
  features: FEATURES,
  targets: ['diagnosis'],
  testSize: 0.2,
  shuffle: true,
  randomState: 12345,
  // Both splits keep the proportions of the diagnoses (with the rows scikit-learn's stratified split picks).
  stratify: true,
});

dataset.reader(() => readCsv(new URL('./data/breast_cancer.csv', import.meta.url)));

// Every feature to mean 0 and variance 1, as scikit-learn's StandardScaler: fitted on the train split only.
dataset.featureTransformer(standardScaler());

export const Hyperparameters = z.object({
  /** The inverse of the L2 penalty's strength, as scikit-learn's `C`: smaller values regularize more. */
  C: z.number().positive().default(1),
  /** The most Newton steps to take. */
  maxIter: z.int().min(1).max(10_000).default(100),
  /** Stop when no coefficient moves by more than this in a step. */
  tol: z.number().positive().default(1e-10),
});
export type Hyperparameters = z.infer<typeof Hyperparameters>;

/** What a fitted {@link LogisticRegression} learned. */
export interface LogisticRegressionState<L extends string> {
  /** The two classes, sorted: the second is the positive one, whose probability the model gives. */
  classes: [L, L];
  /** One weight per feature. */
  coef: number[];
  intercept: number;
  /** The Newton steps the fit took. */
  iterations: number;
}

/**
 * Binary logistic regression with an L2 penalty on the weights (not on the intercept): scikit-learn's
 * `LogisticRegression(C=1)`. It minimizes `C · Σ log-loss + ½‖w‖²`, a strictly convex function, by Newton's method
 * (iteratively reweighted least squares) with a backtracking line search, to the same optimum as scikit-learn's
 * lbfgs solver, to many more digits.
 */
export class LogisticRegression<L extends string = string> {
  constructor(
    readonly hyperparameters: Hyperparameters,
    private state?: LogisticRegressionState<L>,
  ) {}

  /** The classes, sorted, as the columns of {@link LogisticRegression.predictProba}. */
  get classes(): readonly L[] {
    return this.#fitted().classes;
  }

  /** Fits the weights and the intercept to rows of features and their labels, which must hold two classes. */
  fit(X: readonly (readonly number[])[], labels: readonly L[]): this {
    const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classes.length !== 2) throw new Error(`LogisticRegression needs two classes in the labels, got ${classes.length}: ${classes.join(', ')}`);
    if (X.length !== labels.length) throw new Error(`LogisticRegression got ${X.length} rows of features and ${labels.length} labels`);
    const positive = classes[1]!;
    const y = labels.map((label) => (label === positive ? 1 : 0));
    const { C, maxIter, tol } = this.hyperparameters;
    const n = X.length;
    const d = X[0]?.length ?? 0;
    // theta = [w_0 .. w_{d-1}, b]; the penalty 1/C applies to the weights only.
    let theta = new Array<number>(d + 1).fill(0);
    let loss = objective(X, y, theta, C);
    let iterations = 0;
    while (iterations < maxIter) {
      iterations++;
      const gradient = new Array<number>(d + 1).fill(0);
      const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
      for (let i = 0; i < n; i++) {
        const row = X[i]!;
        const p = sigmoid(linear(row, theta));
        const residual = p - y[i]!;
        const weight = p * (1 - p);
        for (let j = 0; j <= d; j++) {
          const xj = j < d ? row[j]! : 1;
          gradient[j]! += residual * xj;
          const scaled = weight * xj;
          for (let k = 0; k <= j; k++) hessian[j]![k]! += scaled * (k < d ? row[k]! : 1);
        }
      }
      for (let j = 0; j < d; j++) {
        gradient[j]! += theta[j]! / C;
        hessian[j]![j]! += 1 / C;
      }
      const step = solveSymmetric(hessian, gradient);
      // Backtracking: halve the Newton step until the objective does not increase (full steps near the optimum).
      let t = 1;
      let next = theta.map((v, j) => v - step[j]!);
      let nextLoss = objective(X, y, next, C);
      while (nextLoss > loss && t > 1e-10) {
        t /= 2;
        next = theta.map((v, j) => v - t * step[j]!);
        nextLoss = objective(X, y, next, C);
      }
      const moved = Math.max(...step.map((s) => Math.abs(t * s)));
      theta = next;
      loss = nextLoss;
      if (moved <= tol) break;
    }
    this.state = { classes: [classes[0]!, positive], coef: theta.slice(0, d), intercept: theta[d]!, iterations };
    return this;
  }

  /** The probabilities of the two classes for each row: `[P(classes[0]), P(classes[1])]`, as scikit-learn's `predict_proba`. */
  predictProba(X: readonly (readonly number[])[]): [number, number][] {
    const { coef, intercept } = this.#fitted();
    return X.map((row) => {
      const p = sigmoid(linear(row, coef, intercept));
      return [1 - p, p];
    });
  }

  /** The class of each row: the positive class where its log-odds are above 0, as scikit-learn decides. */
  predict(X: readonly (readonly number[])[]): L[] {
    const { coef, intercept, classes } = this.#fitted();
    return X.map((row) => classes[linear(row, coef, intercept) > 0 ? 1 : 0]);
  }

  toJSON(): { hyperparameters: Hyperparameters; state: LogisticRegressionState<L> | undefined } {
    return { hyperparameters: this.hyperparameters, state: this.state };
  }

  /** Rebuilds a regression from its {@link LogisticRegression.toJSON} (how UnionML's default loader reads the model file). */
  static fromJSON<L extends string>(json: { hyperparameters: unknown; state?: LogisticRegressionState<L> | undefined }): LogisticRegression<L> {
    return new LogisticRegression<L>(Hyperparameters.parse(json.hyperparameters), json.state);
  }

  #fitted(): LogisticRegressionState<L> {
    if (!this.state) throw new Error('LogisticRegression is not fitted: call fit() first');
    return this.state;
  }
}

/** `x·w + b`; with `b` omitted, `theta` holds the weights then the intercept. */
function linear(row: readonly number[], theta: readonly number[], intercept = theta[row.length]!): number {
  let z = intercept;
  for (let j = 0; j < row.length; j++) z += row[j]! * theta[j]!;
  return z;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** `Σ log-loss + ‖w‖² / (2C)`: scikit-learn's objective divided by C (the same minimum). */
function objective(X: readonly (readonly number[])[], y: readonly number[], theta: readonly number[], C: number): number {
  let loss = 0;
  for (let i = 0; i < X.length; i++) {
    const z = linear(X[i]!, theta);
    // log(1 + exp(z)) - y·z, computed without overflow
    loss += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i]! * z;
  }
  let penalty = 0;
  for (let j = 0; j < theta.length - 1; j++) penalty += theta[j]! ** 2;
  return loss + penalty / (2 * C);
}

/** Solves `A x = b` for a symmetric positive definite `A` given by its lower triangle (Cholesky). */
function solveSymmetric(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i]![j]!;
      for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('LogisticRegression: the Hessian is not positive definite (are the features finite?)');
        L[i]![i] = Math.sqrt(sum);
      } else L[i]![j] = sum / L[j]![j]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= L[i]![k]! * z[k]!;
    z[i] = sum / L[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < n; k++) sum -= L[k]![i]! * x[k]!;
    x[i] = sum / L[i]![i]!;
  }
  return x;
}

/** The target column as diagnoses (an error names any other value). */
const Diagnoses = z.array(Diagnosis);
const diagnoses = (target: DataFrame): Diagnosis[] => Diagnoses.parse(target.column('diagnosis'));

export const model = new Model({
  name: 'breast_cancer_classifier',
  dataset,
  hyperparameters: Hyperparameters,
  prediction: z.array(Diagnosis),
  task: 'classification',
  init: (hyperparameters) => new LogisticRegression<Diagnosis>(hyperparameters),
});

model.trainer((classifier, features, target) => classifier.fit(features.toMatrix(), diagnoses(target)));

model.predictor((classifier, features) => classifier.predict(features.toMatrix()));

model.evaluator((classifier, features, target) => {
  const X = features.toMatrix();
  const actual = diagnoses(target);
  const predicted = classifier.predict(X);
  const malignant = classifier.classes.indexOf('malignant');
  const probability = classifier.predictProba(X).map((row) => row[malignant]!);
  return {
    accuracy: accuracy(actual, predicted),
    f1: f1(actual, predicted, { posLabel: 'malignant' }),
    rocAuc: rocAuc(actual, probability),
  };
});
