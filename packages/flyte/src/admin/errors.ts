/**
 * The errors of the FlyteAdmin client: a gRPC status becomes a {@link AdminError} of a `FLYTE_ADMIN_*` code (its kind
 * says whose move it is), carrying admin's message, the gRPC code and details; a config that cannot be read is a
 * {@link FlyteConfigError}.
 * @module
 */
import { UnionMLError } from '@unionml/errors';
import { FLYTE_ERRORS, type FlyteErrorCode } from '../errors.js';

/** The gRPC status codes by number (grpc's `status` enum; the numbers are fixed by the gRPC protocol). */
export const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** A gRPC status code's name, e.g. `NOT_FOUND`. */
export type GrpcCodeName = (typeof GRPC_CODE_NAMES)[number];

/** The codes an {@link AdminError} is made with. */
export type AdminErrorCode = Extract<
  FlyteErrorCode,
  | 'FLYTE_ADMIN_UNAVAILABLE'
  | 'FLYTE_ADMIN_TIMEOUT'
  | 'FLYTE_ADMIN_NOT_FOUND'
  | 'FLYTE_ADMIN_INVALID'
  | 'FLYTE_ADMIN_EXISTS'
  | 'FLYTE_ADMIN_PRECONDITION'
  | 'FLYTE_ADMIN_UNAUTHENTICATED'
  | 'FLYTE_ADMIN_PERMISSION_DENIED'
  | 'FLYTE_AUTH_UNSUPPORTED'
  | 'FLYTE_ADMIN_FAILED'
>;

/** The code of each gRPC status (by number); statuses not listed are `FLYTE_ADMIN_FAILED` (internal). */
const CODE_OF_STATUS: Partial<Record<GrpcCodeName, AdminErrorCode>> = {
  UNAVAILABLE: 'FLYTE_ADMIN_UNAVAILABLE',
  DEADLINE_EXCEEDED: 'FLYTE_ADMIN_TIMEOUT',
  NOT_FOUND: 'FLYTE_ADMIN_NOT_FOUND',
  INVALID_ARGUMENT: 'FLYTE_ADMIN_INVALID',
  ALREADY_EXISTS: 'FLYTE_ADMIN_EXISTS',
  FAILED_PRECONDITION: 'FLYTE_ADMIN_PRECONDITION',
  UNAUTHENTICATED: 'FLYTE_ADMIN_UNAUTHENTICATED',
  PERMISSION_DENIED: 'FLYTE_ADMIN_PERMISSION_DENIED',
};

/** The error code for a gRPC status code (a number, as grpc-js reports it). */
export function adminCodeOf(grpcCode: number): AdminErrorCode {
  return CODE_OF_STATUS[grpcCodeName(grpcCode)] ?? 'FLYTE_ADMIN_FAILED';
}

/** The name of a gRPC status code (`UNKNOWN` for a number outside the protocol's). */
export function grpcCodeName(grpcCode: number): GrpcCodeName {
  return GRPC_CODE_NAMES[grpcCode] ?? 'UNKNOWN';
}

/** What an {@link AdminError} says about the call that failed. */
export interface AdminErrorDetails {
  /** The FlyteAdmin address the call went to (`localhost:30080`). */
  endpoint: string;
  /** The gRPC method, e.g. `AdminService.GetLaunchPlan` (undefined for errors outside a call, e.g. the token endpoint). */
  method?: string | undefined;
  /** The gRPC status code (a number) the server (or grpc-js) answered with; undefined when there was no gRPC answer. */
  grpcCode?: number | undefined;
  /** The status message: admin's own words, e.g. `missing entity of type LAUNCH_PLAN with identifier ...`. */
  details?: string | undefined;
  /** Attempts made, the first included. */
  attempts?: number | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * A call to FlyteAdmin that failed: its code follows the gRPC status (NOT_FOUND → `FLYTE_ADMIN_NOT_FOUND`, input;
 * UNAVAILABLE → `FLYTE_ADMIN_UNAVAILABLE`, environment; ...), its message names the endpoint, the method and admin's
 * own message, and the gRPC code and details are kept.
 */
export class AdminError extends UnionMLError<AdminErrorCode> {
  constructor(code: AdminErrorCode, message: string, details: AdminErrorDetails) {
    super(FLYTE_ERRORS[code], message, { hint: details.hint, cause: details.cause });
    this.endpoint = details.endpoint;
    this.method = details.method;
    this.grpcCode = details.grpcCode;
    this.grpcStatus = details.grpcCode === undefined ? undefined : grpcCodeName(details.grpcCode);
    this.details = details.details ?? '';
    this.attempts = details.attempts ?? 1;
  }

  /** The FlyteAdmin address, e.g. `localhost:30080`. */
  readonly endpoint: string;
  /** The gRPC method, e.g. `AdminService.GetLaunchPlan`. */
  readonly method: string | undefined;
  /** The gRPC status code (a number), when there was a gRPC answer. */
  readonly grpcCode: number | undefined;
  /** The gRPC status code's name, e.g. `NOT_FOUND`. */
  readonly grpcStatus: GrpcCodeName | undefined;
  /** The status message as the server sent it (admin's words). */
  readonly details: string;
  /** Attempts made, the first included. */
  readonly attempts: number;
}

/** The codes a {@link FlyteConfigError} is made with. */
export type FlyteConfigErrorCode = Extract<FlyteErrorCode, 'FLYTE_CONFIG_NOT_FOUND' | 'FLYTE_CONFIG_INVALID'>;

/** A Flyte client config that cannot be found, read or used. The message names the file (and key). */
export class FlyteConfigError extends UnionMLError<FlyteConfigErrorCode> {
  constructor(
    code: FlyteConfigErrorCode,
    /** The config file (or `(environment)`) the error is about. */
    readonly path: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(FLYTE_ERRORS[code], message, options);
  }
}
