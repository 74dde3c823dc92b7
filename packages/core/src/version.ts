import { createRequire } from 'node:module';

/** The version of @unionml/core (from its package.json), recorded in model files. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
