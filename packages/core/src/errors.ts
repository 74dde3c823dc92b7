import { UnionMLError } from '@unionml/errors';

/** `predict`, `save` or serving was asked for before a model was trained or loaded. */
export class ModelNotTrainedError extends UnionMLError {
  constructor(model: string, action: string) {
    super('MODEL_NOT_TRAINED', `model '${model}' has no trained model object, so it cannot ${action}`, {
      hint: 'train it first with model.train(...), or load one with model.load(path) (CLI: --model-path)',
    });
  }
}

/** A component (init, trainer, predictor...) is missing, is not a function, or returned something unusable. */
export class ComponentError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super('COMPONENT_INVALID', message, { hint });
  }
}

/** Hyperparameters that do not fit the model's schema. Lists the problems and the expected schema. */
export class HyperparametersError extends UnionMLError {
  constructor(
    model: string,
    readonly problems: readonly string[],
    readonly expected: string,
  ) {
    super('HYPERPARAMETERS_INVALID', `invalid hyperparameters for model '${model}':\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`, {
      hint: 'pass hyperparameters that match the schema given to new Model({ hyperparameters })',
    });
  }
}

/** Reader, trainer or other keyword arguments that do not fit their schema. */
export class ArgumentsError extends UnionMLError {
  constructor(what: string, problems: readonly string[], expected: string) {
    super('ARGUMENTS_INVALID', `invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`);
  }
}

/** `predict` was called without features or reader arguments. */
export class PredictInputError extends UnionMLError {
  constructor(message: string, hint?: string) {
    super('PREDICT_NO_INPUT', message, { hint });
  }
}

/** What the predictor returned does not fit the declared prediction schema. */
export class PredictionError extends UnionMLError {
  constructor(model: string, problems: readonly string[], expected: string) {
    super('PREDICTION_INVALID', `the predictor of model '${model}' returned a value that does not fit its prediction schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected: ${expected}`);
  }
}

/** A model file is missing, corrupt, foreign, or for another model. The message names the file. */
export class ModelFileError extends UnionMLError {
  constructor(
    code: 'MODEL_FILE_NOT_FOUND' | 'MODEL_FILE_CORRUPT' | 'MODEL_FILE_FOREIGN' | 'MODEL_FILE_MISMATCH' | 'MODEL_FILE_WRITE' | 'MODEL_PATH_NOT_SET',
    readonly file: string | undefined,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** The model object cannot be saved or loaded by the default saver/loader. */
export class SerializationError extends UnionMLError {
  constructor(message: string, hint: string) {
    super('MODEL_NOT_SERIALIZABLE', message, { hint });
  }
}

/** `APP:MODEL` could not be resolved: no such module, no such export, not a Model, or it failed to load. */
export class AppLoadError extends UnionMLError {
  constructor(
    code: 'APP_NOT_FOUND' | 'APP_IMPORT_FAILED' | 'APP_EXPORT_MISSING' | 'APP_NOT_A_MODEL' | 'APP_ADDRESS_INVALID',
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** A schedule that is malformed, ambiguous or not unique (Python UnionML's messages). */
export class ScheduleError extends UnionMLError {
  constructor(message: string) {
    super('SCHEDULE_INVALID', message, { hint: "pass exactly one of expression: '0 2 * * *' or fixedRate: { value: 1, unit: 'day' }, and a name used once" });
  }
}
