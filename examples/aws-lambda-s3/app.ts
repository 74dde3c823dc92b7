/**
 * In the repository only: a stand-in for the app of this template, which is the basic template's digits classifier
 * (examples/digits/app.ts). `unionml init --template basic-aws-lambda-s3` copies that file here instead (the template's
 * `base`, see apps/cli/src/templates.ts), so that the app is written once; this stand-in loads it, so that handler.ts
 * runs and typechecks here as it does in an app.
 */
import type { AnyModel } from '@unionml/core';

const digits = (await import(new URL('../digits/app.ts', import.meta.url).href)) as { dataset: AnyModel['dataset']; model: AnyModel };

export const { dataset, model } = digits;
