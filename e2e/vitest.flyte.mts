import { defineProject } from '../vitest.shared.mjs';

// Flyte conformance: `nx run e2e:flyte` (needs the judges: bash tools/scripts/setup-flyte-judges.sh).
export default defineProject(import.meta.dirname, 'e2e-flyte', {
  include: ['src/**/*.flyte.ts', 'src/flyte.e2e.ts'],
  testTimeout: 300_000,
  hookTimeout: 600_000,
  fileParallelism: false,
});
