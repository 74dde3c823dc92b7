// A child process for the signal tests: trains the tiny app, saves it to argv[2], then serves a fresh copy of
// the model loaded from that file with serveModel (port 0) until SIGTERM/SIGINT. It must then exit by itself, 0.
//
//   node --import tsx --conditions=@unionml/source packages/server/src/test-support/serve-child.ts /tmp/model.json
import { serveModel } from '../index.js';
import { makeTinyApp, trainedTinyApp } from './tiny-app.js';

const file = process.argv[2];
if (!file) throw new Error('usage: serve-child.ts MODEL_FILE');
const trained = await trainedTinyApp();
await trained.model.save(file);

const { model } = makeTinyApp({ slowMs: Number(process.env['SLOW_MS'] ?? 500) });
const { closed } = await serveModel(model, { port: 0, modelPath: file });
await closed;
process.stderr.write('[child] closed\n');
