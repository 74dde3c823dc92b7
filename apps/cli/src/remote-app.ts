/**
 * The one seam of the remote commands: what makes a model's RemoteModel. The CLI uses `remote()` of
 * `@unionml/remote`; the CLI's tests pass a stand-in to `run()` (main.ts). Types only: this module loads nothing.
 */
import type { AnyModel } from '@unionml/core';
import type { RemoteModel, RemoteOptions } from '@unionml/remote';

/** What the CLI uses of a {@link RemoteModel}. */
export type RemoteApp = Pick<
  RemoteModel,
  | 'project'
  | 'domain'
  | 'deploy'
  | 'train'
  | 'predict'
  | 'wait'
  | 'load'
  | 'fetchModel'
  | 'fetchPredictions'
  | 'listModelVersions'
  | 'listPredictionIds'
  | 'activateSchedules'
  | 'deactivateSchedules'
  | 'listScheduledTrainingRuns'
  | 'listScheduledPredictionRuns'
  | 'close'
>;

/** Makes the RemoteModel of a model: `remote` of `@unionml/remote`, or a test's stand-in. */
export type RemoteFactory = (model: AnyModel, options: RemoteOptions) => RemoteApp;
