/**
 * Diabetes progression regression: UnionML's `regression` template in TypeScript.
 *
 * Ordinary least squares on scikit-learn's diabetes data (ten baseline measurements of 442 patients, unscaled, and a
 * measure of the disease's progression a year later), fitted by `ml-regression-multivariate-linear` of the mljs
 * libraries. Its regressions have `toJSON()` and a static `load(json)`, so UnionML's default saver writes them to
 * the model file and reads them back with no code of the app's. Train, predict and serve it with the unionml CLI:
 *
 *   npx unionml train app:model --local -o model.json
 *   npx unionml serve app:model --model-path model.json --port 8000
 */
import { Dataset, Model } from '@unionml/core';
import { meanSquaredError, r2 } from '@unionml/core/metrics';
import { readCsv, type DataFrame } from '@unionml/data';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { z } from 'zod';

/** The ten baseline variables: age, sex (1 or 2), body mass index, mean blood pressure and six blood serum measurements. */
export const FEATURES = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'];

export const dataset = new Dataset({
  name: 'diabetes_dataset',
  features: FEATURES,
  targets: ['target'],
  testSize: 0.2,
  shuffle: true,
  randomState: 12345,
});

dataset.reader(() => readCsv(new URL('./data/diabetes.csv', import.meta.url)));

export const Hyperparameters = z.object({
  /** Fit an intercept (a constant term); without one the regression passes through the origin. */
  intercept: z.boolean().default(true),
});
export type Hyperparameters = z.infer<typeof Hyperparameters>;

/**
 * The model object. An mljs regression is fitted by its constructor, `new MultivariateLinearRegression(x, y,
 * options)`, so `init` gives the options and the trainer makes the regression with them: the model object is the
 * options before training and the fitted regression after it (the one the model file stores).
 */
export type Regression = MultivariateLinearRegression | MultivariateLinearRegression.MLROptions;

/** The fitted regression, or an error when the model object is still the options of an unfitted one. */
export function fitted(regression: Regression): MultivariateLinearRegression {
  if (regression instanceof MultivariateLinearRegression) return regression;
  throw new Error('the regression is not fitted: train the model first');
}

/** The options of a regression to fit, as init made them. */
export function unfitted(regression: Regression): MultivariateLinearRegression.MLROptions {
  if (regression instanceof MultivariateLinearRegression) throw new Error('the regression is already fitted: the trainer fits the options init makes');
  return regression;
}

/** One prediction per row of the features: mljs predicts a row of outputs per row, here one output. */
export function predict(regression: Regression, features: DataFrame): number[] {
  return fitted(regression)
    .predict(features.toMatrix())
    .map((outputs) => outputs[0]!);
}

export const model = new Model({
  name: 'diabetes_regressor',
  dataset,
  hyperparameters: Hyperparameters,
  prediction: z.array(z.number()),
  task: 'regression',
  init: (hyperparameters): Regression => ({ intercept: hyperparameters.intercept }),
  // The trained model object is a MultivariateLinearRegression, which init does not make: listed here, the default
  // loader rebuilds it from the model file with its static load(json).
  modelClasses: [MultivariateLinearRegression],
});

model.trainer((regression, features, target) => new MultivariateLinearRegression(features.toMatrix(), target.toMatrix(), unfitted(regression)));

model.predictor((regression, features) => predict(regression, features));

model.evaluator((regression, features, target) => {
  const predicted = predict(regression, features);
  const actual = target.toVector();
  return { r2: r2(actual, predicted), mse: meanSquaredError(actual, predicted) };
});
