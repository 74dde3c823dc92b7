/**
 * The gRPC methods of FlyteAdmin's services, read from flyteidl's generated protobufjs service classes: every unary
 * method of `flyteidl.service.AdminService`, `DataProxyService`, `AuthMetadataService` and `IdentityService`, with its
 * gRPC path and its request and response message types. Nothing here is written per method: the table is taken from
 * the generated code (each generated method calls `rpcCall(method, RequestType, ResponseType, ...)`), and the types
 * from its declarations.
 * @module
 */
import { flyteidl } from '../idl.js';

/** A generated message class: what a gRPC method needs to write its request and read its answer. */
export interface MessageType<T extends object = object> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** One unary method of a service. */
export interface MethodDefinition {
  /** The service's short name, e.g. `AdminService`. */
  readonly service: ServiceName;
  /** The gRPC method name, e.g. `CreateTask`. */
  readonly name: string;
  /** The client's method name, e.g. `createTask`. */
  readonly key: string;
  /** The HTTP/2 path, e.g. `/flyteidl.service.AdminService/CreateTask`. */
  readonly path: string;
  readonly requestType: MessageType;
  readonly responseType: MessageType;
  /** A call that only reads (Get*, List*, UserInfo): retried on DEADLINE_EXCEEDED as well as UNAVAILABLE. */
  readonly readOnly: boolean;
}

/** The services the client speaks, by short name, as flyteidl generates them. */
export const SERVICES = {
  AdminService: flyteidl.service.AdminService,
  DataProxyService: flyteidl.service.DataProxyService,
  AuthMetadataService: flyteidl.service.AuthMetadataService,
  IdentityService: flyteidl.service.IdentityService,
} as const;

/** A service's short name: `AdminService`, `DataProxyService`, `AuthMetadataService` or `IdentityService`. */
export type ServiceName = keyof typeof SERVICES;

/** The unary methods of a generated service class: those with a promise overload (rpc.Service's own members have none). */
export type MethodKeys<S> = { [K in keyof S]: S[K] extends (request: never) => Promise<unknown> ? K : never }[keyof S];

/** Options of one call (see the client's defaults in `AdminClientOptions`). */
export interface CallOptions {
  /** The deadline of each attempt, in milliseconds (default: the client's `timeoutMs`, 30 s). */
  timeoutMs?: number;
  /** Cancels the call (and any retry still to come); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Extra gRPC metadata (headers) for this call. */
  metadata?: Record<string, string>;
  /** This call's retry policy, merged over the client's; `false` makes a single attempt. */
  retry?: Partial<RetryOptions> | false;
}

/** How calls are retried on UNAVAILABLE (and, for read-only calls, DEADLINE_EXCEEDED). */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4: flytekit's 3 retries). 1 turns retries off. */
  maxAttempts: number;
  /** The first backoff, in milliseconds (default 250). Each next one doubles, up to `maxBackoffMs`. */
  initialBackoffMs: number;
  /** The longest backoff, in milliseconds (default 5 000). */
  maxBackoffMs: number;
  /**
   * The retry budget: no retry starts later than this many milliseconds after the first attempt began (default
   * 60 000). With `maxAttempts`, whichever runs out first ends the retries.
   */
  budgetMs: number;
}

/**
 * A typed client of one generated service: each unary method takes the request as a plain object of flyteidl's `I*`
 * interface and resolves to the decoded response message, e.g. `createTask(request: ITaskCreateRequest, options?)
 * => Promise<TaskCreateResponse>`.
 */
export type ServiceClient<S> = {
  readonly [K in MethodKeys<S>]: S[K] extends (request: infer Request) => Promise<infer Response>
    ? (request: Request, options?: CallOptions) => Promise<Response>
    : never;
};

/** `flyteidl.service.AdminService`: projects, tasks, workflows, launch plans, executions, node and task executions, data, attributes. */
export type AdminServiceClient = ServiceClient<flyteidl.service.AdminService>;
/** `flyteidl.service.DataProxyService`: signed upload and download URLs, `flyte://` data. */
export type DataProxyServiceClient = ServiceClient<flyteidl.service.DataProxyService>;
/** `flyteidl.service.AuthMetadataService`: the OAuth2 metadata and public client config (open, never authenticated). */
export type AuthMetadataServiceClient = ServiceClient<flyteidl.service.AuthMetadataService>;
/** `flyteidl.service.IdentityService`: who the caller is. */
export type IdentityServiceClient = ServiceClient<flyteidl.service.IdentityService>;

/** The methods of a generated service, taken from its prototype: each is called once with a probe that records its rpcCall. */
function methodsOf(service: ServiceName): MethodDefinition[] {
  const ctor = SERVICES[service] as unknown as { prototype: Record<string, unknown> };
  const methods: MethodDefinition[] = [];
  for (const key of Object.getOwnPropertyNames(ctor.prototype)) {
    const method = ctor.prototype[key];
    if (key === 'constructor' || typeof method !== 'function') continue;
    let seen: { name: string; requestType: MessageType; responseType: MessageType } | undefined;
    const probe = {
      rpcCall(rpcMethod: { name: string }, requestType: MessageType, responseType: MessageType) {
        seen = { name: rpcMethod.name, requestType, responseType };
      },
    };
    (method as (this: unknown, request: unknown, callback: () => void) => void).call(probe, {}, () => undefined);
    if (!seen || typeof seen.requestType?.encode !== 'function' || typeof seen.responseType?.decode !== 'function') {
      throw new TypeError(`flyteidl.service.${service}.prototype.${key} is not a generated unary method`);
    }
    methods.push({
      service,
      name: seen.name,
      key,
      path: `/flyteidl.service.${service}/${seen.name}`,
      requestType: seen.requestType,
      responseType: seen.responseType,
      readOnly: /^(Get|List)[A-Z]/.test(seen.name) || seen.name === 'UserInfo',
    });
  }
  return methods;
}

let table: ReadonlyMap<ServiceName, readonly MethodDefinition[]> | undefined;

/** The unary methods of each service, in the order flyteidl declares them (read once from the generated code). */
export function serviceMethods(): ReadonlyMap<ServiceName, readonly MethodDefinition[]> {
  table ??= new Map((Object.keys(SERVICES) as ServiceName[]).map((name) => [name, Object.freeze(methodsOf(name))]));
  return table;
}
