// The prediction server as an AWS Lambda handler: API Gateway REST APIs (payload 1.0), HTTP APIs (payload 2.0, or 1.0)
// and function URLs (2.0) turned into requests for the server's routes (../routes.ts), and their answers into Lambda
// proxy results. Same routes, statuses, content types and JSON error bodies as the HTTP server.
import type { AnyModel } from '@unionml/core';
import { kind } from '@unionml/data';
import { tooLarge } from '../body.js';
import { errorResponse, ServerError } from '../errors.js';
import { assertModel, resolveOptions, type ServerOptions } from '../options.js';
import { createRoutes, JSON_TYPE, ROUTES, type Transport } from '../routes.js';
import { modelLoader, type ModelFileOptions } from './model-loader.js';

/** The fields of an API Gateway proxy event (REST API, or HTTP API payload 1.0) that the handler reads. */
export interface ApiGatewayProxyEvent {
  version?: string;
  /** The request's path, without the stage of a REST API (`/predict`); with the stage for HTTP API payload 1.0. */
  path: string;
  httpMethod: string;
  headers?: Readonly<Record<string, string | undefined>> | null;
  multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  requestContext?: { stage?: string; path?: string; domainName?: string } | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The fields of an HTTP API (payload 2.0) or function URL event that the handler reads. */
export interface ApiGatewayProxyEventV2 {
  version: string;
  /** The request's path, with the stage of an HTTP API stage other than `$default` (`/prod/predict`). */
  rawPath: string;
  headers?: Readonly<Record<string, string | undefined>> | null;
  requestContext: { http: { method: string; path?: string }; stage?: string; domainName?: string };
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** An HTTP event of API Gateway or a function URL. */
export type LambdaHttpEvent = ApiGatewayProxyEvent | ApiGatewayProxyEventV2;

/** What the handler returns: a Lambda proxy result, which API Gateway and function URLs turn into the HTTP response. */
export interface LambdaHttpResult {
  statusCode: number;
  /** `content-type` (absent for 204), and `allow` on 405 and OPTIONS. */
  headers: Record<string, string>;
  /** The body (empty for HEAD and 204). */
  body: string;
  isBase64Encoded: false;
}

/** The fields of the Lambda context that the handlers read (all optional: tests and local runs may pass none). */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
}

/** Options of {@link createLambdaHandler}. */
export interface LambdaHandlerOptions
  extends ModelFileOptions, Pick<ServerOptions, 'maxBodyBytes' | 'maxBodyDepth' | 'allowReaderInputs' | 'readerCacheSize' | 'logger'> {
  /**
   * A path prefix to remove before routing, for an API mapped under a base path of a custom domain
   * (`https://api.example.com/ml/predict` with the base path `ml`): `'/ml'`. The stage prefix of the
   * `execute-api` URLs is removed without it (see {@link createLambdaHandler}).
   */
  basePath?: string;
}

/** A Lambda handler for API Gateway and function URL events. */
export type LambdaHttpHandler = (event: LambdaHttpEvent, context?: LambdaContext) => Promise<LambdaHttpResult>;

/** One event being answered: the request as the routes need it, and the answer as the transport writes it. */
interface Exchange {
  method: string;
  /** The body as sent, and whether it is base64. */
  rawBody: string | null | undefined;
  base64: boolean;
  /** The host key of the home page: host and path prefix, e.g. `abc.execute-api.us-east-1.amazonaws.com/prod`. */
  host: string | undefined;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An AWS Lambda handler that serves `model` as the HTTP server does (see `createRequestListener`): `GET /`,
 * `GET /health`, `GET /ready`, `POST /predict`, `GET /openapi.json`, 404 and 405 (with `Allow`), 413 over
 * `maxBodyBytes`, the JSON error bodies `{detail, code, hint?}`, HEAD and OPTIONS.
 *
 * - **Events**: API Gateway REST APIs (proxy integration, payload 1.0), HTTP APIs (payload 2.0 or 1.0) and function
 *   URLs (2.0), told apart by the event (`requestContext.http` or `version: "2.0"` for 2.0, `httpMethod` for 1.0).
 *   Other events make the invocation fail with `LAMBDA_EVENT_UNSUPPORTED`.
 * - **Paths**: the path of the event (`path`, or `rawPath`), without its query string. A stage prefix is removed:
 *   the `/prod` of `/prod/predict` when the event's `requestContext.stage` is `prod` (HTTP APIs put the stage in
 *   `rawPath`; REST APIs leave it out of `path`, so nothing is removed there), unless the path is itself a route
 *   (a stage named `health` is ambiguous: `/health` is the route). `basePath` removes a custom domain's mapping.
 * - **Bodies**: base64 bodies (`isBase64Encoded`, as HTTP APIs send bodies without a text content type) are decoded; a
 *   UTF-8 byte order mark is skipped; the decoded size is checked against `maxBodyBytes` (413).
 * - **Headers**: read without regard to case (REST APIs keep the client's case, HTTP APIs lower it); only the host
 *   matters (the home page's curl example shows `https://<host><stage prefix>`).
 * - **The model** is loaded once per container, on the first event (see {@link ModelFileOptions}: `modelPath`, else
 *   `UNIONML_MODEL_PATH`, else `defaultModelPath`), unless the model already has an artifact. While it cannot be
 *   loaded, every event answers 503 `LAMBDA_MODEL_NOT_LOADED` with the reason, and the next event tries again.
 *
 * The answer has `content-type` (and `allow`), no `content-length` (API Gateway and function URLs set it).
 *
 * @example
 * ```ts
 * // handler.ts
 * import { createLambdaHandler } from '@unionml/server/lambda';
 * import { model } from './app.js';
 * export const handler = createLambdaHandler(model, { defaultModelPath: new URL('./model.json', import.meta.url) });
 * ```
 */
export function createLambdaHandler(model: AnyModel, options: LambdaHandlerOptions = {}): LambdaHttpHandler {
  assertModel(model, 'createLambdaHandler');
  const { modelPath: _modelPath, defaultModelPath: _defaultModelPath, env: _env, basePath: rawBasePath, ...serverOptions } = options;
  const resolved = resolveOptions(serverOptions);
  const { maxBodyBytes } = resolved;
  const basePath = checkBasePath(rawBasePath);
  const ensureModel = modelLoader(model, options, resolved.logger);

  const transport: Transport<Exchange> = {
    send(exchange, status, type, body, extra) {
      exchange.status = status;
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      if (extra) Object.assign(headers, extra);
      exchange.headers = headers;
      exchange.body = exchange.method === 'HEAD' ? '' : typeof body === 'string' ? body : body.toString('utf8');
    },
    body(exchange) {
      const { rawBody } = exchange;
      if (rawBody === null || rawBody === undefined) return '';
      const bytes = exchange.base64 ? Buffer.from(rawBody, 'base64') : undefined;
      const size = bytes ? bytes.length : Buffer.byteLength(rawBody);
      if (size > maxBodyBytes) throw tooLarge(maxBodyBytes, size);
      const text = bytes ? bytes.toString('utf8') : rawBody;
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    },
    host: (exchange) => exchange.host,
    origin: lambdaOrigin,
  };
  const route = createRoutes(model, resolved, { closing: false }, transport);

  return async (event) => {
    const request = httpRequestOf(event, basePath);
    const exchange: Exchange = {
      method: request.method,
      rawBody: event.body,
      base64: event.isBase64Encoded === true,
      host: request.host,
      status: 500,
      headers: {},
      body: '',
    };
    const loading = ensureModel();
    if (loading) {
      try {
        await loading;
      } catch (error) {
        const { status, body } = errorResponse(error);
        transport.send(exchange, status, JSON_TYPE, JSON.stringify(body), undefined, false);
        return resultOf(exchange);
      }
    }
    const answering = route(exchange, request.method, request.path);
    if (answering) await answering;
    return resultOf(exchange);
  };
}

function resultOf(exchange: Exchange): LambdaHttpResult {
  return { statusCode: exchange.status, headers: exchange.headers, body: exchange.body, isBase64Encoded: false };
}

/** The request an HTTP event carries: its method, its path for the routes, and the home page's host key. */
export interface LambdaHttpRequest {
  /** `'1.0'` (REST APIs, HTTP API payload 1.0) or `'2.0'` (HTTP APIs, function URLs). */
  format: '1.0' | '2.0';
  method: string;
  /** The path to route: without the query string, the stage prefix and the base path. */
  path: string;
  /** What was removed from the front of the URL's path (`/prod`), as the client sees it. */
  prefix: string;
  /** The host and prefix, e.g. `abc.execute-api.us-east-1.amazonaws.com/prod` (undefined without a host). */
  host: string | undefined;
}

/** Reads the request of an API Gateway or function URL event (see {@link createLambdaHandler} for the rules). */
export function httpRequestOf(event: unknown, basePath = ''): LambdaHttpRequest {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new ServerError('LAMBDA_EVENT_UNSUPPORTED', `the event is ${kind(event)}, not an HTTP request of API Gateway or a function URL`);
  }
  const e = event as Partial<ApiGatewayProxyEvent> & Partial<ApiGatewayProxyEventV2>;
  const context = e.requestContext ?? undefined;
  const http = context && 'http' in context ? context.http : undefined;
  let format: '1.0' | '2.0';
  let method: unknown;
  let raw: unknown;
  if (http && typeof http === 'object') {
    format = '2.0';
    method = http.method;
    raw = e.rawPath ?? http.path;
  } else if (typeof e.httpMethod === 'string') {
    format = '1.0';
    method = e.httpMethod;
    raw = e.path;
  } else {
    const keys = Object.keys(e).slice(0, 8);
    throw new ServerError(
      'LAMBDA_EVENT_UNSUPPORTED',
      `the event is not an HTTP request of API Gateway or a function URL: it has neither requestContext.http.method (payload 2.0) nor httpMethod (payload 1.0); its keys are ${keys.length ? keys.join(', ') : 'none'}`,
      {
        hint: Array.isArray((e as { Records?: unknown }).Records)
          ? 'this looks like an S3 (or SQS, SNS) event: handle it with createS3EventHandler'
          : 'invoke the function through API Gateway or its function URL, or with one of the sample events (sam local invoke -e events/...)',
      },
    );
  }
  if (typeof method !== 'string' || method === '') {
    throw new ServerError('LAMBDA_EVENT_UNSUPPORTED', `the event's HTTP method is ${kind(method)}, expected a string such as "POST"`);
  }
  let path = typeof raw === 'string' && raw !== '' ? raw : '/';
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  if (!path.startsWith('/')) path = `/${path}`;
  // What is removed from the front: a custom domain's base path, then the stage (HTTP APIs put it in rawPath).
  let removed = '';
  if (basePath && (path === basePath || path.startsWith(`${basePath}/`))) {
    removed = basePath;
    path = path.slice(basePath.length) || '/';
  }
  const stage = context?.stage;
  if (stage && stage !== '$default' && !Object.hasOwn(ROUTES, path)) {
    const stagePath = `/${stage}`;
    if (path === stagePath || path.startsWith(`${stagePath}/`)) {
      removed += stagePath;
      path = path.slice(stagePath.length) || '/';
    }
  }
  const host = headerOf(e, 'host') ?? (typeof context?.domainName === 'string' ? context.domainName : undefined);
  // What the client's URL has before the routed path: what was removed here, or what API Gateway removed before (REST
  // APIs): requestContext.path is the URL's path when the event has it, and an execute-api URL of a REST API starts
  // with its stage (a custom domain's URL does not).
  let prefix = removed;
  if (!prefix && format === '1.0') {
    const full = typeof context?.path === 'string' ? context.path.split('?')[0]! : undefined;
    if (full !== undefined && full.length > path.length && full.endsWith(path)) prefix = full.slice(0, full.length - path.length);
    else if (full === undefined && stage && stage !== '$default' && host !== undefined && /\.execute-api\.[^.]+\.amazonaws\.com(:\d+)?$/.test(host)) {
      prefix = `/${stage}`;
    }
  }
  return { format, method, path, prefix, host: host === undefined ? undefined : `${host}${prefix}` };
}

/** A header's value, whatever the case of its name (`headers`, then `multiValueHeaders`' first value). */
function headerOf(event: Partial<ApiGatewayProxyEvent>, name: string): string | undefined {
  const find = <T>(map: Readonly<Record<string, T | undefined>> | null | undefined): T | undefined => {
    if (!map || typeof map !== 'object') return undefined;
    if (map[name] !== undefined) return map[name];
    for (const key of Object.keys(map)) if (key.toLowerCase() === name) return map[key];
    return undefined;
  };
  const single = find(event.headers);
  if (typeof single === 'string') return single;
  const multi = find(event.multiValueHeaders);
  return Array.isArray(multi) && typeof multi[0] === 'string' ? multi[0] : undefined;
}

/** The home page's origin for a host key: `https://<host><prefix>`, or a placeholder for anything unusual. */
export function lambdaOrigin(host: string | undefined): string {
  return host !== undefined && host.length <= 300 && /^[A-Za-z0-9.\-:[\]]+(\/[A-Za-z0-9._~\-$]+)*$/.test(host) ? `https://${host}` : 'https://HOST';
}

function checkBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (typeof basePath !== 'string' || !/^\/?[A-Za-z0-9._~\-$/]+$/.test(basePath)) {
    throw new ServerError('SERVER_OPTIONS_INVALID', `basePath must be a path such as '/ml', got ${JSON.stringify(basePath)}`, {
      hint: "the base path mapping of the API's custom domain, e.g. '/ml'",
    });
  }
  return `/${basePath.replace(/^\/+|\/+$/g, '')}`;
}
