// Node helpers for tests: run the Flyte judges (Flyte's own code) on what the TypeScript SDK produces.
// Plain ESM, no dependencies. Build the judges first with:  bash tools/scripts/setup-flyte-judges.sh
//
//   import { flyteCheck, flytekitCheckBundle, flytekitReadLiterals } from '<repo>/tools/flyte-check/judges.mjs';
//   const r = flyteCheck('out/bundle.tgz');            // { ok, json, status, stdout, stderr }
//   expect(r.ok, r.stdout).toBe(true);
//
// Each function returns ok:false (with the judge's JSON report) when the judge rejects the input, and throws when
// the judge is missing or cannot run (the message says which setup command to run).
// Paths can be overridden with FLYTE_CHECK_BIN and FLYTEKIT_PYTHON.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const setupCommand = `bash ${path.join(repoRoot, 'tools', 'scripts', 'setup-flyte-judges.sh')}`;

export const judgePaths = {
  flyteCheck: process.env.FLYTE_CHECK_BIN || path.join(repoRoot, 'tools', 'flyte-check', 'bin', 'flyte-check'),
  python: process.env.FLYTEKIT_PYTHON || path.join(repoRoot, 'tools', 'flytekit-check', '.venv', 'bin', 'python'),
  checkBundle: path.join(repoRoot, 'tools', 'flytekit-check', 'check_bundle.py'),
  readLiterals: path.join(repoRoot, 'tools', 'flytekit-check', 'read_literals.py'),
};

export class JudgeUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = 'JudgeUnavailableError';
  }
}

/** Which judges are built: { flyteCheck: boolean, flytekit: boolean }. */
export function judgesAvailable() {
  return { flyteCheck: existsSync(judgePaths.flyteCheck), flytekit: existsSync(judgePaths.python) };
}

function requireFile(file, what) {
  if (!existsSync(file)) {
    throw new JudgeUnavailableError(`${what} is not built (${file} is missing). Run: ${setupCommand}`);
  }
}

function run(cmd, args, what) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (res.error) {
    throw new JudgeUnavailableError(`${what} could not be started (${res.error.message}). Run: ${setupCommand}`);
  }
  return res;
}

function parseJSON(text, what, res) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} did not print JSON (exit ${res.status}).\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
  }
}

function verdict(res, what, judgedFile) {
  // 0 = accepted, 1 = rejected (a report was printed); anything else is a usage or I/O error.
  if (res.status !== 0 && res.status !== 1) {
    throw new Error(`${what} failed on ${judgedFile} (exit ${res.status ?? res.signal}):\n${res.stderr}${res.stdout}`);
  }
  return { ok: res.status === 0, status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/**
 * flyte-check: flytepropeller v1.16.8's compiler (+ the k8s CRD builder and flyteadmin/flytectl registration rules)
 * over a bundle .tgz, a directory of .pb files, or .pb files.
 * @param {string|string[]} bundlePath
 * @param {{project?: string, domain?: string, version?: string, execution?: boolean}} [options]
 */
export function flyteCheck(bundlePath, options = {}) {
  requireFile(judgePaths.flyteCheck, 'flyte-check');
  const args = ['--json'];
  if (options.project) args.push('--project', options.project);
  if (options.domain) args.push('--domain', options.domain);
  if (options.version) args.push('--version', options.version);
  if (options.execution === false) args.push('--no-execution');
  const paths = Array.isArray(bundlePath) ? bundlePath : [bundlePath];
  const res = run(judgePaths.flyteCheck, [...args, ...paths], 'flyte-check');
  const v = verdict(res, 'flyte-check', paths.join(' '));
  return { ...v, json: parseJSON(res.stdout, 'flyte-check', res) };
}

/**
 * flytekit check_bundle.py: flyteidl's Python classes + flytekit models, remote-entity promotion and
 * TypeEngine.guess_python_type over every interface.
 * @param {string|string[]} bundlePath
 */
export function flytekitCheckBundle(bundlePath) {
  requireFile(judgePaths.python, 'the flytekit venv');
  const paths = Array.isArray(bundlePath) ? bundlePath : [bundlePath];
  const res = run(judgePaths.python, [judgePaths.checkBundle, '--json', ...paths], 'flytekit check_bundle.py');
  const v = verdict(res, 'flytekit check_bundle.py', paths.join(' '));
  return { ...v, json: parseJSON(res.stdout, 'flytekit check_bundle.py', res) };
}

/**
 * flytekit read_literals.py: decode a LiteralMap (outputs.pb) with TypeEngine. `json` holds the decoded values
 * (DataFrames as {columns, records}, blobs as {blob: {path, size, sha256, text?}}). With `expected` (an object, or
 * a path to a JSON file) ok is false when the values differ, and `diff` lists the differences. Throws when flytekit
 * cannot decode a literal at all (the message names the literal and flytekit's error).
 * Options: `interface` (a task's _1.pb: decode with its declared types, as a flytekit task would), `direction`
 * ('outputs' | 'inputs', default outputs), `strictNumbers` (3 != 3.0; off by default because JSON from JS has no 3.0).
 * @param {string} outputsPb
 * @param {object|string} [expected]
 * @param {{interface?: string, direction?: 'outputs'|'inputs', strictNumbers?: boolean}} [options]
 */
export function flytekitReadLiterals(outputsPb, expected, options = {}) {
  requireFile(judgePaths.python, 'the flytekit venv');
  const args = [judgePaths.readLiterals, '--json', outputsPb];
  if (options.interface) args.push('--interface', options.interface);
  if (options.direction) args.push('--direction', options.direction);
  if (options.strictNumbers) args.push('--strict-numbers');
  let tmp;
  try {
    if (expected !== undefined) {
      let expectPath = expected;
      if (typeof expected !== 'string') {
        tmp = mkdtempSync(path.join(tmpdir(), 'read-literals-'));
        expectPath = path.join(tmp, 'expected.json');
        writeFileSync(expectPath, JSON.stringify(expected));
      }
      args.push('--expect', expectPath);
    }
    const res = run(judgePaths.python, args, 'flytekit read_literals.py');
    const v = verdict(res, 'flytekit read_literals.py', outputsPb);
    const diff = v.ok
      ? undefined
      : res.stderr
          .split('\n')
          .filter((l) => l.startsWith('  '))
          .map((l) => l.trim());
    return { ...v, json: parseJSON(res.stdout, 'flytekit read_literals.py', res), diff };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
