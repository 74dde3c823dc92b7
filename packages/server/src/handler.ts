import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PredictInputError, type AnyModel, type Logger, type ModelArtifact } from '@unionml/core';
import { kind, parseJson } from '@unionml/data';
import { errorMessage, isUnionMLError } from '@unionml/errors';
import { declaresTooLarge, exceedsDepth, lingerAfterResponse, readBody, tooDeep, tooLarge } from './body.js';
import { ServerError, errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { assertModel, resolveOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { indexPage, originOf } from './page.js';
import { readerPredictions } from './reader-inputs.js';
import { whenLastKnown } from './shutdown.js';
import { SHUTTING_DOWN_BODY, statusBodies, type StatusBodies } from './status.js';

/** Shared between a server and its request listener: set once the server is closing. */
export interface ListenerState {
  /**
   * When true, the response to the last request received on each connection says `Connection: close`, so that
   * keep-alive connections end after it, and `GET /ready` answers 503.
   */
  closing: boolean;
}

type PredictInput = { features: unknown } | { inputs: Record<string, unknown> };

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';
const GET = 'GET, HEAD';
/** The routes and their allowed methods (the `Allow` header of 405 responses). */
const ROUTES: Readonly<Record<string, string>> = { '/': GET, '/health': GET, '/ready': GET, '/predict': 'POST', '/openapi.json': GET };
const ROUTE_LIST = 'GET /, GET /health, GET /ready, POST /predict, GET /openapi.json';
const NO_ARTIFACT = Symbol('no artifact yet');

/**
 * The request listener of the prediction server, for `node:http` (or any server with the same API).
 *
 * Routes: `GET /` (an HTML page), `GET /health` (liveness: 200 and the model served, 500 without a model), `GET /ready`
 * (readiness: 200 with a model, 503 without one or while the server closes), `POST /predict` (`{"features": [rows]}`,
 * or `{"inputs": {reader arguments}}` when `allowReaderInputs` is set), `GET /openapi.json`. Errors are JSON
 * `{ detail, code, hint? }` with the status of the error's kind (input errors 4xx, the app's 500); stacks are never
 * sent. Nothing is logged per request except failures of the app (500), with their stack, through the options'
 * `logger`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(createRequestListener(model, { maxBodyBytes: 4 << 20 })).listen(8000);
 * ```
 */
export function createRequestListener(model: AnyModel, options: ServerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  assertModel(model, 'createRequestListener');
  return requestListener(model, resolveOptions(options), { closing: false });
}

/** The listener behind {@link createRequestListener}, with the state its server controls. */
export function requestListener(
  model: AnyModel,
  {
    maxBodyBytes,
    maxBodyDepth,
    allowReaderInputs,
    readerCacheSize,
    logger,
  }: Pick<ResolvedServerOptions, 'maxBodyBytes' | 'maxBodyDepth' | 'allowReaderInputs' | 'readerCacheSize'> & { logger: Logger },
  state: ListenerState,
): (req: IncomingMessage, res: ServerResponse) => void {
  const dataset = model.dataset;
  const predictFromInputs = readerPredictions(model, { cacheSize: readerCacheSize, logger, serialize: serializePrediction });

  // Precomputed documents, rebuilt when the artifact (and so the feature columns) changes.
  let openApiArtifact: ModelArtifact | undefined | typeof NO_ARTIFACT = NO_ARTIFACT;
  let openApiBody = Buffer.alloc(0);
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
  let pageBody = Buffer.alloc(0);
  const page = (host: string | undefined): Buffer => {
    const artifact = model.artifact;
    if (artifact !== pageArtifact || host !== pageHost) {
      pageBody = Buffer.from(indexPage(model, originOf(host)));
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

  const writeResponse = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra: OutgoingHttpHeaders | undefined,
    close: boolean,
  ): void => {
    if (res.headersSent || res.destroyed) return;
    const headers: OutgoingHttpHeaders = { 'content-type': type, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length };
    if (extra) Object.assign(headers, extra);
    if (close) headers['connection'] = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra?: OutgoingHttpHeaders, close = false): void => {
    // While the server closes, the response to the last request read on each connection says Connection: close.
    if (state.closing && !close) whenLastKnown(res, (last) => writeResponse(res, status, type, body, extra, last));
    else writeResponse(res, status, type, body, extra, close);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, path: string, error: unknown, prefix?: string): void => {
    const { status, body } = errorResponse(error, prefix, prefix ? 'PREDICTION_FAILED' : 'SERVER_ERROR');
    // Server errors are logged (not 503: no model loaded is a state, which /health reports).
    if (status >= 500 && status !== 503) {
      const detail = isUnionMLError(error) ? error.describe() : error instanceof Error && error.stack ? error.stack : errorMessage(error);
      logger.error(`${req.method ?? '?'} ${path} failed with ${status}: ${detail}`);
    }
    // After a 413 the rest of the body is not read, so the connection cannot carry another request: it is closed, after
    // the client has had the time to finish sending (so that it reads the 413 rather than a reset connection).
    if (status === 413) lingerAfterResponse(req);
    send(res, status, JSON_TYPE, JSON.stringify(body), undefined, status === 413);
  };

  const predictInput = (body: unknown): PredictInput => {
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
  };

  const predict = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (declaresTooLarge(req, maxBodyBytes)) throw tooLarge(maxBodyBytes, Number(req.headers['content-length']));
      let text: string;
      try {
        text = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (isUnionMLError(error)) throw error;
        return; // the client went away: there is nobody to answer
      }
      if (exceedsDepth(text, maxBodyDepth)) throw tooDeep(maxBodyDepth);
      const input = predictInput(parseJson(text, 'the request body'));
      if ('inputs' in input) return send(res, 200, JSON_TYPE, await predictFromInputs(input.inputs));
      const prediction: unknown = await model.predict(input, { logger });
      send(res, 200, JSON_TYPE, serializePrediction(prediction));
    } catch (error) {
      fail(req, res, '/predict', error, 'prediction failed: ');
    }
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method;
    try {
      switch (path) {
        case '/predict':
          if (method === 'POST') {
            void predict(req, res);
            return;
          }
          break;
        case '/health':
          if (method === 'GET' || method === 'HEAD') {
            const { loaded, health } = statusDocs();
            send(res, loaded ? 200 : 500, JSON_TYPE, health);
            return;
          }
          break;
        case '/ready':
          if (method === 'GET' || method === 'HEAD') {
            if (state.closing) send(res, 503, JSON_TYPE, SHUTTING_DOWN_BODY);
            else {
              const { loaded, ready } = statusDocs();
              send(res, loaded ? 200 : 503, JSON_TYPE, ready);
            }
            return;
          }
          break;
        case '/':
          if (method === 'GET' || method === 'HEAD') {
            send(res, 200, HTML_TYPE, page(req.headers.host));
            return;
          }
          break;
        case '/openapi.json':
          if (method === 'GET' || method === 'HEAD') {
            send(res, 200, JSON_TYPE, openApi());
            return;
          }
          break;
        default: {
          const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
          fail(req, res, path, new ServerError('ROUTE_NOT_FOUND', `not found: there is no route ${method ?? '?'} ${shown}; the routes are ${ROUTE_LIST}`));
          return;
        }
      }
      const allow = ROUTES[path]!;
      if (method === 'OPTIONS') {
        const answer = (close: boolean) => {
          if (res.headersSent || res.destroyed) return;
          res.writeHead(204, close ? { allow, connection: 'close' } : { allow });
          res.end();
        };
        if (state.closing) whenLastKnown(res, answer);
        else answer(false);
        return;
      }
      const error = new ServerError('METHOD_NOT_ALLOWED', `method ${method ?? '?'} is not allowed on ${path}; use ${allow.replace(', HEAD', '')}`);
      const { body } = errorResponse(error);
      send(res, 405, JSON_TYPE, JSON.stringify(body), { allow });
    } catch (error) {
      fail(req, res, path, error);
    }
  };
}

/** The JSON text of a prediction; typed arrays become arrays. */
function serializePrediction(prediction: unknown): string {
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
