/**
 * `@unionml/flyte/admin`: a FlyteAdmin client over gRPC (`@grpc/grpc-js`, an optional peer dependency that only this
 * entry loads), and Flyte's client config as flytectl and flytekit read it.
 *
 * - {@link AdminClient}: `service` (every AdminService method), `dataProxy`, `authMetadata`, `identity`, typed from
 *   flyteidl; deadlines, retries with backoff and jitter, keepalive, TLS or plain text, flytekit's client-credentials
 *   auth when the server asks for it, typed errors ({@link AdminError}).
 * - {@link readFlyteConfig}: `~/.flyte/config.yaml` / `FLYTECTL_CONFIG`, with flytekit's `FLYTE_*` overrides.
 *
 * @example
 * ```ts
 * import { AdminClient, readFlyteConfig } from '@unionml/flyte/admin';
 * const admin = await AdminClient.connect(readFlyteConfig());
 * const { projects } = await admin.service.listProjects({});
 * admin.close();
 * ```
 * @module
 */
export { AdminClient, backoffMs, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS } from './client.js';
export type { AdminClientOptions, AdminConnectConfig, KeepaliveOptions } from './client.js';
export { expandHome, parseEndpoint, readFlyteConfig, resolveConfigPath } from './config.js';
export type { AdminConfig, FlyteConfig, ParsedEndpoint, ReadFlyteConfigOptions, StorageConfig } from './config.js';
export { authModeOf, SUPPORTED_AUTH_TYPES } from './auth.js';
export type { AuthMode } from './auth.js';
export { AdminError, adminCodeOf, FlyteConfigError, GRPC_CODE_NAMES, grpcCodeName } from './errors.js';
export type { AdminErrorCode, AdminErrorDetails, FlyteConfigErrorCode, GrpcCodeName } from './errors.js';
export { serviceMethods } from './services.js';
export type {
  AdminServiceClient,
  AuthMetadataServiceClient,
  CallOptions,
  DataProxyServiceClient,
  IdentityServiceClient,
  MethodDefinition,
  MethodKeys,
  RetryOptions,
  ServiceClient,
  ServiceName,
} from './services.js';
