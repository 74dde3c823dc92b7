// The graceful shutdown of the prediction server: stop accepting, answer every request already received (in flight,
// or pipelined behind one), the last response of each connection saying Connection: close, close idle keep-alive
// connections without losing a request that was on its way, and close what is left by force after a grace period.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { lingeringClose, lingeringDestroySoon } from './body.js';

/** The per-socket state Node's HTTP server keeps that the shutdown reads. */
type ServerSocket = Socket & {
  /** The response being written on the connection (responses to pipelined requests wait behind it). */
  _httpMessage?: unknown;
  /** The connection's HTTP parser; `incoming` is the last request it has read. */
  parser?: { incoming?: unknown } | null;
};

/** Node's list of a server's HTTP connections (`idle()`: connections not in the middle of receiving a request). */
interface ConnectionsList {
  idle(): { socket?: Socket | null }[];
}

/**
 * True when `res` answers the last request read on its connection: no other request is pipelined behind it. While a
 * server closes, only that response says `Connection: close`; one said earlier would make Node drop the requests
 * queued behind it (RFC 9112: no request after a `close` is processed), so the earlier ones say `keep-alive`.
 */
export function lastOnConnection(res: ServerResponse): boolean {
  const req = res.req as unknown;
  const parser = (res.req.socket as ServerSocket | null)?.parser;
  return !parser || parser.incoming === req || parser.incoming == null;
}

/**
 * Calls `write(last)` once it is known whether `res` answers the last request read on its connection: when `res` is
 * next to be sent on the connection (responses to pipelined requests are sent in order) and the event loop has turned
 * twice since, so that what the client had sent by then has been read and parsed. Used while the server closes: Node
 * calls the request listener as soon as a request's headers are parsed, before it parses the requests pipelined
 * after it in the same chunk, so the answer is not known when a route answers at once.
 */
export function whenLastKnown(res: ServerResponse, write: (last: boolean) => void): void {
  const decide = (): void => {
    setImmediate(() => setImmediate(() => write(lastOnConnection(res))));
  };
  if (res.socket) decide();
  else res.once('socket', decide);
}

/** How often, while draining, connections that have turned idle are looked for: every 50 ms. */
export const IDLE_SWEEP_MS = 50;

const SEEN = Symbol('unionml.idleBytesRead');
type SweptSocket = ServerSocket & { [SEEN]?: number | undefined };

/** The connections of a server, and its graceful close. */
export interface Connections {
  /** The open sockets. */
  readonly sockets: ReadonlySet<Socket>;
  /**
   * Closes `server` gracefully: resolves once every connection is closed (at the latest `graceMs` after the call,
   * when the rest are destroyed). The caller marks its state as closing first, so that responses say
   * `Connection: close`.
   */
  drain(graceMs: number): Promise<void>;
  /** Destroys every connection now (a drain in progress then ends). */
  destroyAll(): void;
}

/**
 * Tracks the connections of `server` (one `Set` entry per connection, nothing per request) for {@link Connections.drain}.
 *
 * The drain:
 * 1. stops listening (new connections are refused), without Node's own `closeIdleConnections()`, which `server.close()`
 *    calls in Node ≥ 19 and which destroys an idle-looking connection even when the next request is in its receive
 *    buffer, not yet read (a reset for a request sent before the shutdown began), or when its last response is ended
 *    but not yet flushed;
 * 2. makes every connection close lingering after a `Connection: close` response (the client reads the response, then
 *    a clean end, never a reset);
 * 3. sweeps the connections now, after one turn of the event loop (which reads what arrived before the close), then
 *    every {@link IDLE_SWEEP_MS}: a connection that is idle (no request being received, no response pending) and has
 *    read nothing since the previous sweep is closed lingering. Connections with requests finish them: the response to
 *    the last request received on each says `Connection: close`;
 * 4. after `graceMs`, destroys whatever is still open.
 */
export function trackConnections(server: Server): Connections {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const destroyAll = (): void => {
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  };

  const idleSockets = (): Socket[] => {
    const connections = connectionsList(server);
    if (connections) {
      const idle: Socket[] = [];
      for (const connection of connections.idle()) if (connection.socket) idle.push(connection.socket);
      return idle;
    }
    // Without Node's list (a future Node): every connection without a pending response. It cannot see a request whose
    // headers are half received, which then gets closed when it has read nothing for a sweep.
    return [...sockets];
  };

  const sweep = (): void => {
    for (const socket of idleSockets() as SweptSocket[]) {
      if (socket._httpMessage || socket.destroyed) {
        socket[SEEN] = undefined;
        continue;
      }
      if (socket[SEEN] === socket.bytesRead) lingeringClose(socket);
      else socket[SEEN] = socket.bytesRead;
    }
  };

  const drain = (graceMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroySoon = lingeringDestroySoon;
      let interval: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const force = setTimeout(destroyAll, graceMs);
      // Node ≥ 19's server.close() calls this.closeIdleConnections(): a no-op for that call (the sweeps do it).
      const instance = server as unknown as { closeIdleConnections: () => void };
      const own = Object.hasOwn(server, 'closeIdleConnections') ? instance.closeIdleConnections : undefined;
      instance.closeIdleConnections = () => {};
      try {
        server.close(() => {
          clearTimeout(force);
          clearInterval(interval);
          if (immediate) clearImmediate(immediate);
          resolve();
        });
      } finally {
        if (own) instance.closeIdleConnections = own;
        else delete (instance as Partial<typeof instance>).closeIdleConnections;
      }
      sweep();
      // Two turns of the event loop: the poll phase between them reads the requests that arrived before the close.
      immediate = setImmediate(() => {
        immediate = setImmediate(() => {
          immediate = undefined;
          sweep();
          interval = setInterval(sweep, IDLE_SWEEP_MS);
        });
      });
    });

  return { sockets, drain, destroyAll };
}

/** Node's connections list of an HTTP server (an internal of Node ≥ 18.14, made when it listens), or undefined. */
function connectionsList(server: Server): ConnectionsList | undefined {
  const symbol = Object.getOwnPropertySymbols(server).find((s) => s.description === 'http.server.connections');
  const value = symbol ? ((server as unknown as Record<symbol, unknown>)[symbol] as ConnectionsList | undefined) : undefined;
  return value && typeof value.idle === 'function' ? value : undefined;
}
