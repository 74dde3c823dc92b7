import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ServerError } from './errors.js';

/** The default body size limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The {@link ServerError} for a body over the limit (413). */
export function tooLarge(limit: number, declared?: number): ServerError {
  const size = declared === undefined ? `more than ${limit} bytes` : `${declared} bytes`;
  return new ServerError('REQUEST_TOO_LARGE', `the request body is too large: ${size}, the limit is ${limit} bytes`, {
    hint: 'send fewer rows per request, or raise the server limit (maxBodyBytes)',
  });
}

/** True when the request declares a Content-Length over `limit`. */
export function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limit;
}

/** How long a lingering close waits for more of a refused body without any arriving, and at most in all (ms). */
export const LINGER_IDLE_MS = 1000;
export const LINGER_MAX_MS = 10_000;

const LINGERING = Symbol('unionml.lingering');
type LingeringSocket = Socket & { [LINGERING]?: true };

/**
 * A lingering close of `socket`, as nginx does: the socket is half-closed (`end()`: what was written is sent, then a
 * FIN), what the client still sends is read and dropped, and the socket is destroyed when the client ends it, after
 * {@link LINGER_IDLE_MS} without data, or after {@link LINGER_MAX_MS}. A socket closed with unread data makes the
 * kernel answer with a reset, which a client can see before it reads the response: a lingering close lets it read the
 * response and then see a clean end. Calling it again on the same socket does nothing.
 */
export function lingeringClose(socket: Socket): void {
  const lingering = socket as LingeringSocket;
  if (lingering[LINGERING]) return;
  lingering[LINGERING] = true;
  if (socket.destroyed) return;
  socket.end();
  const done = (): void => {
    clearTimeout(idle);
    clearTimeout(max);
    socket.destroy();
  };
  // Not unref'd: a lingering socket may be the last thing a closing server waits for, and with its timers
  // unref'd the process could run out of work before server.close() calls back (a served app then exited 13,
  // "unsettled top-level await", on SIGTERM).
  const idle = setTimeout(done, LINGER_IDLE_MS);
  const max = setTimeout(done, LINGER_MAX_MS);
  socket.on('data', () => idle.refresh());
  socket.once('end', done);
  socket.once('close', done);
  socket.resume();
}

/** A `socket.destroySoon` that closes lingering (see {@link lingeringClose}): what Node calls after a `Connection: close` response. */
export function lingeringDestroySoon(this: Socket): void {
  lingeringClose(this);
}

/**
 * A lingering close after refusing a body. The client may still be sending it, and a socket closed with unread data
 * makes the kernel answer with a reset, which a client can see before it reads the response (a fetch then fails with
 * EPIPE instead of getting the 413). So, for the connection of `req`: the rest of the body is read and dropped, and the
 * socket closes lingering ({@link lingeringClose}) once the response is sent (the server's `destroySoon`).
 */
export function lingerAfterResponse(req: IncomingMessage): void {
  req.resume();
  req.socket.destroySoon = lingeringDestroySoon;
}

/** The default nesting limit of request bodies: 64 levels of arrays and objects. */
export const DEFAULT_MAX_BODY_DEPTH = 64;

/** The {@link ServerError} for a body nested deeper than the limit (400). */
export function tooDeep(limit: number): ServerError {
  return new ServerError('REQUEST_BODY_TOO_DEEP', `the request body nests arrays and objects more than ${limit} levels deep`, {
    hint: `flatten the data ({"features": [{"column": value}]} is 3 levels deep), or raise the server's limit (maxBodyDepth, now ${limit})`,
  });
}

/**
 * True when the JSON text nests arrays and objects more than `limit` levels deep. It first counts the `[` and `{` in the
 * whole text (a native search, strings included): a text with at most `limit` of them cannot be deeper, which settles
 * every ordinary request at a fraction of JSON.parse's cost. Otherwise one pass over the text follows the nesting,
 * skipping strings (and their escapes), and stops at the first level over the limit. Invalid JSON gives an
 * approximate answer: JSON.parse rejects it next anyway.
 */
export function exceedsDepth(text: string, limit: number): boolean {
  let brackets = 0;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++brackets > limit) return nestsDeeper(text, limit);
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++brackets > limit) return nestsDeeper(text, limit);
  return false;
}

function nestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote, one that an odd number of backslashes does not escape.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end === -1) return false;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        i = end;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** The state of one body being read. The listeners below are shared by every request (no closures per request). */
interface BodyReader {
  limit: number;
  size: number;
  first: Buffer | undefined;
  chunks: Buffer[] | undefined;
  resolve: (text: string) => void;
  reject: (error: unknown) => void;
}

const READER = Symbol('unionml.bodyReader');
type ReadingRequest = IncomingMessage & { [READER]?: BodyReader | undefined };

function onData(this: ReadingRequest, chunk: Buffer): void {
  const reader = this[READER]!;
  reader.size += chunk.length;
  if (reader.size > reader.limit) {
    detach(this);
    this.pause(); // stop collecting: the response says Connection: close (and lingerAfterResponse drops the rest)
    reader.reject(tooLarge(reader.limit));
    return;
  }
  if (reader.first === undefined) reader.first = chunk;
  else (reader.chunks ??= [reader.first]).push(chunk);
}

function onEnd(this: ReadingRequest): void {
  const reader = this[READER]!;
  detach(this);
  const buffer = reader.chunks ? Buffer.concat(reader.chunks, reader.size) : reader.first;
  if (buffer === undefined) return reader.resolve('');
  // Skip a UTF-8 byte order mark, which JSON.parse rejects.
  const start = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  reader.resolve(buffer.toString('utf8', start));
}

function onError(this: ReadingRequest, error: Error): void {
  const reader = this[READER]!;
  detach(this);
  reader.reject(error);
}

function detach(req: ReadingRequest): void {
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onError);
  req[READER] = undefined;
}

/**
 * Reads the whole request body as UTF-8 text (without a byte order mark). Rejects with `REQUEST_TOO_LARGE` as
 * soon as more than `limit` bytes have arrived, and stops reading then; rejects with the stream's error if the
 * client goes away.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    (req as ReadingRequest)[READER] = { limit, size: 0, first: undefined, chunks: undefined, resolve, reject };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
