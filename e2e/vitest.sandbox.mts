import { defineProject } from '../vitest.shared.mjs';

// The user guide's Flyte cluster journey: `nx run e2e:sandbox`, against the cluster the Flyte config names
// (FLYTECTL_CONFIG; the Flyte lab's config when the lab is up; else ~/.flyte/config.yaml).
export default defineProject(import.meta.dirname, 'e2e-sandbox', {
  include: ['src/sandbox/*.sandbox.ts'],
  testTimeout: 1_200_000,
  hookTimeout: 1_200_000,
  fileParallelism: false,
});
