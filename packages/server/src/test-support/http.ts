// HTTP helpers for the server's tests: plain requests on fresh connections, and raw sockets for the edge cases.
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A response, with its body as text and (when it is JSON) parsed. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Default: a fresh connection (`agent: false`). */
  agent?: Agent;
}

/** Sends one request to `base + path` and reads the whole response. */
export function request(base: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, headers = {}, agent } = options;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, base),
      {
        method,
        agent: agent ?? false,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if (String(res.headers['content-type']).startsWith('application/json')) json = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** POSTs a JSON (or raw string) body to /predict. */
export function predict(base: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<TestResponse> {
  return request(base, '/predict', { ...options, method: 'POST', body });
}

/** A raw TCP connection to the server, collecting everything it receives. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when `pattern` has been received (or rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the server has closed the connection: `{ error }` is set if it was reset rather than ended. */
  closed: Promise<{ error?: Error }>;
}

/** Opens a raw connection to `base` (an `http://host:port` URL). */
export function rawConnection(base: string): Promise<RawConnection> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    let error: Error | undefined;
    const listeners = new Set<() => void>();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      for (const l of listeners) l();
    });
    socket.on('error', (e) => (error = e));
    const closed = new Promise<{ error?: Error }>((done) => socket.on('close', () => done(error ? { error } : {})));
    const waitFor = (pattern: RegExp, timeoutMs = 5000) =>
      new Promise<string>((done, fail) => {
        const check = () => {
          if (pattern.test(data)) {
            listeners.delete(check);
            clearTimeout(timer);
            done(data);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`timed out waiting for ${pattern}; received: ${JSON.stringify(data)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    socket.once('connect', () => resolve({ socket, received: () => data, waitFor, closed }));
    socket.once('error', reject);
  });
}
