// Compile-time contracts. `tsc` (the typecheck target) fails if a `@ts-expect-error` line stops being an error,
// so every wrong signature below is proven to be rejected by the compiler; vitest runs the value checks.
import { type DataFrame } from '@unionml/data';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Dataset } from './dataset.js';
import { Model } from './model.js';
import { Centroid, frame } from './test-support/fixtures.js';
import type { NoArgs } from './types.js';

const dataset = new Dataset({ targets: ['y'], readerArgs: z.object({ n: z.int().default(100) }) });
dataset.reader(({ n }) => frame(n));
const model = new Model({
  name: 'typed',
  dataset,
  hyperparameters: z.object({ shift: z.number().default(0) }),
  prediction: z.array(z.number()),
  init: Centroid,
});

describe('types flow end to end', () => {
  it('infers the hyperparameters, model object, reader args and prediction', async () => {
    expectTypeOf(model.artifact?.modelObject).toEqualTypeOf<Centroid | undefined>();
    expectTypeOf(model.checkHyperparameters({})).toEqualTypeOf<{ shift: number }>();
    model.trainer((m, features, target) => {
      expectTypeOf(m).toEqualTypeOf<Centroid>();
      expectTypeOf(features).toEqualTypeOf<DataFrame>();
      expectTypeOf(target).toEqualTypeOf<DataFrame>();
      return m.fit(features.toMatrix(), target.toVector());
    });
    model.predictor((m, features) => m.predict(features.toMatrix()));
    const result = await model.train({ hyperparameters: {}, n: 50 });
    expectTypeOf(result.modelObject).toEqualTypeOf<Centroid>();
    expectTypeOf(result.hyperparameters).toEqualTypeOf<{ shift: number }>();
    expectTypeOf<ReturnType<typeof model.predict>>().toEqualTypeOf<Promise<number[]>>();
    expect(result.modelObject).toBeInstanceOf(Centroid);
  });

  it('rejects components whose signatures do not fit', () => {
    // @ts-expect-error the trainer must take the model type (Centroid), not a string
    model.trainer((m: string) => m);
    // @ts-expect-error the trainer must return the model object
    model.trainer(() => 42);
    // @ts-expect-error the predictor must return the declared prediction type (number[])
    model.predictor(() => 'x');
    // @ts-expect-error the predictor's features are a DataFrame, not numbers
    model.predictor((_m, features: number[][]) => features.map(() => 1));
    // @ts-expect-error the evaluator must return a number
    model.evaluator(() => 'good');
    // @ts-expect-error reader arguments are typed from readerArgs
    dataset.reader(({ m }: { m: string }) => frame(Number(m)));
    // @ts-expect-error init must accept the hyperparameters' type
    new Model({ dataset, hyperparameters: z.object({ k: z.number() }), init: (hp: { k: string }) => hp });
    expect(true).toBe(true);
  });

  it('rejects wrong inputs to train and predict', () => {
    const check = () => {
      // @ts-expect-error unknown hyperparameter
      void model.train({ hyperparameters: { shfit: 1 } });
      // @ts-expect-error reader argument of the wrong type
      void model.train({ n: 'many' });
      // @ts-expect-error features must be records or a DataFrame
      void model.predict({ features: 42 });
    };
    expect(typeof check).toBe('function');
  });

  it('types non-tabular datasets from their spec', () => {
    const arrays = new Dataset<NoArgs, { data: number[][]; parsed: [number[][], number[]] }>({ tabular: false });
    const m = new Model({ dataset: arrays, init: () => ({ w: 0 }) });
    m.trainer((obj, features, labels) => {
      expectTypeOf(features).toEqualTypeOf<number[][]>();
      expectTypeOf(labels).toEqualTypeOf<number[]>();
      return obj;
    });
    // @ts-expect-error labels are number[], not a DataFrame
    m.trainer((obj, _features, _labels: DataFrame) => obj);
    expect(arrays.tabular).toBe(false);
  });
});
