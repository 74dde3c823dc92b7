import { defineProject } from '../vitest.shared.mjs';

// The app's image on a real Docker daemon: `nx run e2e:docker` (needs `npm run docker:up`).
export default defineProject(import.meta.dirname, 'e2e-docker', {
  include: ['src/docker.e2e.ts'],
  testTimeout: 900_000,
  hookTimeout: 600_000,
  fileParallelism: false,
});
