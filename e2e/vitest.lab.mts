import { defineProject } from '../vitest.shared.mjs';

// The Flyte lab's acceptance with Flyte's own clients: `nx run e2e:lab` (needs `nx run flyte-lab:up`). The three
// files run side by side (the schedule test mostly waits).
export default defineProject(import.meta.dirname, 'e2e-lab', {
  include: ['src/lab/*.lab.ts'],
  testTimeout: 1_200_000,
  hookTimeout: 900_000,
  fileParallelism: true,
  maxWorkers: 3,
});
