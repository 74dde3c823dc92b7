import { FlyteTypeError } from './errors.js';
import type { FlyteType } from './flyte-type.js';
import type { flyteidl } from './idl.js';
import type { Storage } from './storage.js';

/**
 * Where the type engine reads and writes data while converting values, and the transformers it may use.
 */
export interface LiteralContext {
  /** Storage for blobs and datasets (use `anyStorage()` to accept every scheme). */
  storage: Storage;
  /** Where blobs and datasets produced by this task are uploaded (`<rawOutputPrefix>/<random>/<name>`). */
  rawOutputPrefix: string;
  /** A local folder where blobs are downloaded. */
  workDir: string;
  /**
   * The transformers that variables may name (`FlyteType.transformer`), made with {@link typeTransformers}. A variable
   * that names a transformer not in here cannot be converted (`FLYTE_TYPE_UNSUPPORTED`).
   */
  transformers?: TypeTransformers | undefined;
}

/**
 * Converts the values of variables whose {@link FlyteType} names it (`transformer: name`), e.g. a DataFrame library's
 * `structuredDataset` transformer that writes parquet under `ctx.rawOutputPrefix`. The variable's literal *type*
 * still comes from its kind (`literalTypeOf`); the transformer only converts values. Pass it to the type engine in
 * the context's `transformers` (see {@link typeTransformers}).
 */
export interface TypeTransformer {
  /** The name `FlyteType.transformer` refers to. */
  name: string;
  /** A JS value to a Literal. */
  toLiteral(value: unknown, type: FlyteType, ctx: LiteralContext): Promise<flyteidl.core.ILiteral>;
  /** A Literal to a JS value. */
  fromLiteral(literal: flyteidl.core.ILiteral, type: FlyteType, ctx: LiteralContext): Promise<unknown>;
}

/** Type transformers by name, for {@link LiteralContext.transformers}; made with {@link typeTransformers}. */
export type TypeTransformers = ReadonlyMap<string, TypeTransformer>;

/**
 * The transformers a {@link LiteralContext} (or `executeTask(..., { transformers })`) passes to the type engine, by
 * name. Throws `FLYTE_TRANSFORMER_INVALID` for a transformer without a name or conversion functions, and for two
 * transformers with the same name.
 *
 * @example
 * ```ts
 * const transformers = typeTransformers(dataFrameTransformer);
 * await toLiteral(frame, { kind: 'structuredDataset', format: 'parquet', transformer: 'dataframe' }, { storage, rawOutputPrefix, workDir, transformers });
 * ```
 */
export function typeTransformers(...list: TypeTransformer[]): TypeTransformers {
  const byName = new Map<string, TypeTransformer>();
  list.forEach((transformer, i) => {
    const name: unknown = (transformer as Partial<TypeTransformer> | null | undefined)?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new FlyteTypeError('FLYTE_TRANSFORMER_INVALID', `type transformer ${i} has no name`, {
        hint: 'give each type transformer the non-empty name its types refer to (FlyteType.transformer)',
      });
    }
    if (typeof transformer.toLiteral !== 'function' || typeof transformer.fromLiteral !== 'function') {
      throw new FlyteTypeError('FLYTE_TRANSFORMER_INVALID', `type transformer '${name}' needs a toLiteral and a fromLiteral function`);
    }
    if (byName.has(name)) {
      throw new FlyteTypeError('FLYTE_TRANSFORMER_INVALID', `two type transformers are named '${name}'`, {
        hint: 'pass each transformer once, and give different transformers different names',
      });
    }
    byName.set(name, transformer);
  });
  return byName;
}
