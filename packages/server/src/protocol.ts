// What the prediction server answers below its routes: requests Node's HTTP parser refuses (malformed, headers too
// large, too slow), CONNECT, protocol upgrades and unmet Expect headers. Each gets its status and the JSON error body
// {detail, code, hint} with Connection: close, written to the socket as raw HTTP/1.1 when no response was started.
import { STATUS_CODES, maxHeaderSize as defaultMaxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@unionml/core';
import { lingerAfterResponse, lingeringClose } from './body.js';
import { ServerError, errorResponse } from './errors.js';

/** The socket state Node keeps on a server's sockets that this file reads: the response being written, if any. */
type ServerSocket = Duplex & { _httpMessage?: ServerResponse | null };

const ANSWERED = Symbol('unionml.protocolAnswered');
type AnsweredSocket = Duplex & { [ANSWERED]?: true };

/** The methods of the server's routes, for the `Allow` header of CONNECT's 405. */
const ALL_METHODS = 'GET, HEAD, POST, OPTIONS';

/** Timeouts of {@link configureProtocol}, in ms (0 disables one). */
export interface ProtocolOptions {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  logger: Logger;
}

/**
 * Sets the server's timeouts and connection cap, and answers what its request listener never sees:
 *
 * - `clientError` (Node's parser refused the request, or a timeout): 400 `REQUEST_MALFORMED` (a bad request line,
 *   header, Content-Length or chunked encoding), 431 `REQUEST_HEADERS_TOO_LARGE`, 408 `REQUEST_TIMEOUT`, 413
 *   `REQUEST_TOO_LARGE` (chunk extensions over Node's limit). When a response was already started on the connection,
 *   or the socket cannot be written (the client reset it), the socket is destroyed without a word.
 * - `connect` (a CONNECT request: this is not a proxy): 405 `METHOD_NOT_ALLOWED`.
 * - `upgrade` (`Upgrade: websocket`, `h2c`...): 400 `UPGRADE_NOT_SUPPORTED`.
 * - `checkExpectation` (an `Expect` header other than `100-continue`): 417 `EXPECTATION_FAILED`.
 *
 * Every one of these answers says `Connection: close`, and the connection then closes lingering (what the client still
 * sends is read and dropped for a moment), so that the client reads the answer rather than a reset.
 */
export function configureProtocol(server: Server, options: ProtocolOptions): void {
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.maxConnections = options.maxConnections;
  // How often Node checks the two timeouts above (its default, 30 s, would make a 10 s timeout fire after up to 40 s).
  // It must be set before listen(), which starts the check.
  const shortest = Math.min(options.headersTimeoutMs || Infinity, options.requestTimeoutMs || Infinity);
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Number.isFinite(shortest)
    ? Math.max(10, Math.min(1000, Math.floor(shortest / 4)))
    : 30_000;

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answered = socket as AnsweredSocket;
    // Node calls this again for every chunk that reaches a parser in error: only the first one is answered.
    if (answered[ANSWERED]) return;
    answered[ANSWERED] = true;
    const protocolError = clientErrorOf(error, server);
    const pending = (socket as ServerSocket)._httpMessage;
    if (!protocolError || !socket.writable) {
      socket.destroy();
      return;
    }
    // A request pipelined after complete ones is malformed: the responses to those go first, then the error.
    if (pending?.req?.complete) {
      afterPendingResponses(socket, () => writeRawError(socket, protocolError));
      return;
    }
    // The request being received is malformed (its body, say): answer it, unless its response has started.
    if (pending?.headersSent) socket.destroy();
    else writeRawError(socket, protocolError);
  });

  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    writeRawError(
      socket,
      new ServerError('METHOD_NOT_ALLOWED', 'method CONNECT is not allowed: this server is not a proxy', {
        hint: 'send GET /, GET /health, GET /ready, GET /openapi.json or POST /predict',
      }),
      { allow: ALL_METHODS },
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const protocol = String(req.headers.upgrade ?? '').slice(0, 100);
    writeRawError(
      socket,
      new ServerError('UPGRADE_NOT_SUPPORTED', `the request asks to upgrade the connection to '${protocol}'; this server speaks HTTP/1.1 only`, {
        hint: 'send the request without the Upgrade and Connection: upgrade headers (curl: without --http2)',
      }),
    );
  });

  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const expect = String(req.headers.expect ?? '').slice(0, 100);
    const { status, body } = errorResponse(
      new ServerError('EXPECTATION_FAILED', `the request expects '${expect}', which this server does not meet; it supports only 'Expect: 100-continue'`, {
        hint: 'send the request without the Expect header, or with Expect: 100-continue',
      }),
    );
    const text = JSON.stringify(body);
    // The body the client may still send is read and dropped, then the connection closes lingering.
    lingerAfterResponse(req);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
    res.end(text);
  });

  let dropped = 0;
  let warnedAt = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - warnedAt >= DROP_WARNING_INTERVAL_MS) {
      options.logger.warn(
        `refused ${dropped} connection${dropped === 1 ? '' : 's'}: the server holds its maximum of ${options.maxConnections} (maxConnections)`,
      );
      warnedAt = now;
      dropped = 0;
    }
  });
}

/** Calls `then` once the responses queued on `socket` are sent (none is queued after a parse error). */
function afterPendingResponses(socket: ServerSocket, then: () => void): void {
  const next = (): void => {
    if (socket.destroyed) return;
    const pending = socket._httpMessage;
    if (!pending) then();
    else pending.once('finish', () => setImmediate(next));
  };
  next();
}

/** The warning about connections refused over `maxConnections` is logged at most this often: 10 s. */
export const DROP_WARNING_INTERVAL_MS = 10_000;

/** The coded error to answer for a `clientError`, or undefined when the socket should just be destroyed. */
export function clientErrorOf(error: NodeJS.ErrnoException & { reason?: string }, server?: Server): ServerError | undefined {
  const code = error.code ?? '';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const headers = server?.headersTimeout ?? 0;
    const whole = server?.requestTimeout ?? 0;
    const limits = [headers ? `its headers within ${seconds(headers)}` : '', whole ? `the whole request within ${seconds(whole)}` : '']
      .filter(Boolean)
      .join(' and ');
    return new ServerError('REQUEST_TIMEOUT', `the request did not arrive in time: the server waits for ${limits || 'it'}`, {
      hint: 'send the whole request at once; for slow clients, start the server with larger headersTimeoutMs/requestTimeoutMs',
    });
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    const limit = (server as { maxHeaderSize?: number } | undefined)?.maxHeaderSize ?? defaultMaxHeaderSize;
    return new ServerError('REQUEST_HEADERS_TOO_LARGE', `the request's headers are larger than ${limit} bytes`, {
      hint: 'send fewer or smaller headers (cookies, tokens); the limit is node --max-http-header-size',
    });
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return new ServerError('REQUEST_TOO_LARGE', "the request's chunk extensions are larger than the server accepts", {
      hint: 'send the body without chunk extensions',
    });
  }
  if (code === 'HPE_PAUSED_H2_UPGRADE') {
    return new ServerError('REQUEST_MALFORMED', 'the request is HTTP/2 (prior knowledge); this server speaks HTTP/1.1 only', {
      hint: 'send HTTP/1.1 (curl: without --http2-prior-knowledge)',
    });
  }
  if (code.startsWith('HPE_')) {
    const reason = error.reason ?? error.message.replace(/^Parse Error: /, '');
    return new ServerError('REQUEST_MALFORMED', `the request is not valid HTTP/1.1: ${reason.replace(/\.$/, '').toLowerCase()} (${code})`, {
      hint: 'send a well-formed HTTP/1.1 request (curl, fetch and HTTP libraries do)',
    });
  }
  // ECONNRESET, EPIPE, ETIMEDOUT...: the client is gone or the socket failed; there is nobody to answer.
  return undefined;
}

/**
 * Writes `error` as a whole HTTP/1.1 response (its status, the JSON error body, `Connection: close`) to a socket that
 * no response was started on, then closes it lingering.
 */
export function writeRawError(socket: Duplex, error: ServerError, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy()); // a client that resets now is gone; nothing to report
  const { status, body } = errorResponse(error);
  const text = JSON.stringify(body);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  socket.write(`${head}\r\n${text}`);
  lingeringClose(socket as Socket);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
