import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AnyModel, Logger } from '@unionml/core';
import { declaresTooLarge, lingerAfterResponse, readBody, tooLarge } from './body.js';
import { assertModel, resolveOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { originOf } from './page.js';
import { createRoutes, type ListenerState, type Transport } from './routes.js';
import { whenLastKnown } from './shutdown.js';

export type { ListenerState } from './routes.js';

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

/**
 * The listener behind {@link createRequestListener}, with the state its server controls: the node:http transport of
 * the routes (routes.ts). The body is read as it arrives, up to `maxBodyBytes`; a 413 closes the connection after a
 * lingering read of what the client still sends; while the server closes, the last response on each connection says
 * `Connection: close`.
 */
export function requestListener(
  model: AnyModel,
  options: Pick<ResolvedServerOptions, 'maxBodyBytes' | 'maxBodyDepth' | 'allowReaderInputs' | 'readerCacheSize'> & { logger: Logger },
  state: ListenerState,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { maxBodyBytes } = options;

  const writeResponse = (
    res: ServerResponse,
    status: number,
    type: string | undefined,
    body: string | Buffer,
    extra: Readonly<Record<string, string>> | undefined,
    close: boolean,
  ): void => {
    if (res.headersSent || res.destroyed) return;
    // 204 (OPTIONS) has no body, so neither a type nor a length.
    const headers: OutgoingHttpHeaders =
      type === undefined ? {} : { 'content-type': type, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length };
    if (extra) Object.assign(headers, extra);
    if (close) headers['connection'] = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };

  const transport: Transport<ServerResponse> = {
    send(res, status, type, body, extra, refused) {
      // After a 413 the rest of the body is not read, so the connection cannot carry another request: it is closed,
      // after the client has had the time to finish sending (so that it reads the 413 rather than a reset connection).
      if (refused) {
        lingerAfterResponse(res.req);
        writeResponse(res, status, type, body, extra, true);
      } else if (state.closing) {
        // While the server closes, the response to the last request read on each connection says Connection: close.
        whenLastKnown(res, (last) => writeResponse(res, status, type, body, extra, last));
      } else writeResponse(res, status, type, body, extra, false);
    },
    body(res) {
      const req = res.req;
      if (declaresTooLarge(req, maxBodyBytes)) throw tooLarge(maxBodyBytes, Number(req.headers['content-length']));
      return readBody(req, maxBodyBytes);
    },
    host: (res) => res.req.headers.host,
    origin: originOf,
  };
  const route = createRoutes(model, options, state, transport);

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    void route(res, req.method, q === -1 ? url : url.slice(0, q));
  };
}
