// A FlyteAdmin for the client's tests: a real grpc-js server on loopback that serves the methods of flyteidl's
// AdminService, DataProxyService, AuthMetadataService and IdentityService (the client's own method table, so every
// method has its real path and message types), answering with the handlers a test gives and UNIMPLEMENTED otherwise.
// Plus an OAuth2 token endpoint (node:http) for the client-credentials flow.
//
// tls/: a CA and a server certificate for localhost and 127.0.0.1 (EC P-256, valid until 2126), made once with
// `openssl req -x509 ...` and `openssl x509 -req ...`; the CA's key was not kept.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import {
  type Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { serviceMethods } from '../admin/services.js';

/** A gRPC error a handler throws: the server answers with its code and details. */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(details);
  }
}

/** A method's handler: the decoded request and the call (metadata); returns the response as a plain object. */
export type Handler = (request: never, call: ServerUnaryCall<unknown, unknown>) => object | Promise<object>;

/** One call the server received. */
export interface ReceivedCall {
  /** The gRPC method name, e.g. `CreateTask`. */
  method: string;
  request: unknown;
  metadata: Record<string, string>;
  /** When it arrived (performance.now()). */
  at: number;
}

export interface TestAdminServer {
  port: number;
  /** `127.0.0.1:<port>`. */
  address: string;
  calls: ReceivedCall[];
  /** The calls of one method. */
  callsOf(method: string): ReceivedCall[];
  /** Replaces the handlers (by gRPC method name, e.g. `GetVersion`). */
  handle(handlers: Record<string, Handler>): void;
  close(): Promise<void>;
}

const TLS_DIR = new URL('./tls/', import.meta.url);
/** The test CA (PEM) and the server's certificate and key. */
export const TLS = {
  ca: readFileSync(new URL('ca.pem', TLS_DIR)),
  cert: readFileSync(new URL('server.pem', TLS_DIR)),
  key: readFileSync(new URL('server-key.pem', TLS_DIR)),
  caPath: new URL('ca.pem', TLS_DIR).pathname,
};

/** Starts a gRPC FlyteAdmin on 127.0.0.1 (a free port unless one is given), plain text unless `tls`. */
export async function startAdminServer(handlers: Record<string, Handler> = {}, options: { tls?: boolean; port?: number } = {}): Promise<TestAdminServer> {
  let current = handlers;
  const calls: ReceivedCall[] = [];
  const server = new Server();
  for (const [, methods] of serviceMethods()) {
    const definition: Record<string, ServiceDefinition[string]> = {};
    const implementation: UntypedServiceImplementation = {};
    for (const method of methods) {
      definition[method.key] = {
        path: method.path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: object) => Buffer.from(method.requestType.encode(value).finish()),
        requestDeserialize: (bytes: Buffer) => method.requestType.decode(bytes),
        responseSerialize: (value: object) => Buffer.from(method.responseType.encode(value).finish()),
        responseDeserialize: (bytes: Buffer) => method.responseType.decode(bytes),
        originalName: method.name,
      };
      implementation[method.key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<object>) => {
        calls.push({ method: method.name, request: call.request, metadata: flatten(call.metadata), at: performance.now() });
        const handler = current[method.name];
        if (!handler) {
          callback({ code: status.UNIMPLEMENTED, details: `unknown method ${method.name} for service flyteidl.service.${method.service}` });
          return;
        }
        Promise.resolve()
          .then(() => handler(call.request as never, call))
          .then(
            (response) => callback(null, response),
            (error: unknown) => {
              if (error instanceof GrpcError) callback({ code: error.code, details: error.details });
              else callback({ code: status.INTERNAL, details: String(error) });
            },
          );
      };
    }
    server.addService(definition, implementation);
  }
  const credentials = options.tls ? ServerCredentials.createSsl(null, [{ private_key: TLS.key, cert_chain: TLS.cert }]) : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    address: `127.0.0.1:${port}`,
    calls,
    callsOf: (method) => calls.filter((call) => call.method === method),
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

function flatten(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) out[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  return out;
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One request the token endpoint received. */
export interface TokenRequest {
  authorization: string | undefined;
  form: Record<string, string>;
}

export interface TestTokenServer {
  url: string;
  requests: TokenRequest[];
  /** The tokens issued, in order. */
  issued: string[];
  close(): Promise<void>;
}

/**
 * An OAuth2 token endpoint for the client-credentials grant: answers `{access_token, token_type, expires_in}` to a
 * POST with the right HTTP Basic credentials (client id and URL-encoded secret, as flytekit sends them), 401
 * `invalid_client` otherwise. Tokens are `token-1`, `token-2`...
 */
export async function startTokenServer(options: { clientId: string; clientSecret: string; expiresIn?: number }): Promise<TestTokenServer> {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.clientId}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  const server = createHttpServer((request, response) => {
    void readBody(request).then((body) => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ authorization: request.headers.authorization, form });
      response.setHeader('content-type', 'application/json');
      if (request.method !== 'POST' || form['grant_type'] !== 'client_credentials') {
        response.statusCode = 400;
        response.end(JSON.stringify({ error: 'unsupported_grant_type' }));
      } else if (request.headers.authorization !== expected) {
        response.statusCode = 401;
        response.end(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }));
      } else {
        const token = `token-${issued.length + 1}`;
        issued.push(token);
        response.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: options.expiresIn ?? 3600 }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    requests,
    issued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
