#!/usr/bin/env node
// Runs the checks of the workspace and prints, as its last line, "N passed, N failed" (counts of tests).
//
//   node tools/scripts/run-tests.mjs          every tier: setup (a Docker daemon and its base image, Debian's Chromium,
//                                             the Flyte judges, the Flyte lab up), lint, typecheck, unit, integration (the
//                                             FlyteAdmin client and remote model tests on the lab, the model report in
//                                             headless Chromium), the e2e suites (local, flyte, docker), the server's
//                                             soak (e2e:soak), the packages published to a local registry and installed
//                                             from it (e2e:registry: Verdaccio, nx release publish, npx unionml init ...),
//                                             the lab's Go tests, e2e:lab, e2e:sandbox, the lab down, and the published
//                                             packages' checks (publint, are-the-types-wrong, metadata)
//   node tools/scripts/run-tests.mjs --unit   lint, typecheck and the unit tier: needs Node only (no Docker daemon,
//                                             network, root, Go or Python)
//
// Each vitest project writes a JSON report to test-output/vitest/<project>.json (see vitest.shared.mjs); the counts
// come from those reports. A step that fails without a failing test in its reports counts as one failure.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const reports = join(root, 'test-output', 'vitest');
const unitOnly = process.argv.includes('--unit');

rmSync(reports, { recursive: true, force: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'true' };
const nx = join(root, 'node_modules', '.bin', 'nx');
const stream = '--outputStyle=stream';

/**
 * The steps: [name, command, args, { needs, reports, env }]. `needs` names setup steps whose failure skips this one;
 * `reports` says which vitest reports belong to it (a failed step with failing tests in them is not counted twice);
 * `env` (an object, or a function called when the step starts) adds environment variables.
 */
const steps = [];
if (!unitOnly) {
  // Setup: what the integration and e2e tiers use. A real Docker daemon and a local base image (no registry can be
  // pulled from here); Flyte's own code as judges: its Go compiler (Go module proxy) and flytekit (PyPI).
  steps.push(['setup: docker daemon', 'bash', [join(root, 'tools', 'scripts', 'docker-up.sh')], { setup: true }]);
  // Debian's Chromium (apt-get), for the integration tier's browser test of the model report (@unionml/server).
  steps.push(['setup: chromium', 'bash', [join(root, 'tools', 'scripts', 'chromium-setup.sh')], { setup: true }]);
  steps.push(['setup: flyte judges', 'bash', [join(root, 'tools', 'scripts', 'setup-flyte-judges.sh')], { setup: true }]);
  // The Flyte lab (tools/flyte-lab): its binaries built from the Go module proxy (cached in tools/flyte-lab/bin and
  // Go's caches), then etcd, kube-apiserver, MinIO, the registry, the control plane, flytepropeller and the pod runner.
  // Up before the integration tier, whose FlyteAdmin client and remote model tests run against it (and must not skip:
  // UNIONML_REQUIRE_LAB makes them fail when it is not there).
  steps.push(['setup: flyte lab', nx, ['run', 'flyte-lab:up', stream], { needs: ['setup: docker daemon'], setup: true }]);
}
steps.push(['lint', 'npm', ['run', '--silent', 'lint']]);
steps.push(['typecheck', nx, ['run-many', '-t', 'typecheck', stream]]);
steps.push(['unit', nx, ['run-many', '-t', 'test', stream], { reports: (f) => !f.includes('-integration') && !f.startsWith('e2e') }]);
if (!unitOnly) {
  steps.push([
    'integration',
    nx,
    ['run-many', '-t', 'integration', stream],
    {
      needs: ['setup: docker daemon'],
      reports: (f) => f.includes('-integration'),
      // The lab's tests fail instead of skipping when the lab came up (a lab that did not is its own failure). The
      // browser test fails instead of skipping whenever Chromium is missing, even when its setup step failed too.
      env: () => ({
        UNIONML_REQUIRE_CHROMIUM: '1',
        ...(failedSteps.some((f) => f.name === 'setup: flyte lab') ? {} : { UNIONML_REQUIRE_LAB: '1' }),
      }),
    },
  ]);
  steps.push(['e2e:local', nx, ['run', 'e2e:local', stream], { reports: (f) => f === 'e2e.json' }]);
  steps.push(['e2e:flyte', nx, ['run', 'e2e:flyte', stream], { needs: ['setup: flyte judges'], reports: (f) => f === 'e2e-flyte.json' }]);
  steps.push(['e2e:docker', nx, ['run', 'e2e:docker', stream], { needs: ['setup: docker daemon'], reports: (f) => f === 'e2e-docker.json' }]);
  // ~60 s of mixed valid and hostile traffic against `unionml serve` on loopback, its RSS, and a drain on SIGTERM.
  steps.push(['e2e:soak', nx, ['run', 'e2e:soak', stream], { reports: (f) => f === 'e2e-soak.json' }]);
  // The release's publish step (nx release publish) to Verdaccio on loopback, then a newcomer's journey and a plain
  // Node project installing from it alone (npm installs: minutes on a cold cache).
  steps.push(['e2e:registry', nx, ['run', 'e2e:registry', stream], { reports: (f) => f === 'e2e-registry.json' }]);
  steps.push([
    'lab: control plane (go test)',
    nx,
    ['run', 'flyte-lab:go-test', stream],
    { needs: ['setup: flyte lab'], reports: (f) => f.startsWith('flyte-lab-go') },
  ]);
  steps.push(['e2e:lab', nx, ['run', 'e2e:lab', stream], { needs: ['setup: flyte lab', 'setup: flyte judges'], reports: (f) => f === 'e2e-lab.json' }]);
  // The user guide's Flyte cluster journey (deploy, train, predict, serve --remote) on the lab.
  steps.push(['e2e:sandbox', nx, ['run', 'e2e:sandbox', stream], { needs: ['setup: flyte lab'], reports: (f) => f === 'e2e-sandbox.json' }]);
  steps.push(['lab: down', nx, ['run', 'flyte-lab:down', stream]]);
  steps.push(['packages', 'node', [join(root, 'tools', 'scripts', 'check-packages.mjs')]]);
}

/**
 * Runs a step with its output passed through as it comes, and keeps the last lines of it: a failed step's tail is
 * printed again above the counts, where CI's excerpt of a long log shows it.
 */
function runStep(cmd, args, stepEnv) {
  return new Promise((resolve) => {
    const lines = [];
    let partial = '';
    const keep = (chunk) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim() !== '') lines.push(line);
      if (lines.length > 400) lines.splice(0, lines.length - 200);
    };
    const child = spawn(cmd, args, { cwd: root, env: stepEnv, stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      keep(chunk);
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      keep(chunk);
    });
    const done = (status, extra) => {
      if (partial.trim() !== '') lines.push(partial);
      if (extra) lines.push(extra);
      resolve({ status, tail: lines.slice(-TAIL_LINES) });
    };
    child.on('error', (error) => done(127, `could not run ${cmd}: ${error.message}`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `killed by ${signal}` : undefined));
  });
}
const TAIL_LINES = 12;

const failedSteps = [];
for (const [name, cmd, args, options = {}] of steps) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const missing = (options.needs ?? []).filter((need) => failedSteps.some((f) => f.name === need));
  if (missing.length) {
    console.log(`skipped: ${missing.join(', ')} failed`);
    failedSteps.push({ name, options });
    continue;
  }
  const extraEnv = typeof options.env === 'function' ? options.env() : options.env;
  const { status, tail } = await runStep(cmd, args, { ...env, ...extraEnv });
  if (status !== 0) failedSteps.push({ name, options, status, tail });
}

let passed = 0;
let failed = 0;
const failures = [];
// eslint-disable-next-line no-control-regex -- the escape character of ANSI colour codes
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
const firstLine = (text) =>
  stripAnsi(text ?? '')
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim()
    .slice(0, 300) ?? '';
const failingReports = new Set();
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
    // A suite that failed to load (syntax error, missing module) has no failed tests but failed files.
    const broken = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + broken;
    if ((report.numFailedTests ?? 0) + broken > 0) failingReports.add(file);
    for (const result of report.testResults ?? []) {
      const where = relative(root, result.name ?? file);
      if (result.status === 'failed' && (result.assertionResults ?? []).length === 0) failures.push(`${where}: ${firstLine(result.message)}`);
      for (const test of result.assertionResults ?? []) {
        if (test.status === 'failed') failures.push(`${where} > ${test.fullName ?? test.title}: ${firstLine(test.failureMessages?.[0])}`);
      }
    }
  }
}
// The failing tests once more, just above the counts: the end of a long log is what CI shows first.
if (failures.length) console.log(`\nfailing tests:\n${failures.map((f) => `  ${f}`).join('\n')}`);
for (const { options } of failedSteps) {
  // A test step whose failures are already counted adds nothing; any other failed step (setup, lint, typecheck, a
  // suite that crashed before reporting) is one failure.
  const counted = options.reports && [...failingReports].some((f) => options.reports(f));
  if (!counted) failed += 1;
}
// Why each step that ran failed (its last lines), then the list: a setup step's failure skips many others.
for (const step of failedSteps.filter((s) => s.tail)) {
  console.log(`\n${step.name} failed (exit ${step.status}); its last lines:\n${step.tail.map((l) => `  | ${stripAnsi(l).slice(0, 300)}`).join('\n')}`);
}
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.map((s) => s.name).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length || failed ? 1 : 0);
