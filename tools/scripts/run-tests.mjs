#!/usr/bin/env node
// Runs every check of the workspace and prints, as its last line, "N passed, N failed" (counts of tests).
//
//   node tools/scripts/run-tests.mjs          a Docker daemon (npm run docker:up) + typecheck + unit/integration tests of
//                                             every project + e2e:local + the Flyte conformance suite e2e:flyte (after
//                                             building the Flyte judges) + the app image on the daemon, e2e:docker
//   node tools/scripts/run-tests.mjs --unit   the daemon, typecheck and the projects' tests only
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
const nx = join(root, 'node_modules', '.bin', 'nx');
const steps = [
  // @unionml/docker's tests and e2e:docker use a real daemon (and the local base image it makes).
  ['docker daemon', 'bash', [join(root, 'tools', 'scripts', 'docker-up.sh')]],
  ['typecheck', nx, ['run-many', '-t', 'typecheck', '--outputStyle=stream']],
  ['tests', nx, ['run-many', '-t', 'test', '--outputStyle=stream']],
];
if (!unitOnly) {
  steps.push(['e2e:local', nx, ['run', 'e2e:local', '--outputStyle=stream']]);
  // Flyte's own code judges ours: its Go compiler (Go module proxy) and flytekit (PyPI), built here.
  steps.push(['flyte judges', 'bash', [join(root, 'tools', 'scripts', 'setup-flyte-judges.sh')]]);
  steps.push(['e2e:flyte', nx, ['run', 'e2e:flyte', '--outputStyle=stream']]);
  steps.push(['e2e:docker', nx, ['run', 'e2e:docker', '--outputStyle=stream']]);
}

const failedSteps = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  if ((name === 'e2e:flyte' && failedSteps.includes('flyte judges')) || (name === 'e2e:docker' && failedSteps.includes('docker daemon'))) {
    failedSteps.push(name);
    continue;
  }
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
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
    stepsWithReports.add(file === 'e2e.json' ? 'e2e:local' : file === 'e2e-flyte.json' ? 'e2e:flyte' : file === 'e2e-docker.json' ? 'e2e:docker' : 'tests');
  }
}
for (const step of failedSteps) {
  // typecheck and the judges' setup write no report; a test step that failed without any failing test failed outside
  // the tests.
  if (step === 'typecheck' || step === 'flyte judges' || step === 'docker daemon' || !stepsWithReports.has(step) || failed === 0) failed += 1;
}
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length || failed ? 1 : 0);
