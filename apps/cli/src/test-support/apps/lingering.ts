// An app that leaves a timer running, as apps with a connection pool do: the CLI must still exit once its command
// is done.
export { model } from './tiny.js';

setInterval(() => {}, 1000);
