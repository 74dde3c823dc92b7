/**
 * Digits classifier: UnionML's `basic` template in TypeScript.
 *
 * A softmax (multinomial logistic) regression on the 8x8 handwritten digits, trained with TensorFlow.js on its
 * WebAssembly backend. Train, predict and serve it with the unionml CLI:
 *
 *   npx unionml train app:model --local -o model.json
 *   npx unionml serve app:model --model-path model.json --port 8000
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Dataset, Model } from '@unionml/core';
import { readCsv, type TypedMatrix } from '@unionml/data';
import { z } from 'zod';

// The WebAssembly backend: fast on CPU and needs no native install. Its .wasm files ship in the npm package.
setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend('wasm');

/** The 64 pixel columns, `pixel_{row}_{col}`, as in scikit-learn's `load_digits(as_frame=True)`. */
export const PIXELS = Array.from({ length: 64 }, (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`);

export const dataset = new Dataset({
  name: 'digits_dataset',
  features: PIXELS,
  targets: ['target'],
  testSize: 0.2,
  shuffle: true,
  randomState: 12345,
});

dataset.reader(() => readCsv(new URL('./data/digits.csv.gz', import.meta.url), { columns: [...PIXELS, 'target'] }));

export const Hyperparameters = z.object({
  learningRate: z.number().positive().default(0.05),
  epochs: z.int().min(1).max(100_000).default(300),
  l2: z.number().min(0).default(0.0001),
});
export type Hyperparameters = z.infer<typeof Hyperparameters>;

type State = { weights: number[][]; bias: number[]; mean: number[]; scale: number[]; classes: number[] };

/** Softmax regression on standardized features, trained by full-batch Adam. */
export class SoftmaxRegression {
  /** Weights with the standardization folded in, as tensors, made once: prediction is on the serving hot path. */
  #tensors?: { weights: tf.Tensor2D; bias: tf.Tensor1D } | undefined;

  constructor(
    readonly hyperparameters: Hyperparameters,
    private state?: State,
  ) {}

  async fit(X: number[][], y: number[]): Promise<this> {
    const classes = [...new Set(y)].sort((a, b) => a - b);
    const { mean, scale } = standardization(X);
    const { learningRate, epochs, l2 } = this.hyperparameters;
    const [weights, bias] = tf.tidy(() => {
      const inputs = tf.tensor2d(X).sub(mean).div(scale);
      const labels = tf.oneHot(tf.tensor1d(y.map((v) => classes.indexOf(v)), 'int32'), classes.length);
      const w = tf.variable(tf.zeros([X[0]!.length, classes.length]));
      const b = tf.variable(tf.zeros([classes.length]));
      const optimizer = tf.train.adam(learningRate);
      for (let epoch = 0; epoch < epochs; epoch++) {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, inputs.matMul(w).add(b)).add(w.square().sum().mul(l2)) as tf.Scalar);
      }
      optimizer.dispose();
      return [w.arraySync() as number[][], b.arraySync() as number[]];
    });
    this.state = { weights, bias, mean, scale, classes };
    this.#tensors = undefined;
    return this;
  }

  /** Predicts class labels for rows of features (`number[][]`, or a DataFrame's `toTypedMatrix()`). */
  predict(X: number[][] | TypedMatrix): number[] {
    const state = this.state;
    if (!state) throw new Error('SoftmaxRegression is not fitted: call fit() first');
    const { weights, bias } = (this.#tensors ??= foldStandardization(state));
    const logits = tf.tidy(() => (Array.isArray(X) ? tf.tensor2d(X) : tf.tensor2d(X.values, [X.rows, X.cols])).matMul(weights).add(bias).dataSync());
    const k = state.classes.length;
    return Array.from({ length: logits.length / k }, (_, row) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[row * k + c]! > logits[row * k + best]!) best = c;
      return state.classes[best]!;
    });
  }

  toJSON() {
    return { hyperparameters: this.hyperparameters, state: this.state };
  }

  static fromJSON(json: ReturnType<SoftmaxRegression['toJSON']>): SoftmaxRegression {
    return new SoftmaxRegression(Hyperparameters.parse(json.hyperparameters), json.state);
  }
}

/** ((x - mean) / scale)·W + b  =  x·(W / scale) + (b - (mean / scale)·W): one matMul and one add per prediction. */
function foldStandardization({ weights, bias, mean, scale }: State): { weights: tf.Tensor2D; bias: tf.Tensor1D } {
  const folded = weights.map((row, j) => row.map((w) => w / scale[j]!));
  const shift = bias.map((b, c) => b - folded.reduce((sum, row, j) => sum + mean[j]! * row[c]!, 0));
  return { weights: tf.tensor2d(folded), bias: tf.tensor1d(shift) };
}

function standardization(X: number[][]): { mean: number[]; scale: number[] } {
  const n = X.length;
  const mean = X[0]!.map((_, j) => X.reduce((s, row) => s + row[j]!, 0) / n);
  const scale = mean.map((m, j) => Math.sqrt(X.reduce((s, row) => s + (row[j]! - m) ** 2, 0) / n) || 1);
  return { mean, scale };
}

export const model = new Model({
  name: 'digits_classifier',
  dataset,
  hyperparameters: Hyperparameters,
  prediction: z.array(z.number()),
  init: SoftmaxRegression,
});

model.trainer((estimator, features, target) => estimator.fit(features.toMatrix(), target.toVector()));

model.predictor((estimator, features) => estimator.predict(features.toTypedMatrix()));

model.evaluator((estimator, features, target) => {
  const predicted = estimator.predict(features.toTypedMatrix());
  const actual = target.toVector();
  return predicted.filter((p, i) => p === actual[i]).length / actual.length;
});
