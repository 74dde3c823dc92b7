/**
 * A task entrypoint for tests and the benchmark: `node entrypoint.js <executeTask args> -- task-name <name>`.
 * `task-name exit-early` exits 0 without writing anything; `task-name crash` exits 3 after writing to stderr.
 */
import { executeTask, parseExecuteArgs } from '../runtime.js';
import { TEST_TASKS } from './tasks.js';

const args = parseExecuteArgs(process.argv.slice(2));
const name = args.address[args.address.indexOf('task-name') + 1] ?? '';
if (name === 'exit-early') process.exit(0);
if (name === 'crash') {
  process.stderr.write('something went badly wrong\n');
  process.exit(3);
}
const result = await executeTask(() => {
  const task = TEST_TASKS[name];
  return task ? Promise.resolve(task) : Promise.reject(new Error(`no task named '${name}' in the test entrypoint`));
}, args);
process.exitCode = result.exitCode;
