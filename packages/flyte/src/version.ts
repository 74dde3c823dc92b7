import { createRequire } from 'node:module';

/** The version of @unionml/flyte (from its package.json); the default `RuntimeMetadata.version` of tasks. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
