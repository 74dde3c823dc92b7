// The CLI with the fake RemoteModel (fake-remote.ts), as a process: for the tests that need a real process, such as a
// real SIGINT while a command waits, or a server that stops on SIGTERM. Run with
//   node --import tsx --conditions=@unionml/source remote-cli.ts <unionml arguments>
// UNIONML_FAKE_REMOTE holds the script (JSON); the calls are written as JSON to UNIONML_FAKE_CALLS at the end.
import { writeFileSync } from 'node:fs';
import { run } from '../main.js';
import { fakeRemote, type FakeScript } from './fake-remote.js';

const script = JSON.parse(process.env['UNIONML_FAKE_REMOTE'] ?? '{}') as FakeScript;
const fake = fakeRemote(script);
const code = await run(process.argv.slice(2), { remote: fake.factory });
const callsFile = process.env['UNIONML_FAKE_CALLS'];
if (callsFile) writeFileSync(callsFile, JSON.stringify(fake.calls));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
