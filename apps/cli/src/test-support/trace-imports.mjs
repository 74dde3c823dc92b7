// Records every module a process resolves, ESM (through a loader hook) and CommonJS (through the CommonJS
// resolver), one path or URL a line, to the file named by UNIONML_TRACE_FILE. Use: node --import <this> ...
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.UNIONML_TRACE_FILE;
if (!file) throw new Error('trace-imports.mjs needs UNIONML_TRACE_FILE');
register('./trace-hooks.mjs', import.meta.url, { data: { file } });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const resolved = resolveFilename.call(this, request, ...rest);
  appendFileSync(file, `${resolved}\n`);
  return resolved;
};
