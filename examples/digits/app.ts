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
  /** The weights with the standardization folded in, made once: prediction is on the serving hot path. */
  #inference?: { weights: Float64Array; bias: Float64Array } | undefined;

  constructor(
    readonly hyperparameters: Hyperparameters,
    private state?: State,
  ) {}

  fit(X: number[][], y: number[]): Promise<this> {
    const classes = [...new Set(y)].sort((a, b) => a - b);
    const { mean, scale } = standardization(X);
    const { learningRate, epochs, l2 } = this.hyperparameters;
    const [weights, bias] = tf.tidy(() => {
      const inputs = tf.tensor2d(X).sub(mean).div(scale);
      const labels = tf.oneHot(
        tf.tensor1d(
          y.map((v) => classes.indexOf(v)),
          'int32',
        ),
        classes.length,
      );
      const w = tf.variable(tf.zeros([X[0]!.length, classes.length]));
      const b = tf.variable(tf.zeros([classes.length]));
      const optimizer = tf.train.adam(learningRate);
      for (let epoch = 0; epoch < epochs; epoch++) {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, inputs.matMul(w).add(b)).add<tf.Scalar>(w.square().sum().mul(l2)));
      }
      optimizer.dispose();
      return [w.arraySync() as number[][], b.arraySync() as number[]];
    });
    // A learning rate too large makes the weights overflow: say so, rather than keep a model that predicts nothing.
    if (![...weights.flat(), ...bias].every(Number.isFinite)) {
      throw new Error(`training diverged: the weights are NaN or infinite (learningRate ${learningRate}); lower the learningRate`);
    }
    this.state = { weights, bias, mean, scale, classes };
    this.#inference = undefined;
    // Training runs synchronously; fit returns a Promise as model libraries' fit methods do (the trainer awaits it).
    return Promise.resolve(this);
  }

  /**
   * Predicts class labels for rows of features (`number[][]`, or a DataFrame's `toTypedMatrix()`).
   *
   * Training uses TensorFlow.js; prediction is one small dot product per row, which plain JavaScript does in a
   * few microseconds, while a tfjs call costs ~30 µs of per-operation overhead for inputs this small. Bigger
   * models would predict with tfjs (`tf.tidy(() => model.predict(tf.tensor2d(...)))`).
   */
  predict(X: number[][] | TypedMatrix): number[] {
    const state = this.state;
    if (!state) throw new Error('SoftmaxRegression is not fitted: call fit() first');
    const { weights, bias } = (this.#inference ??= foldStandardization(state));
    const { values, rows, cols } = Array.isArray(X) ? { values: X.flat(), rows: X.length, cols: X[0]?.length ?? 0 } : X;
    const k = bias.length;
    if (rows > 0 && cols * k !== weights.length) throw new Error(`SoftmaxRegression expects ${weights.length / k} features per row, got ${cols}`);
    const logits = new Float64Array(k);
    return Array.from({ length: rows }, (_, r) => {
      logits.set(bias);
      for (let j = 0; j < cols; j++) {
        const x = values[r * cols + j]!;
        if (x !== 0) for (let c = 0; c < k; c++) logits[c]! += x * weights[j * k + c]!;
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[c]! > logits[best]!) best = c;
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

/** ((x - mean) / scale)·W + b  =  x·(W / scale) + (b - (mean / scale)·W): one dot product per prediction. */
function foldStandardization({ weights, bias, mean, scale }: State): { weights: Float64Array; bias: Float64Array } {
  const folded = weights.map((row, j) => row.map((w) => w / scale[j]!));
  return {
    weights: Float64Array.from(folded.flat()),
    bias: Float64Array.from(bias.map((b, c) => b - folded.reduce((sum, row, j) => sum + mean[j]! * row[c]!, 0))),
  };
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

model.evaluator({ metric: 'accuracy' })((estimator, features, target) => {
  const predicted = estimator.predict(features.toTypedMatrix());
  const actual = target.toVector();
  return predicted.filter((p, i) => p === actual[i]).length / actual.length;
});
