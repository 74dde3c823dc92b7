/**
 * The UnionML prediction server: serves a trained `Model` of `@unionml/core` over HTTP with `node:http`.
 *
 * Routes: `GET /` (an HTML page), `GET /health` (liveness), `GET /ready` (readiness: 503 while shutting down),
 * `POST /predict` with `{"features": [rows]}` (or `{"inputs": {reader arguments}}` with `allowReaderInputs`), and
 * `GET /openapi.json` (OpenAPI 3.1, from the model's schemas). Bad requests
 * get a 4xx with a JSON body `{ detail, code, hint? }` that names the problem; the status comes from the error's kind
 * (see `@unionml/errors`): input errors 4xx, the app's 500, no model loaded 503.
 *
 * @example
 * ```ts
 * import { loadModel } from '@unionml/core';
 * import { serveModel } from '@unionml/server';
 *
 * const model = await loadModel('app:model');
 * const { url, closed } = await serveModel(model, { modelPath: 'model.json', port: 8000 });
 * // curl -X POST $url/predict -H 'Content-Type: application/json' -d '{"features": [...]}'
 * await closed;
 * ```
 * @module
 */
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_DEPTH } from './body.js';
export { errorResponse, SERVER_ERRORS, ServerError } from './errors.js';
export type { ErrorBody, ServerErrorCode } from './errors.js';
export { createRequestListener } from './handler.js';
export { openApiDocument } from './openapi.js';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_READER_CACHE_SIZE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
} from './options.js';
export type { ServerOptions } from './options.js';
export { renderReport, REPORT_CSP, REPORT_STYLE_HASH, reportInputOf, reportSection } from './report.js';
export type { ReportInput, ReportSectionOptions } from './report.js';
export { serveModel } from './serve.js';
export type { ServeOptions, ServingModel } from './serve.js';
export { isServeWorker } from './cluster.js';
export type { ServedModel } from './status.js';
export { CLOSE_GRACE_MS, createServer } from './server.js';
export type { ListenAddress, PredictionServer } from './server.js';
