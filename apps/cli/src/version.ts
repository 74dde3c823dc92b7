import { readFileSync } from 'node:fs';

/** The version of the unionml package (the CLI), from its package.json (the same file in the workspace and when installed). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
