#!/usr/bin/env node
// Runs `go test -json` in a Go module and writes its results as a report in vitest's JSON shape
// (test-output/vitest/<name>.json: numPassedTests, numFailedTests, testResults), so that run-tests.mjs counts Go
// tests with the rest. Prints each failing test's output and a summary line; exits 1 if any test or package failed.
//
//   node tools/scripts/go-test-report.mjs NAME MODULE_DIR [go test args...]   (default args: ./...)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const [name, dir, ...rest] = process.argv.slice(2);
if (!name || !dir) {
  console.error('usage: go-test-report.mjs NAME MODULE_DIR [go test args...]');
  process.exit(2);
}
const root = new URL('../..', import.meta.url).pathname;
const args = ['test', '-json', ...(rest.length ? rest : ['./...'])];
const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
const child = spawn('go', args, { cwd: resolve(dir), env, stdio: ['ignore', 'pipe', 'inherit'] });

/** package -> test -> { status, output[] } */
const tests = new Map();
const packageFailures = new Map();
const started = Date.now();
for await (const line of createInterface({ input: child.stdout })) {
  let ev;
  try {
    ev = JSON.parse(line);
  } catch {
    process.stdout.write(`${line}\n`); // build errors arrive as plain text
    continue;
  }
  const pkg = ev.Package ?? '';
  if (!tests.has(pkg)) tests.set(pkg, new Map());
  const byTest = tests.get(pkg);
  if (ev.Test) {
    const t = byTest.get(ev.Test) ?? { status: 'pending', output: [], elapsed: 0 };
    if (ev.Action === 'output') t.output.push(ev.Output);
    if (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip') {
      t.status = ev.Action;
      t.elapsed = ev.Elapsed ?? 0;
    }
    byTest.set(ev.Test, t);
  } else if (ev.Action === 'output') {
    packageFailures.set(pkg, (packageFailures.get(pkg) ?? '') + ev.Output);
  } else if (ev.Action === 'pass' || ev.Action === 'skip') {
    packageFailures.delete(pkg);
  } else if (ev.Action === 'fail') {
    packageFailures.set(pkg, `${packageFailures.get(pkg) ?? ''}FAIL ${pkg}\n`);
  }
}
const code = await new Promise((done) => child.on('close', done));

let passed = 0;
let failed = 0;
let skipped = 0;
const testResults = [];
for (const [pkg, byTest] of tests) {
  const assertionResults = [];
  for (const [test, t] of byTest) {
    // Subtests count on their own; a parent that only groups them is not counted twice when it passes.
    const hasChildren = [...byTest.keys()].some((k) => k.startsWith(`${test}/`));
    if (hasChildren && t.status === 'pass') continue;
    const status = t.status === 'pass' ? 'passed' : t.status === 'skip' ? 'skipped' : 'failed';
    if (status === 'passed') passed++;
    else if (status === 'skipped') skipped++;
    else {
      failed++;
      process.stdout.write(`--- FAIL ${pkg} ${test}\n${t.output.join('')}\n`);
    }
    assertionResults.push({ fullName: `${pkg} ${test}`, title: test, status, duration: Math.round(t.elapsed * 1000) });
  }
  const pkgFailed = packageFailures.has(pkg) && assertionResults.every((r) => r.status !== 'failed');
  if (pkgFailed) process.stdout.write(packageFailures.get(pkg));
  if (assertionResults.length || pkgFailed) {
    testResults.push({ name: pkg, status: pkgFailed || assertionResults.some((r) => r.status === 'failed') ? 'failed' : 'passed', assertionResults });
  }
}
const report = { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: passed + failed + skipped, testResults };
mkdirSync(join(root, 'test-output', 'vitest'), { recursive: true });
writeFileSync(join(root, 'test-output', 'vitest', `${name}.json`), JSON.stringify(report, null, 2));
console.log(`go test (${dir}): ${passed} passed, ${failed} failed, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
