// A small HTTP/1.1 client on raw sockets for the soak (soak.e2e.ts): it writes exactly the bytes it is given (partial
// bodies, pauses, malformed framing) and reads responses one by one, so that the soak can tell a complete response
// from a reset, and see the Connection header of each response.
import { connect, type Socket } from 'node:net';

/** A response as read from the socket. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** How a connection ended, as the client saw it. */
export type ConnectionEnd = 'open' | 'eof' | 'reset' | 'destroyed';

interface Waiter {
  resolve: (response: RawResponse) => void;
  reject: (error: Error) => void;
}

/**
 * One client connection. {@link Connection.next} resolves the next response on it; a response is complete when its
 * `Content-Length` bytes have arrived, or, without one, when the server closes (a close-delimited body).
 */
export class Connection {
  readonly socket: Socket;
  /** How the connection ended: `eof` (the server closed cleanly), `reset` (ECONNRESET, EPIPE...), or by us. */
  end: ConnectionEnd = 'open';
  /** The socket error, if any. */
  error: NodeJS.ErrnoException | undefined;
  #text = '';
  #waiters: Waiter[] = [];
  #ready: RawResponse[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#text += chunk.toString('latin1');
      this.#parse(false);
    });
    socket.on('end', () => {
      if (this.end === 'open') this.end = 'eof';
      this.#parse(true);
      this.#failAll(new Error('the server closed the connection before a response'), 'ECONNCLOSED');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
      if (this.end === 'open') this.end = 'reset';
      this.#failAll(error, error.code ?? 'ERROR');
    });
    socket.on('close', () => {
      if (this.end === 'open') this.end = 'eof';
      this.#failAll(new Error('the connection closed before a response'), 'ECONNCLOSED');
    });
  }

  /** Opens a connection to 127.0.0.1:`port`. */
  static open(port: number, timeoutMs = 10_000): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to port ${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Writes bytes as they are; resolves once they are handed to the kernel. False when the socket is gone. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(data, (error) => resolve(!error)));
  }

  /** The next response; rejects when the connection ends or fails first, or after `timeoutMs`. */
  next(timeoutMs: number): Promise<RawResponse> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.end !== 'open')
      return Promise.reject(withCode(new Error(`the connection has ended (${this.end})`), this.end === 'reset' ? 'ECONNRESET' : 'ECONNCLOSED'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(withCode(new Error(`no response within ${timeoutMs} ms`), 'ETIMEDOUT'));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Destroys the socket (a client that goes away). */
  destroy(): void {
    if (this.end === 'open') this.end = 'destroyed';
    this.socket.destroy();
  }

  /** Resolves once the socket is closed, or after `timeoutMs` (false then). */
  closed(timeoutMs: number): Promise<boolean> {
    if (this.socket.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #parse(eof: boolean): void {
    for (;;) {
      const headEnd = this.#text.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const lines = this.#text.slice(0, headEnd).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const start = headEnd + 4;
      const length = headers['content-length'];
      let end: number;
      if (length !== undefined) {
        end = start + Number(length);
        if (this.#text.length < end) return;
      } else if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
        end = start;
      } else {
        if (!eof) return; // a close-delimited body
        end = this.#text.length;
      }
      const body = Buffer.from(this.#text.slice(start, end), 'latin1').toString('utf8');
      this.#text = this.#text.slice(end);
      if (status >= 100 && status < 200) continue; // 100 Continue and the like: not the response
      const response: RawResponse = { status, headers, body };
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(response);
      else this.#ready.push(response);
    }
  }

  #failAll(error: Error, code: string): void {
    const waiters = this.#waiters.splice(0);
    for (const waiter of waiters) waiter.reject(withCode(error, code));
  }
}

function withCode(error: Error, code: string): Error {
  (error as NodeJS.ErrnoException).code ??= code;
  return error;
}

/** A POST of `body` (string) as HTTP/1.1 bytes, with a Content-Length, on a keep-alive connection. */
export function postRequest(path: string, body: string, extraHeaders = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`;
}

/** A request without a body. */
export function bareRequest(method: string, path: string): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
