// The bodies of GET /health (liveness, Python UnionML's shape plus what identifies the model served) and GET /ready
// (readiness, for load balancers), computed once per artifact.
import { ModelNotTrainedError, type AnyModel, type ModelArtifact } from '@unionml/core';
import { errorResponse, ServerError } from './errors.js';

/** What identifies the model being served, as far as its artifact knows it. */
export interface ServedModel {
  /** The model's name. */
  model: string;
  /** When the model file was saved (ISO 8601). */
  savedAt?: string;
  /** The model file's content hash, `sha256:<hex>`. */
  contentHash?: string;
  /** When the model file was loaded (ISO 8601). */
  loadedAt?: string;
  /** The model file it was loaded from. */
  path?: string;
}

/** The precomputed bodies of `GET /health` and `GET /ready` for one artifact. */
export interface StatusBodies {
  /** Whether a model artifact is loaded: /health answers 200 (else 500), /ready 200 (else 503). */
  loaded: boolean;
  health: Buffer;
  ready: Buffer;
}

/** The fields that identify `artifact`, in a fixed order, without the unknown ones. */
export function servedModel(model: AnyModel, artifact: ModelArtifact | undefined): ServedModel {
  const served: ServedModel = { model: model.name };
  if (artifact?.savedAt) served.savedAt = artifact.savedAt;
  if (artifact?.contentHash) served.contentHash = artifact.contentHash;
  if (artifact?.loadedFrom?.at) served.loadedAt = artifact.loadedFrom.at;
  if (artifact?.loadedFrom?.path) served.path = artifact.loadedFrom.path;
  return served;
}

/**
 * The bodies of `GET /health` and `GET /ready` for the model's current artifact.
 *
 * - /health, with a model: `200 {"message": "OK", "status": 200, "model", "savedAt"?, "contentHash"?, "loadedAt"?,
 *   "path"?}` (Python UnionML's `message` and `status`, which clients check, first); without one:
 *   `500 {"message": "Model artifact not found.", "status": 500, "detail", "model"}`.
 * - /ready, with a model: `200 {"ready": true, "model", ...the same fields}`; without one: 503 and the error body of
 *   `MODEL_NOT_TRAINED`.
 */
export function statusBodies(model: AnyModel): StatusBodies {
  const artifact = model.artifact;
  const served = servedModel(model, artifact);
  if (artifact) {
    return {
      loaded: true,
      health: Buffer.from(JSON.stringify({ message: 'OK', status: 200, ...served })),
      ready: Buffer.from(JSON.stringify({ ready: true, ...served })),
    };
  }
  const missing = new ModelNotTrainedError(model.name, 'serve predictions');
  return {
    loaded: false,
    health: Buffer.from(JSON.stringify({ message: 'Model artifact not found.', status: 500, detail: missing.message, model: model.name })),
    ready: Buffer.from(JSON.stringify(errorResponse(missing).body)),
  };
}

/** The body of `GET /ready` while the server is closing: 503 `SERVER_SHUTTING_DOWN`. */
export const SHUTTING_DOWN_BODY = Buffer.from(
  JSON.stringify(
    errorResponse(
      new ServerError('SERVER_SHUTTING_DOWN', 'the server is shutting down: it answers the requests it has received and takes no new ones', {
        hint: 'send requests to another instance; load balancers that poll GET /ready stop sending here',
      }),
    ).body,
  ),
);
