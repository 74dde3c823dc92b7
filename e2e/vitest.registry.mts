import { defineProject } from '../vitest.shared.mjs';

// The published packages from a real registry (Verdaccio on loopback): `nx run e2e:registry`. The steps are npm
// installs that take minutes on a cold cache, one after another (each test needs the one before).
export default defineProject(import.meta.dirname, 'e2e-registry', {
  include: ['src/registry.e2e.ts'],
  testTimeout: 1_500_000,
  hookTimeout: 300_000,
  fileParallelism: false,
});
