// Helpers of the Lambda handlers' tests: AWS's sample events (src/lambda/events/) made into the request a test wants,
// and a check of which modules a process loads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '@unionml/core';
import type { LambdaHttpEvent } from '../lambda/index.js';

const EVENTS = fileURLToPath(new URL('../lambda/events/', import.meta.url));

/** The HTTP sample events: an API Gateway REST API, an HTTP API ($default and a named stage), a function URL. */
export const HTTP_FIXTURES = ['api-gateway-rest', 'http-api-v2', 'http-api-v2-named-stage', 'function-url'] as const;
export type HttpFixture = (typeof HTTP_FIXTURES)[number];

/** What each sample event's request is, as the handler should read it. */
export const FIXTURE_FACTS: Readonly<Record<HttpFixture, { format: '1.0' | '2.0'; stagePrefix: string; origin: string; base64: boolean }>> = {
  'api-gateway-rest': { format: '1.0', stagePrefix: '', origin: 'https://gy415nuibc.execute-api.us-east-1.amazonaws.com/testStage', base64: false },
  'http-api-v2': { format: '2.0', stagePrefix: '', origin: 'https://id.execute-api.us-east-1.amazonaws.com', base64: false },
  'http-api-v2-named-stage': { format: '2.0', stagePrefix: '/default', origin: 'https://r3pmxmplak.execute-api.us-east-2.amazonaws.com/default', base64: true },
  // The documented event's domain name is a placeholder, `<url-id>.lambda-url.us-west-2.on.aws`: shown as HOST.
  'function-url': { format: '2.0', stagePrefix: '', origin: 'https://HOST', base64: false },
};

/** A sample event as stored (a fresh copy each time). */
export function sampleEvent(name: HttpFixture | 's3-put'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A request to put into a sample event. */
export interface EventRequest {
  method: string;
  /** The path the client asked for, after the stage (the named-stage fixture puts `/default` before it). */
  path: string;
  /** The body, as text (base64-encoded for the fixtures that are). Default none (null). */
  body?: string;
}

/** The sample event `name` carrying `request`: only the method, the path and the body change. */
export function httpEvent(name: HttpFixture, request: EventRequest): LambdaHttpEvent {
  const event = sampleEvent(name);
  const facts = FIXTURE_FACTS[name];
  const body = request.body === undefined ? null : facts.base64 ? Buffer.from(request.body).toString('base64') : request.body;
  if (facts.format === '1.0') {
    const context = event['requestContext'] as Record<string, unknown>;
    return { ...event, httpMethod: request.method, path: request.path, requestContext: { ...context, httpMethod: request.method }, body } as LambdaHttpEvent;
  }
  const context = event['requestContext'] as { http: Record<string, unknown> } & Record<string, unknown>;
  const rawPath = `${facts.stagePrefix}${request.path}`;
  return { ...event, rawPath, requestContext: { ...context, http: { ...context.http, method: request.method, path: rawPath } }, body } as LambdaHttpEvent;
}

/** The example apps of the repository. */
export const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

/**
 * Trains the digits example (examples/digits) and saves it to `file`, in a process of its own (as `npm run train`
 * does), so that the app module of this process, which the Lambda examples' handlers import, has no artifact.
 */
export function trainDigits(file: string): void {
  const code = `import { loadModel } from '@unionml/core';
const model = await loadModel('app:model', { cwd: ${JSON.stringify(join(EXAMPLES, 'digits'))} });
await model.train();
await model.save(${JSON.stringify(file)});`;
  const run = spawnSync(process.execPath, ['--conditions=@unionml/source', '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`training the digits example failed (${run.status ?? run.signal}):\n${run.stderr}`);
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`), error: (m) => lines.push(`error: ${m}`) };
}

/**
 * The modules a fresh Node process resolves while it runs `code` (an ES module, with the workspace's packages read from
 * their sources through tsx), one URL each. `code` may import by file URL; the process runs in packages/server.
 */
export function modulesLoadedBy(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'unionml-imports-'));
  try {
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { file: ${JSON.stringify(trace)} } });\n`,
    );
    writeFileSync(join(dir, 'main.mjs'), code);
    const cwd = fileURLToPath(new URL('../../', import.meta.url));
    const run = spawnSync(process.execPath, ['--conditions=@unionml/source', '--import', 'tsx', '--import', join(dir, 'register.mjs'), join(dir, 'main.mjs')], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`the traced process failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
