import { defineErrors, errorMessage, isUnionMLError, UnionMLError, type CodeOf } from '@unionml/errors';

/**
 * The error codes of @unionml/server. The HTTP status of every error, the server's own and those of the packages
 * below it, comes from its kind (see `@unionml/errors`): input errors answer 4xx, the app's 500, a model not yet
 * loaded 503.
 */
export const SERVER_ERRORS = defineErrors('@unionml/server', {
  REQUEST_BODY_INVALID: {
    kind: 'input',
    meaning: 'the request body is not {"features": [rows]} or {"inputs": {reader arguments}}',
    hint: 'send {"features": [{"column": value, ...}]} or {"inputs": {"argument": value}}; GET /openapi.json describes them',
  },
  REQUEST_TOO_LARGE: {
    kind: 'input',
    status: 413,
    meaning: "the request body is larger than the server's limit (maxBodyBytes)",
    hint: 'send fewer rows per request, or start the server with a larger maxBodyBytes',
  },
  REQUEST_BODY_TOO_DEEP: {
    kind: 'input',
    meaning: "the request body nests arrays and objects deeper than the server's limit (maxBodyDepth, 64 by default)",
    hint: 'flatten the data ({"features": [{"column": value}]} is 3 levels deep), or start the server with a larger maxBodyDepth',
  },
  READER_INPUTS_DISABLED: {
    kind: 'input',
    meaning: 'the request asks for a prediction from reader arguments ({"inputs": {...}}), which this server does not allow',
    hint: 'send the rows instead, {"features": [...]}, or start the server with allowReaderInputs (unionml serve --allow-reader-inputs)',
  },
  REQUEST_MALFORMED: {
    kind: 'input',
    meaning: 'the request is not valid HTTP/1.1: a bad request line, header, Content-Length or chunked encoding',
    hint: 'send a well-formed HTTP/1.1 request (curl, fetch and HTTP libraries do)',
  },
  REQUEST_HEADERS_TOO_LARGE: {
    kind: 'input',
    status: 431,
    meaning: "the request's headers are larger than the server accepts (Node's limit, 16 KiB by default)",
    hint: 'send fewer or smaller headers (cookies, tokens); the limit is node --max-http-header-size',
  },
  REQUEST_TIMEOUT: {
    kind: 'input',
    status: 408,
    meaning: "the request's headers or body did not arrive in time (headersTimeoutMs, 10 s, and requestTimeoutMs, 30 s, by default)",
    hint: 'send the whole request at once; for slow clients, start the server with larger headersTimeoutMs/requestTimeoutMs',
  },
  EXPECTATION_FAILED: {
    kind: 'input',
    status: 417,
    meaning: 'the request has an Expect header the server does not meet (only 100-continue is supported)',
    hint: 'send the request without the Expect header, or with Expect: 100-continue',
  },
  UPGRADE_NOT_SUPPORTED: {
    kind: 'input',
    meaning: 'the request asks to switch protocols (Upgrade: websocket, h2c...); the server speaks HTTP/1.1 only',
    hint: 'send the request without the Upgrade and Connection: upgrade headers (curl: without --http2)',
  },
  ROUTE_NOT_FOUND: {
    kind: 'input',
    status: 404,
    meaning: 'the request names a path the server does not serve',
    hint: 'use GET /, GET /health, GET /ready, GET /openapi.json or POST /predict',
  },
  METHOD_NOT_ALLOWED: {
    kind: 'input',
    status: 405,
    meaning: 'the request uses a method the path does not take',
    hint: 'use the methods in the Allow header (POST /predict, GET for the others)',
  },
  SERVER_SHUTTING_DOWN: {
    kind: 'state',
    status: 503,
    meaning: 'the server is shutting down: it answers the requests it has received and takes no new ones (GET /ready)',
    hint: 'send the request to another instance; a load balancer that polls GET /ready stops sending here',
  },
  PREDICTION_NOT_SERIALIZABLE: {
    kind: 'app',
    meaning: 'the prediction cannot be sent as JSON (a function, a cycle, a bigint, undefined...)',
    hint: 'return JSON data from the predictor: numbers, strings, arrays, plain objects',
  },
  SERVER_ERROR: {
    kind: 'internal',
    meaning: 'the server failed on something that is neither the request nor the app (a bug)',
    hint: 'report it with the server log; the request may be retried',
  },
  SERVER_OPTIONS_INVALID: {
    kind: 'input',
    meaning: 'the server was given an unusable option: a host, a port, a limit, a timeout, a number of workers or a model',
    hint: "pass a host such as '127.0.0.1', a port from 0 to 65535, limits and timeouts as non-negative integers and the app's exported Model",
  },
  SERVER_PORT_IN_USE: {
    kind: 'environment',
    meaning: 'the port to listen on is taken by another process',
    hint: 'pass another port (--port), or stop the process that uses it',
  },
  SERVER_LISTEN_FAILED: {
    kind: 'environment',
    meaning: 'the server cannot listen on the address asked (not an address of this machine, no permission, closed)',
    hint: "use '127.0.0.1' or '0.0.0.0' and a port above 1023",
  },
  SERVER_WORKER_FAILED: {
    kind: 'environment',
    meaning: 'a worker process of a server with several workers (serveModel workers, unionml serve --workers) failed to start, or kept crashing',
    hint: "read the worker's error above (the same error a single process would have); fix it, or serve with one worker",
  },
  LAMBDA_MODEL_NOT_LOADED: {
    kind: 'environment',
    status: 503,
    meaning:
      'an AWS Lambda handler cannot load its model file (none named, missing from the image, corrupt, or failing its check at load); every event gets this error until a load succeeds, and the load is tried again on the next event',
    hint: 'train and save the model before building the image (npm run train), copy it into the image, and name it with UNIONML_MODEL_PATH or the handler options',
  },
  LAMBDA_EVENT_UNSUPPORTED: {
    kind: 'input',
    meaning:
      'an AWS Lambda handler was invoked with an event it does not handle: createLambdaHandler takes API Gateway (REST or HTTP API) and function URL requests, createS3EventHandler S3 notifications',
    hint: 'point the trigger at the right handler, or invoke it with one of the sample events (sam local invoke -e events/...)',
  },
  LAMBDA_S3_OBJECT_INVALID: {
    kind: 'input',
    meaning:
      'an S3 object of features cannot be predicted from: it is not JSON, not an array of records or {"features": [...]}, too large or too deeply nested, or the model refuses its records (missing columns, wrong types)',
    hint: 'upload a JSON array of records, [{"column": value, ...}], or {"features": [...]}, with the columns the model was trained on',
  },
  LAMBDA_S3_PREDICTION_FAILED: {
    kind: 'app',
    meaning: "the app's predictor (or another of its components) failed on the records of an S3 object",
    hint: "read the error logged with the object's key; the app's predictor threw",
  },
  LAMBDA_S3_REQUEST_FAILED: {
    kind: 'environment',
    status: 502,
    meaning: 'reading an object from S3 or writing predictions to it failed (access denied, no such key, S3 unreachable)',
    hint: "check the function's IAM policy (s3:GetObject on the features, s3:PutObject on the predictions) and the bucket name",
  },
  LAMBDA_S3_CREDENTIALS_MISSING: {
    kind: 'environment',
    meaning: 'the S3 event handler has no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the execution role)',
    hint: 'run it in Lambda with an execution role, or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, AWS_REGION) for a local run',
  },
});

/** A code of {@link SERVER_ERRORS}. */
export type ServerErrorCode = CodeOf<typeof SERVER_ERRORS>;

/** An error raised by the server: a bad request, bad options, or a port that cannot be listened on. */
export class ServerError extends UnionMLError<ServerErrorCode> {
  constructor(code: ServerErrorCode, message: string, options: { hint?: string | undefined; cause?: unknown } = {}) {
    super(SERVER_ERRORS[code], message, options);
  }
}

/** The JSON error body of every failed request. */
export interface ErrorBody {
  /** What was wrong, in a sentence or a few lines. */
  detail: string;
  /** The stable error code, e.g. `DATA_COLUMNS_MISSING`. */
  code: string;
  /** How to fix it, when known. */
  hint?: string;
}

/**
 * The status and body for a thrown value: a UnionML error answers the status of its kind (`error.status`). Errors that
 * are not UnionML errors (thrown by the app's own code) are 500, reported as `<prefix><message>` with the code
 * `fallbackCode`; their stack is never included.
 */
export function errorResponse(
  error: unknown,
  prefix = '',
  fallbackCode: 'PREDICTION_FAILED' | 'SERVER_ERROR' = 'SERVER_ERROR',
): { status: number; body: ErrorBody } {
  if (isUnionMLError(error)) {
    const body: ErrorBody = { detail: error.message, code: error.code };
    if (error.hint) body.hint = error.hint;
    return { status: error.status, body };
  }
  return { status: 500, body: { detail: `${prefix}${errorMessage(error)}`, code: fallbackCode } };
}
