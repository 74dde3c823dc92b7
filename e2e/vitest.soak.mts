import { defineProject } from '../vitest.shared.mjs';

// The soak of `unionml serve` (mixed traffic, RSS, drain on SIGTERM): `nx run e2e:soak` (SOAK_SECONDS, default 60).
export default defineProject(import.meta.dirname, 'e2e-soak', {
  include: ['src/soak.e2e.ts'],
  testTimeout: 600_000,
  hookTimeout: 600_000,
  fileParallelism: false,
});
