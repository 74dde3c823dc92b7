// npm run docs:errors: writes docs/errors.md from the registries.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorReference } from '../src/test-support/error-reference.js';

const target = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));
writeFileSync(target, errorReference());
console.log(`wrote ${target}`);
