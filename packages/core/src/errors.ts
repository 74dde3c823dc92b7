import { defineErrors, errorMessage, isUnionMLError, UnionMLError, type CodeOf } from '@unionml/errors';

/** The error codes of @unionml/core. */
export const CORE_ERRORS = defineErrors('@unionml/core', {
  MODEL_NOT_TRAINED: {
    kind: 'state',
    status: 503,
    meaning: 'a prediction, a save or a server was asked for before a model was trained or loaded',
    hint: 'train it first with model.train(...), or load one with model.load(path) (CLI: --model-path)',
  },
  COMPONENT_INVALID: {
    kind: 'app',
    meaning:
      "one of the app's components (init, reader, trainer, predictor, evaluator, saver...) is missing, is not a function, or returned something unusable",
    hint: 'register the component with the right signature (see the message) and return a value from it',
  },
  HYPERPARAMETERS_INVALID: {
    kind: 'input',
    meaning: "the hyperparameters given do not fit the model's hyperparameter schema",
    hint: 'pass hyperparameters that match the schema given to new Model({ hyperparameters })',
  },
  ARGUMENTS_INVALID: {
    kind: 'input',
    meaning: 'reader arguments, trainer keyword arguments or component keyword arguments do not fit their schema',
    hint: 'pass only the arguments the schema declares, with the declared types',
  },
  PREDICT_NO_INPUT: {
    kind: 'input',
    meaning: 'a prediction was asked for without features or reader arguments',
    hint: 'call model.predict({ features: [...] }) or model.predict({ inputs: { ...readerArgs } }); over HTTP, POST {"features": [...]}',
  },
  PREDICTION_INVALID: {
    kind: 'app',
    meaning: "the predictor returned a value that does not fit the model's prediction schema",
    hint: 'return what the schema given to new Model({ prediction }) declares, or fix the schema',
  },
  MODEL_FILE_NOT_FOUND: {
    kind: 'input',
    meaning: 'the model file named does not exist',
    hint: 'train and save one first: unionml train APP:MODEL --local -o FILE',
  },
  MODEL_FILE_CORRUPT: {
    kind: 'input',
    meaning: 'the model file cannot be read or parsed: it is truncated, corrupt, or its loader failed',
    hint: 'train and save the model again',
  },
  MODEL_FILE_FOREIGN: {
    kind: 'input',
    meaning: 'the file is not a UnionML model file, or one of a format version this version cannot read',
    hint: 'pass a file written by model.save() or unionml train -o, or register model.loader(...) for other formats',
  },
  MODEL_FILE_MISMATCH: {
    kind: 'input',
    meaning: 'the model file holds another model than the one it is loaded into',
    hint: 'pass the file saved for this model',
  },
  MODEL_FILE_WRITE: {
    kind: 'environment',
    meaning: 'the model file cannot be written where asked (no such folder, a folder in the way, no permission)',
    hint: 'check that the folder exists and is writable',
  },
  MODEL_FILE_INTEGRITY: {
    kind: 'input',
    meaning: "the model file's content does not match the integrity hash stored in it: it was changed or damaged after it was saved",
    hint: 'train and save the model again, or restore the file from where it was published',
  },
  MODEL_CHECK_FAILED: {
    kind: 'input',
    meaning:
      "the loaded model does not predict what it predicted when it was saved (on the sample rows kept in the model file): the file is damaged, or the app's predictor, feature transformer or libraries changed since training",
    hint: 'train and save the model again with the current app, or run the app version that trained it',
  },
  OUTPUT_PATH_INVALID: {
    kind: 'input',
    meaning:
      'an output file cannot be written where asked: a folder, a device, a FIFO or a socket is there, its folder is missing or not writable, or its symlinks loop',
    hint: 'give the path of a regular file in a writable folder',
  },
  MODEL_PATH_NOT_SET: {
    kind: 'input',
    meaning: 'no model file was named: neither --model-path nor the UNIONML_MODEL_PATH environment variable',
    hint: 'train and save a model first (unionml train APP:MODEL --local -o model.json), then pass --model-path model.json',
  },
  MODEL_NOT_SERIALIZABLE: {
    kind: 'app',
    meaning:
      'the default saver or loader cannot store or rebuild the model object: no toJSON() with a static fromJSON/load to rebuild it, not plain JSON data, a value JSON would lose (a Map, a function...), or a custom payload without a loader',
    hint: 'add toJSON() and a static fromJSON(json) to the model class (and list it in modelClasses), or register model.saver(...) and model.loader(...)',
  },
  DATASET_COLUMNS_MISSING: {
    kind: 'app',
    meaning: "the dataset's declared target or feature columns are not in the data its reader returned (or no target is declared)",
    hint: 'fix targets/features in new Dataset({...}) so that they name columns of the data, spelled exactly as in it',
  },
  APP_NOT_FOUND: {
    kind: 'input',
    meaning: 'the app module of APP:MODEL cannot be found from the current folder',
    hint: 'run the command in the app folder, or give the module path (e.g. ./src/app.ts:model)',
  },
  APP_IMPORT_FAILED: {
    kind: 'app',
    meaning: 'the app module was found but importing it threw an error',
    hint: 'fix the error in the app module, install its dependencies (npm install) and check its import paths',
  },
  APP_EXPORT_MISSING: {
    kind: 'input',
    meaning: 'the app module has no export with the name given after the colon of APP:MODEL',
    hint: 'name one of the exports the message lists, e.g. app:model',
  },
  APP_NOT_A_MODEL: {
    kind: 'input',
    meaning: 'the export named by APP:MODEL is not a UnionML Model',
    hint: 'name the export that holds new Model({...})',
  },
  APP_ADDRESS_INVALID: {
    kind: 'usage',
    meaning: 'APP:MODEL is not a module and an export name separated by a colon',
    hint: 'write it as app:model (the module ./app.ts and its export model)',
  },
  SCHEDULE_INVALID: {
    kind: 'app',
    meaning: 'a training or prediction schedule is malformed, ambiguous or not unique',
    hint: "pass exactly one of expression: '0 2 * * *' or fixedRate: { value: 1, unit: 'day' }, and a name used once",
  },
  TRAINING_FAILED: {
    kind: 'app',
    meaning: "the app's own code (reader, loader, trainer, evaluator...) threw an error while training",
    hint: "the error comes from the app's code; run with --verbose for its stack trace",
  },
  PREDICTION_FAILED: {
    kind: 'app',
    meaning: "the app's own code (feature loader, transformer, predictor...) threw an error while predicting",
    hint: "the error comes from the app's code; run with --verbose for its stack trace",
  },
  METRIC_INPUT_INVALID: {
    kind: 'app',
    meaning:
      'a metric of @unionml/core/metrics was given values it cannot score: arrays of different lengths, no rows, NaN, mixed label types, one class only, or probabilities that do not fit the labels',
    hint: 'pass the actual and predicted values of the same rows (see the message for what was wrong)',
  },
});

/** A code of {@link CORE_ERRORS}. */
export type CoreErrorCode = CodeOf<typeof CORE_ERRORS>;

/** `predict`, `save` or serving was asked for before a model was trained or loaded. */
export class ModelNotTrainedError extends UnionMLError {
  constructor(model: string, action: string) {
    super(CORE_ERRORS.MODEL_NOT_TRAINED, `model '${model}' has no trained model object, so it cannot ${action}`, {
      hint: 'train it first with model.train(...), or load one with model.load(path) (CLI: --model-path)',
    });
  }
}

/** A component (init, trainer, predictor...) is missing, is not a function, or returned something unusable. */
export class ComponentError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super(CORE_ERRORS.COMPONENT_INVALID, message, { hint });
  }
}

/** Hyperparameters that do not fit the model's schema. Lists the problems and the expected schema. */
export class HyperparametersError extends UnionMLError {
  constructor(
    model: string,
    readonly problems: readonly string[],
    readonly expected: string,
  ) {
    super(
      CORE_ERRORS.HYPERPARAMETERS_INVALID,
      `invalid hyperparameters for model '${model}':\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`,
      {
        hint: 'pass hyperparameters that match the schema given to new Model({ hyperparameters })',
      },
    );
  }
}

/** Reader, trainer or other keyword arguments that do not fit their schema. */
export class ArgumentsError extends UnionMLError {
  constructor(what: string, problems: readonly string[], expected: string) {
    super(CORE_ERRORS.ARGUMENTS_INVALID, `invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`);
  }
}

/** The dataset declares target or feature columns that the data does not have, or no target at all. */
export class DatasetColumnsError extends UnionMLError {
  constructor(message: string, hint: string) {
    super(CORE_ERRORS.DATASET_COLUMNS_MISSING, message, { hint });
  }
}

/** `predict` was called without features or reader arguments. */
export class PredictInputError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super(CORE_ERRORS.PREDICT_NO_INPUT, message, { hint });
  }
}

/** What the predictor returned does not fit the declared prediction schema. */
export class PredictionError extends UnionMLError {
  constructor(model: string, problems: readonly string[], expected: string) {
    super(
      CORE_ERRORS.PREDICTION_INVALID,
      `the predictor of model '${model}' returned a value that does not fit its prediction schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`,
    );
  }
}

type ModelFileErrorCode =
  | 'MODEL_FILE_NOT_FOUND'
  | 'MODEL_FILE_CORRUPT'
  | 'MODEL_FILE_FOREIGN'
  | 'MODEL_FILE_MISMATCH'
  | 'MODEL_FILE_WRITE'
  | 'MODEL_FILE_INTEGRITY'
  | 'MODEL_CHECK_FAILED'
  | 'MODEL_PATH_NOT_SET';
type AppLoadErrorCode = 'APP_NOT_FOUND' | 'APP_IMPORT_FAILED' | 'APP_EXPORT_MISSING' | 'APP_NOT_A_MODEL' | 'APP_ADDRESS_INVALID';

/** A model file is missing, corrupt, foreign, or for another model. The message names the file. */
export class ModelFileError extends UnionMLError<ModelFileErrorCode> {
  constructor(
    code: ModelFileErrorCode,
    readonly file: string | undefined,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(CORE_ERRORS[code], message, options);
  }
}

/** An output file cannot be written where asked (see `@unionml/core/files`). The message names the path. */
export class OutputPathError extends UnionMLError<'OUTPUT_PATH_INVALID'> {
  constructor(
    /** The path asked for. */
    readonly path: string,
    /** What is wrong, e.g. `it is a character device, not a regular file`. */
    readonly problem: string,
    hint: string,
  ) {
    super(CORE_ERRORS.OUTPUT_PATH_INVALID, `cannot write ${path}: ${problem}`, { hint });
  }
}

/** The model object cannot be saved or loaded by the default saver/loader. */
export class SerializationError extends UnionMLError {
  constructor(message: string, hint: string) {
    super(CORE_ERRORS.MODEL_NOT_SERIALIZABLE, message, { hint });
  }
}

/** `APP:MODEL` could not be resolved: no such module, no such export, not a Model, or it failed to load. */
export class AppLoadError extends UnionMLError<AppLoadErrorCode> {
  constructor(code: AppLoadErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(CORE_ERRORS[code], message, options);
  }
}

/** A schedule that is malformed, ambiguous or not unique (Python UnionML's messages). */
export class ScheduleError extends UnionMLError {
  constructor(message: string) {
    super(CORE_ERRORS.SCHEDULE_INVALID, message, {
      hint: "pass exactly one of expression: '0 2 * * *' or fixedRate: { value: 1, unit: 'day' }, and a name used once",
    });
  }
}

/** A metric of `@unionml/core/metrics` was given values it cannot score. The message names the metric. */
export class MetricInputError extends UnionMLError {
  constructor(
    /** The metric function, e.g. `rocAuc`. */
    readonly metric: string,
    problem: string,
    hint?: string,
  ) {
    super(CORE_ERRORS.METRIC_INPUT_INVALID, `${metric}: ${problem}`, {
      hint: hint ?? 'pass the actual and predicted values of the same rows (see the message for what was wrong)',
    });
  }
}

/**
 * The app's own code (its reader, trainer, predictor...) threw an error that is not a UnionML error. The message
 * says which step failed; the original error is the `cause`.
 */
export class AppCodeError extends UnionMLError<'TRAINING_FAILED' | 'PREDICTION_FAILED'> {
  constructor(code: 'TRAINING_FAILED' | 'PREDICTION_FAILED', message: string, cause: unknown) {
    super(CORE_ERRORS[code], message, { cause, hint: "the error comes from the app's code; run with --verbose for its stack trace" });
  }
}

/** Rethrows UnionML errors as they are, and wraps other errors of the app's code in {@link AppCodeError}. */
export function fromAppCode(code: 'TRAINING_FAILED' | 'PREDICTION_FAILED', what: string): (error: unknown) => never {
  return (error) => {
    if (isUnionMLError(error)) throw error;
    throw new AppCodeError(code, `${what}: ${errorMessage(error)}`, error);
  };
}
