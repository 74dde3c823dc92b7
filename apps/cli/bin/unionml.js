#!/usr/bin/env node
// The `unionml` command. All behaviour lives in the compiled package (src/main.ts); this file only runs it.
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is done. Exit once stdout and stderr are flushed, even if the user's app left handles open (a timer,
// a connection pool, a worker pool) that would otherwise keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
