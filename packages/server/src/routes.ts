// The routes of the prediction server, independent of how requests arrive: the node:http listener (handler.ts) and the
// AWS Lambda handler (lambda/http.ts) both answer through them, so that they give the same statuses, headers and
// bodies. A transport says how to read a request's body and how to write an answer; the routes do the rest (routing,
// 404/405, the predictions, errors as JSON). Nothing here allocates per request beyond what the answer needs: the
// documents of GET /, /health, /ready and /openapi.json are computed once per artifact.
import { PredictInputError, type AnyModel, type Logger, type ModelArtifact } from '@unionml/core';
import { kind, parseJson } from '@unionml/data';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { exceedsDepth, tooDeep } from './body.js';
import { ServerError, errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { indexPage } from './page.js';
import { readerPredictions } from './reader-inputs.js';
import { SHUTTING_DOWN_BODY, statusBodies, type StatusBodies } from './status.js';

/** Shared between a server and its routes: set once the server is closing. */
export interface ListenerState {
  /**
   * When true, the response to the last request received on each connection says `Connection: close`, so that
   * keep-alive connections end after it, and `GET /ready` answers 503.
   */
  closing: boolean;
}

/**
 * How a transport reads requests and writes answers. `C` is its per-request object (for node:http, the response): the
 * routes hand it back to every call, so that a transport needs no closure per request.
 */
export interface Transport<C> {
  /**
   * Writes the answer. `type` is the content type (undefined for 204, which has no body); `extra` holds further headers
   * (`allow`); `refused` is true for a 413, whose body was not read: a connection cannot carry another request after
   * it. A transport answers HEAD without the body (but with the headers of GET).
   */
  send(ctx: C, status: number, type: string | undefined, body: string | Buffer, extra: Readonly<Record<string, string>> | undefined, refused: boolean): void;
  /**
   * The request's body as UTF-8 text (without a byte order mark). Throws or rejects with a UnionML error to answer it
   * (`REQUEST_TOO_LARGE`); with any other error when there is nobody to answer (the client went away).
   */
  body(ctx: C): string | Promise<string>;
  /** The request's host as the home page keys it (read for `GET /` only). */
  host(ctx: C): string | undefined;
  /** The origin the home page shows in its curl example, for a value of `host` (computed once per host). */
  origin(host: string | undefined): string;
}

/** What the routes take of the server's options. */
export interface RouteOptions {
  maxBodyDepth: number;
  allowReaderInputs: boolean;
  readerCacheSize: number;
  logger: Logger;
}

/**
 * Answers one request through the transport. `path` has no query string. Returns a promise (that never rejects) for
 * `POST /predict`, and undefined for the routes that are answered at once.
 */
export type Route<C> = (ctx: C, method: string | undefined, path: string) => Promise<void> | undefined;

type PredictInput = { features: unknown } | { inputs: Record<string, unknown> };

/** The content types of the answers. */
export const JSON_TYPE = 'application/json';
export const HTML_TYPE = 'text/html; charset=utf-8';
const GET = 'GET, HEAD';
/** The routes and their allowed methods (the `Allow` header of 405 responses). */
export const ROUTES: Readonly<Record<string, string>> = { '/': GET, '/health': GET, '/ready': GET, '/predict': 'POST', '/openapi.json': GET };
const ROUTE_LIST = 'GET /, GET /health, GET /ready, POST /predict, GET /openapi.json';
const NO_ARTIFACT = Symbol('no artifact yet');
const EMPTY = Buffer.alloc(0);

/**
 * The routes of the prediction server (see `createRequestListener` for what each answers), over `transport`.
 * Failures of the app (500) are logged with their stack through `logger`; nothing else is logged per request.
 */
export function createRoutes<C>(
  model: AnyModel,
  { maxBodyDepth, allowReaderInputs, readerCacheSize, logger }: RouteOptions,
  state: ListenerState,
  transport: Transport<C>,
): Route<C> {
  const dataset = model.dataset;
  const predictFromInputs = readerPredictions(model, { cacheSize: readerCacheSize, logger, serialize: serializePrediction });

  // Precomputed documents, rebuilt when the artifact (and so the feature columns) changes.
  let openApiArtifact: ModelArtifact | undefined | typeof NO_ARTIFACT = NO_ARTIFACT;
  let openApiBody = EMPTY;
  const openApi = (): Buffer => {
    const artifact = model.artifact;
    if (artifact !== openApiArtifact) {
      openApiBody = Buffer.from(JSON.stringify(openApiDocument(model, { readerInputs: allowReaderInputs })));
      openApiArtifact = artifact;
    }
    return openApiBody;
  };
  let pageArtifact: ModelArtifact | undefined | typeof NO_ARTIFACT = NO_ARTIFACT;
  let pageHost: string | undefined;
  let pageBody = EMPTY;
  const page = (host: string | undefined): Buffer => {
    const artifact = model.artifact;
    if (artifact !== pageArtifact || host !== pageHost) {
      pageBody = Buffer.from(indexPage(model, transport.origin(host)));
      pageArtifact = artifact;
      pageHost = host;
    }
    return pageBody;
  };
  let statusArtifact: ModelArtifact | undefined | typeof NO_ARTIFACT = NO_ARTIFACT;
  let statusBody: StatusBodies | undefined;
  const statusDocs = (): StatusBodies => {
    const artifact = model.artifact;
    if (artifact !== statusArtifact || !statusBody) {
      statusBody = statusBodies(model);
      statusArtifact = artifact;
    }
    return statusBody;
  };
  openApi();
  page(undefined);
  statusDocs();

  const fail = (ctx: C, method: string | undefined, path: string, error: unknown, prefix?: string): void => {
    const { status, body } = errorResponse(error, prefix, prefix ? 'PREDICTION_FAILED' : 'SERVER_ERROR');
    // Server errors are logged (not 503: no model loaded is a state, which /health reports).
    if (status >= 500 && status !== 503) {
      const detail = isUnionMLError(error) ? error.describe() : error instanceof Error && error.stack ? error.stack : errorMessage(error);
      logger.error(`${method ?? '?'} ${path} failed with ${status}: ${detail}`);
    }
    transport.send(ctx, status, JSON_TYPE, JSON.stringify(body), undefined, status === 413);
  };

  const predict = async (ctx: C, method: string | undefined): Promise<void> => {
    try {
      let text: string;
      try {
        text = await transport.body(ctx);
      } catch (error) {
        if (isUnionMLError(error)) throw error;
        return; // the client went away: there is nobody to answer
      }
      const input = predictRequest(text, model, maxBodyDepth, allowReaderInputs, dataset);
      if ('inputs' in input) return transport.send(ctx, 200, JSON_TYPE, await predictFromInputs(input.inputs), undefined, false);
      const prediction: unknown = await model.predict(input, { logger });
      transport.send(ctx, 200, JSON_TYPE, serializePrediction(prediction), undefined, false);
    } catch (error) {
      fail(ctx, method, '/predict', error, 'prediction failed: ');
    }
  };

  return (ctx, method, path) => {
    try {
      switch (path) {
        case '/predict':
          if (method === 'POST') return predict(ctx, method);
          break;
        case '/health':
          if (method === 'GET' || method === 'HEAD') {
            const { loaded, health } = statusDocs();
            transport.send(ctx, loaded ? 200 : 500, JSON_TYPE, health, undefined, false);
            return;
          }
          break;
        case '/ready':
          if (method === 'GET' || method === 'HEAD') {
            if (state.closing) transport.send(ctx, 503, JSON_TYPE, SHUTTING_DOWN_BODY, undefined, false);
            else {
              const { loaded, ready } = statusDocs();
              transport.send(ctx, loaded ? 200 : 503, JSON_TYPE, ready, undefined, false);
            }
            return;
          }
          break;
        case '/':
          if (method === 'GET' || method === 'HEAD') {
            transport.send(ctx, 200, HTML_TYPE, page(transport.host(ctx)), undefined, false);
            return;
          }
          break;
        case '/openapi.json':
          if (method === 'GET' || method === 'HEAD') {
            transport.send(ctx, 200, JSON_TYPE, openApi(), undefined, false);
            return;
          }
          break;
        default: {
          const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
          fail(ctx, method, path, new ServerError('ROUTE_NOT_FOUND', `not found: there is no route ${method ?? '?'} ${shown}; the routes are ${ROUTE_LIST}`));
          return;
        }
      }
      const allow = ROUTES[path]!;
      if (method === 'OPTIONS') {
        transport.send(ctx, 204, undefined, EMPTY, { allow }, false);
        return;
      }
      const error = new ServerError('METHOD_NOT_ALLOWED', `method ${method ?? '?'} is not allowed on ${path}; use ${allow.replace(', HEAD', '')}`);
      transport.send(ctx, 405, JSON_TYPE, JSON.stringify(errorResponse(error).body), { allow }, false);
    } catch (error) {
      fail(ctx, method, path, error);
    }
    return;
  };
}

/**
 * The input of a prediction from the text of a `POST /predict` body: checked for depth, parsed, and checked for shape
 * (`{"features": [rows]}`, or `{"inputs": {...}}` where allowed). Throws the coded error to answer otherwise.
 */
function predictRequest(text: string, model: AnyModel, maxBodyDepth: number, allowReaderInputs: boolean, dataset: AnyModel['dataset']): PredictInput {
  if (exceedsDepth(text, maxBodyDepth)) throw tooDeep(maxBodyDepth);
  const body: unknown = parseJson(text, 'the request body');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ServerError('REQUEST_BODY_INVALID', `the request body must be a JSON object, {"features": [...]} or {"inputs": {...}}; got ${kind(body)}`, {
      hint: 'wrap the rows: {"features": [{"column": value, ...}]}',
    });
  }
  let features: unknown;
  let inputs: unknown;
  let unknown: string[] | undefined;
  for (const key in body) {
    if (key === 'features') features = (body as Record<string, unknown>)[key];
    else if (key === 'inputs') inputs = (body as Record<string, unknown>)[key];
    else (unknown ??= []).push(key);
  }
  const hasFeatures = features !== undefined && features !== null;
  const hasInputs = inputs !== undefined && inputs !== null;
  if (!hasFeatures && !hasInputs) {
    throw new PredictInputError(
      `inputs or features must be supplied.${unknown ? ` The body has ${describeKeys(unknown)}.` : ''}`,
      'send {"features": [{"column": value, ...}]} or {"inputs": {...reader arguments}}',
    );
  }
  if (unknown) {
    throw new ServerError('REQUEST_BODY_INVALID', `the request body has ${describeKeys(unknown)}; it takes only "features" or "inputs"`, {
      hint: 'send {"features": [...]} or {"inputs": {...}}',
    });
  }
  if (hasFeatures && hasInputs) {
    throw new ServerError('REQUEST_BODY_INVALID', 'the request body has both "features" and "inputs"; send one of them', {
      hint: 'send {"features": [...]} to predict from rows, or {"inputs": {...}} to predict from data the reader reads',
    });
  }
  if (hasFeatures) {
    // Rows for the default feature loader of tables; a custom feature loader takes what it takes.
    if (!Array.isArray(features) && dataset.tabular && !dataset.component('featureLoader')) {
      throw new ServerError('REQUEST_BODY_INVALID', `"features" must be an array of rows, [{"column": value, ...}]; got ${kind(features)}`, {
        hint: 'send {"features": [{"column": value, ...}, ...]}',
      });
    }
    return { features };
  }
  if (typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new ServerError('REQUEST_BODY_INVALID', `"inputs" must be an object of reader arguments, got ${kind(inputs)}`, {
      hint: 'send {"inputs": {"argument": value, ...}}',
    });
  }
  if (!dataset.component('reader')) {
    throw new ServerError('REQUEST_BODY_INVALID', `model '${model.name}' cannot predict from "inputs": its dataset '${dataset.name}' has no reader`, {
      hint: 'send {"features": [...]} instead',
    });
  }
  if (!allowReaderInputs) {
    throw new ServerError(
      'READER_INPUTS_DISABLED',
      `this server does not predict from reader arguments ({"inputs": {...}}): they would make it read data a client chooses`,
      {
        hint: 'send the rows instead, {"features": [{"column": value, ...}]}, or start the server with allowReaderInputs (unionml serve --allow-reader-inputs, UNIONML_ALLOW_READER_INPUTS=1)',
      },
    );
  }
  return { inputs: inputs as Record<string, unknown> };
}

/** The JSON text of a prediction; typed arrays become arrays. Throws `PREDICTION_NOT_SERIALIZABLE`. */
export function serializePrediction(prediction: unknown): string {
  const value = ArrayBuffer.isView(prediction) && !(prediction instanceof DataView) ? Array.from(prediction as unknown as ArrayLike<unknown>) : prediction;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ServerError('PREDICTION_NOT_SERIALIZABLE', `the prediction cannot be sent as JSON: ${errorMessage(error)}`, {
      hint: 'return JSON data from the predictor (numbers, strings, arrays, plain objects)',
    });
  }
  if (text === undefined) {
    throw new ServerError('PREDICTION_NOT_SERIALIZABLE', `the prediction cannot be sent as JSON: the predictor returned ${kind(value)}`, {
      hint: 'return JSON data from the predictor (numbers, strings, arrays, plain objects)',
    });
  }
  return text;
}

function describeKeys(keys: readonly string[]): string {
  const named = keys.map((k) => {
    const near = /^(feature|featues|featurs|data|records|rows|instances)$/i.test(k)
      ? 'features'
      : /^(input|inptus|args|arguments|kwargs|params)$/i.test(k)
        ? 'inputs'
        : undefined;
    return `'${k}'${near ? ` (did you mean '${near}'?)` : ''}`;
  });
  return `unknown key${keys.length === 1 ? '' : 's'} ${named.join(', ')}`;
}
