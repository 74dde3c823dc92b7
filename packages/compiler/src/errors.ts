import { defineErrors, UnionMLError, type CodeOf } from '@unionml/errors';
import { FLYTE_ERRORS } from '@unionml/flyte';

/** The error codes of @unionml/compiler. */
export const COMPILER_ERRORS = defineErrors('@unionml/compiler', {
  FLYTE_DECLARATION_MISSING: {
    kind: 'app',
    meaning:
      'the app does not declare something Flyte needs: a prediction schema, a schedule input, a reader argument a schedule names, or a model file a task needs',
    hint: 'declare it in the app (e.g. new Model({ prediction: z.array(z.number()) })), or give it in the schedule options',
  },
  FLYTE_NAME_CLASH: {
    kind: 'app',
    meaning: "two of the app's names would become the same Flyte input (a reader argument, a trainer keyword argument or a workflow input)",
    hint: 'rename one of them',
  },
  FLYTE_TASK_UNKNOWN: {
    kind: 'input',
    meaning: "a task container's address (app-module, unionml-obj-name, task-name) does not name a task of the app",
    hint: 'the task arguments are written when the app is packaged; package and register the app again',
  },
  COMPILE_OPTIONS_INVALID: {
    kind: 'input',
    meaning: 'the options given to the compiler are not usable (e.g. an empty task entrypoint)',
    hint: "pass compileModel(model, { entrypoint: ['unionml', 'execute'], module, exportName, image, version })",
  },
});

/** A code of {@link COMPILER_ERRORS}, or the type engine's `FLYTE_TYPE_UNSUPPORTED`. */
export type CompilerErrorCode = CodeOf<typeof COMPILER_ERRORS> | 'FLYTE_TYPE_UNSUPPORTED';

const CODES = { ...COMPILER_ERRORS, FLYTE_TYPE_UNSUPPORTED: FLYTE_ERRORS.FLYTE_TYPE_UNSUPPORTED };

/** An app that cannot be compiled to Flyte: an undeclarable type, a missing declaration, a name clash. */
export class FlyteCompileError extends UnionMLError<CompilerErrorCode> {
  constructor(code: CompilerErrorCode, message: string, hint?: string) {
    super(CODES[code], message, { hint });
  }
}
