// The remote model keeps the model's types: hyperparameters, reader arguments, the model object and predictions.
// Checked by the type checker (`nx run remote:typecheck` compiles the tests); the calls are never made.
import type { Centroid } from '@unionml/testing';
import { describe, expectTypeOf, it } from 'vitest';
import { makeApp } from '../test-support/app.js';
import { remote } from './remote-model.js';
import type { RemoteArtifact, RemoteExecution } from './types.js';

describe('RemoteModel types', () => {
  it("types train, predict, load and fetchModel from the model's declarations", () => {
    const app = remote(makeApp().model);
    const typed = () => {
      expectTypeOf(app.train()).resolves.toEqualTypeOf<RemoteArtifact<Centroid, { shift: number }>>();
      expectTypeOf(app.train({ hyperparameters: { shift: 1 }, n: 20 }, { appVersion: 'v1' })).resolves.toEqualTypeOf<
        RemoteArtifact<Centroid, { shift: number }>
      >();
      expectTypeOf(app.train({}, { wait: false })).resolves.toEqualTypeOf<RemoteExecution<'train'>>();
      expectTypeOf(app.predict({ features: [{ x: 1, x2: 2 }] })).resolves.toEqualTypeOf<number[]>();
      expectTypeOf(app.predict({ n: 20 }, { wait: false })).resolves.toEqualTypeOf<RemoteExecution<'predict'>>();
      expectTypeOf(app.fetchModel('latest')).resolves.toEqualTypeOf<RemoteArtifact<Centroid, { shift: number }>>();
      expectTypeOf(app.load('f1')).resolves.toHaveProperty('modelObject').toEqualTypeOf<Centroid>();
      expectTypeOf(app.fetchPredictions('f2')).resolves.toEqualTypeOf<number[]>();
      // @ts-expect-error -- shift is a number
      void app.train({ hyperparameters: { shift: 'x' } });
      // @ts-expect-error -- no such hyperparameter
      void app.train({ hyperparameters: { shfit: 1 } });
      // @ts-expect-error -- the reader argument n is a number
      void app.train({ n: 'many' });
      // @ts-expect-error -- the reader argument n is a number
      void app.predict({ n: 'many' });
    };
    expectTypeOf(typed).toBeFunction();
  });
});
