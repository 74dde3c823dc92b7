/**
 * UnionML on AWS Lambda: the prediction server as a Lambda handler for API Gateway (REST APIs, HTTP APIs) and
 * function URLs, and a handler of S3 events that predicts from feature files uploaded to a bucket. A subpath export
 * of `@unionml/server` (`@unionml/server/lambda`), so that the HTTP server never loads it, and it loads only what a
 * function needs (aws4fetch on the first S3 request).
 *
 * @example
 * ```ts
 * // handler.ts: API Gateway → POST /predict (and GET /, /health, /ready, /openapi.json)
 * import { createLambdaHandler } from '@unionml/server/lambda';
 * import { model } from './app.js';
 * export const handler = createLambdaHandler(model, { defaultModelPath: new URL('./model.json', import.meta.url) });
 * ```
 * @module
 */
export { createLambdaHandler, httpRequestOf } from './http.js';
export type {
  ApiGatewayProxyEvent,
  ApiGatewayProxyEventV2,
  LambdaContext,
  LambdaHandlerOptions,
  LambdaHttpEvent,
  LambdaHttpHandler,
  LambdaHttpRequest,
  LambdaHttpResult,
} from './http.js';
export type { ModelFileOptions } from './model-loader.js';
export { createS3EventHandler, decodeKey, DEFAULT_MAX_OBJECT_BYTES } from './s3.js';
export type { S3Event, S3EventHandler, S3EventHandlerOptions, S3EventRecord, S3EventSummary } from './s3.js';
