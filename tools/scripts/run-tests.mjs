#!/usr/bin/env node
// Runs every check of the workspace and prints, as its last line, "N passed, N failed" (counts of tests).
//
//   node tools/scripts/run-tests.mjs          typecheck + unit/integration tests of every project + e2e:local
//   node tools/scripts/run-tests.mjs --unit   without e2e:local
//
// Each vitest project writes a JSON report to test-output/vitest/<project>.json (see vitest.shared.mjs); the
// counts come from those reports. A failed task that wrote no report (e.g. a type error) counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const reports = join(root, 'test-output', 'vitest');
const unitOnly = process.argv.includes('--unit');

rmSync(reports, { recursive: true, force: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'true' };
const steps = [['typecheck', 'nx', ['run-many', '-t', 'typecheck', '--outputStyle=stream']], ['tests', 'nx', ['run-many', '-t', 'test', '--outputStyle=stream']]];
if (!unitOnly) steps.push(['e2e:local', 'nx', ['run', 'e2e:local', '--outputStyle=stream']]);

const failedSteps = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const result = spawnSync(join(root, 'node_modules', '.bin', cmd), args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
const stepsWithReports = new Set();
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    // A suite that failed to load (syntax error, missing module) has no failed tests but failed files.
    failed += (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
    stepsWithReports.add(file === 'e2e.json' ? 'e2e:local' : 'tests');
  }
}
for (const step of failedSteps) {
  // typecheck writes no report; a test step that failed without any failing test failed outside the tests.
  if (step === 'typecheck' || !stepsWithReports.has(step) || failed === 0) failed += 1;
}
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length || failed ? 1 : 0);
