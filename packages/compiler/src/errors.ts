import { UnionMLError } from '@unionml/errors';

/** An app that cannot be compiled to Flyte: an undeclarable type, a missing declaration, a name clash. */
export class FlyteCompileError extends UnionMLError {
  constructor(code: 'FLYTE_TYPE_UNSUPPORTED' | 'FLYTE_DECLARATION_MISSING' | 'FLYTE_NAME_CLASH' | 'FLYTE_TASK_UNKNOWN' | 'FLYTE_VERSION_UNKNOWN', message: string, hint?: string) {
    super(code, message, { hint });
  }
}
