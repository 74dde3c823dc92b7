import { defineProject } from '../vitest.shared.mjs';

// The e2e suites are not part of `nx run-many -t test`: they run through `nx run e2e:local`.
export default defineProject(import.meta.dirname, 'e2e', {
  include: ['src/local.e2e.ts'],
  testTimeout: 300_000,
  hookTimeout: 600_000,
  fileParallelism: false,
});
