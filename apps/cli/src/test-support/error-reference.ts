// The error reference: every code of every package's registry, with its kind, HTTP status, meaning and hint, as
// docs/errors.md. Written by `npm run docs:errors` (scripts/write-error-reference.ts); error-reference.test.ts fails
// when the file is stale. The CLI is the top of the package graph: it is the one project that can see every registry.
import { COMPILER_ERRORS } from '@unionml/compiler';
import { CORE_ERRORS } from '@unionml/core';
import { DATA_ERRORS } from '@unionml/data';
import { DOCKER_ERRORS } from '@unionml/docker';
import { ERROR_KINDS, KIND_EXIT_CODE, KIND_HTTP_STATUS, listErrorCodes, type ErrorCode, type ErrorRegistry } from '@unionml/errors';
import { FLYTE_ERRORS } from '@unionml/flyte';
import { REMOTE_ERRORS } from '@unionml/remote';
import { SERVER_ERRORS } from '@unionml/server';
import { CLI_ERRORS } from '../errors.js';

/** Every registry, from the bottom of the package graph to the top. */
export const REGISTRIES: readonly ErrorRegistry[] = [
  DATA_ERRORS,
  FLYTE_ERRORS,
  DOCKER_ERRORS,
  CORE_ERRORS,
  COMPILER_ERRORS,
  SERVER_ERRORS,
  REMOTE_ERRORS,
  CLI_ERRORS,
];

/** Every registered code (throws if one is declared twice). */
export function allCodes(): ErrorCode[] {
  return listErrorCodes(REGISTRIES);
}

const KIND_TEXT: Record<(typeof ERROR_KINDS)[number], string> = {
  usage: 'the command line itself is wrong',
  input: 'a value the caller gave is wrong (a request body, an argument, a file, an app address)',
  state: 'the input is fine, but the current state does not allow it',
  app: "the app's own code or declarations are wrong, or threw",
  environment: 'something outside UnionML is missing or failing (Docker, storage, a registry, a port)',
  internal: 'a bug in UnionML',
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown of docs/errors.md. */
export function errorReference(): string {
  const codes = allCodes();
  const lines = [
    '# Error reference',
    '',
    "<!-- Generated from the packages' error registries by `npm run docs:errors`; do not edit. -->",
    '',
    'Every error UnionML raises on purpose has a stable `code`, a `kind`, a message that says what was wrong and, where',
    'one exists, a hint. The HTTP status of the prediction server and the exit status of the `unionml` CLI come from the',
    'kind (a code may name a narrower HTTP status of its kind). Programs switch on `code`; `isUnionMLError(e)` from',
    '`@unionml/errors` recognises them.',
    '',
    '| kind | means | HTTP | exit |',
    '| --- | --- | --- | --- |',
    ...ERROR_KINDS.map((kind) => `| \`${kind}\` | ${KIND_TEXT[kind]} | ${KIND_HTTP_STATUS[kind]} | ${KIND_EXIT_CODE[kind]} |`),
    '',
  ];
  for (const registry of REGISTRIES) {
    const entries = Object.values(registry);
    if (entries.length === 0) continue;
    lines.push(`## ${entries[0]!.registry}`, '', '| code | kind | HTTP | meaning | hint |', '| --- | --- | --- | --- | --- |');
    for (const entry of entries) lines.push(`| \`${entry.code}\` | ${entry.kind} | ${entry.status} | ${cell(entry.meaning)} | ${cell(entry.hint)} |`);
    lines.push('');
  }
  lines.push(`${codes.length} codes.`, '');
  return lines.join('\n');
}
