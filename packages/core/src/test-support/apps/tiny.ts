// A complete app used by the app-loading tests.
import { makeApp } from '../fixtures.js';

export const { model, dataset } = makeApp({ name: 'tiny' });
export const notAModel = { name: 'not a model' };
