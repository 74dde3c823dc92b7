import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A request the fake daemon received, without its API version prefix (`/v1.41`). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The JSON body, parsed (undefined for other bodies, e.g. a build context). */
  body: unknown;
}

/** An Engine API server on a unix socket that records what it is asked and refuses every build and container. */
export interface FakeDaemon {
  socketPath: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * Starts a fake Docker daemon for unit tests of what the client sends (no Docker needed): `_ping` answers, images do
 * not exist, builds stream one step and then an error, containers cannot be created (no such image).
 */
export async function startFakeDaemon(): Promise<FakeDaemon> {
  const dir = await mkdtemp(path.join(tmpdir(), 'unionml-fake-docker-'));
  const socketPath = path.join(dir, 'docker.sock');
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const route = url.pathname.replace(/^\/v\d+\.\d+/, '');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if ((req.headers['content-type'] ?? '').includes('json') && text) body = JSON.parse(text) as unknown;
      requests.push({ method: req.method ?? 'GET', path: route, query: url.searchParams, body });
      if (route === '/_ping') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK');
      } else if (route.startsWith('/images/') && (req.method === 'GET' || req.method === 'DELETE')) {
        json(res, 404, { message: `No such image: ${decodeURIComponent(route.slice('/images/'.length).replace(/\/json$/, ''))}` });
      } else if (route === '/build') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ stream: 'Step 1/1 : FROM scratch\n' })}\r\n`);
        res.end(`${JSON.stringify({ error: 'the fake daemon builds nothing', errorDetail: { message: 'the fake daemon builds nothing' } })}\r\n`);
      } else if (route === '/containers/create') {
        json(res, 404, { message: `No such image: ${(body as { Image?: string } | undefined)?.Image ?? ''}` });
      } else {
        json(res, 500, { message: `the fake daemon does not answer ${req.method ?? 'GET'} ${route}` });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
