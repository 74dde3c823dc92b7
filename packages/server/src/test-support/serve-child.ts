// A child process for the signal tests: trains the tiny app, saves it to argv[2], then serves a fresh copy of
// the model loaded from that file with serveModel (port 0) until SIGTERM/SIGINT. It must then exit by itself, 0.
// With WORKERS=N it is the primary of N workers, which run this same script (they do not train: they load the file).
// GRACE_MS sets shutdownGraceMs; BAD_MODEL=1 gives the workers a model file that does not exist.
//
//   node --import tsx --conditions=@unionml/source packages/server/src/test-support/serve-child.ts /tmp/model.json
import cluster from 'node:cluster';
import { serveModel } from '../index.js';
import { makeTinyApp, trainedTinyApp } from './tiny-app.js';

const file = process.argv[2];
if (!file) throw new Error('usage: serve-child.ts MODEL_FILE');
if (cluster.isPrimary) {
  const trained = await trainedTinyApp();
  await trained.model.save(file);
}

const { model } = makeTinyApp({ slowMs: Number(process.env['SLOW_MS'] ?? 500) });
const serving = await serveModel(model, {
  port: 0,
  modelPath: process.env['BAD_MODEL'] === '1' ? `${file}.missing` : file,
  ...(process.env['WORKERS'] ? { workers: Number(process.env['WORKERS']) } : {}),
  ...(process.env['GRACE_MS'] ? { shutdownGraceMs: Number(process.env['GRACE_MS']) } : {}),
});
await serving.closed;
if (serving.failure) throw serving.failure;
// As the CLI does: exit once closed, even if the app still has work pending (a request cut at the end of the grace period).
process.stderr.write(`[child] closed${cluster.isWorker ? ` (worker ${cluster.worker?.id})` : ''}\n`, () => process.exit(0));
