#!/usr/bin/env node
import { run } from '../dist/main.js';

const code = await run(process.env);
process.exitCode = code;
// Serving is over (or never started). Exit once stderr is flushed, even if the app left work pending: a request cut at
// the end of the shutdown grace period, a timer, a connection pool.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
