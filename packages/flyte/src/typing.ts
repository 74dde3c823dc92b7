import { flyteidl } from './idl.js';

type LT = flyteidl.core.ILiteralType;
const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

const own = (object: object | null | undefined, key: string): boolean =>
  !!object &&
  Object.prototype.hasOwnProperty.call(object, key) &&
  (object as Record<string, unknown>)[key] !== null &&
  (object as Record<string, unknown>)[key] !== undefined;

const SIMPLE_NAMES: Record<number, string> = {
  [SimpleType.NONE]: 'none',
  [SimpleType.INTEGER]: 'int',
  [SimpleType.FLOAT]: 'float',
  [SimpleType.STRING]: 'string',
  [SimpleType.BOOLEAN]: 'boolean',
  [SimpleType.DATETIME]: 'datetime',
  [SimpleType.DURATION]: 'duration',
  [SimpleType.BINARY]: 'binary',
  [SimpleType.ERROR]: 'error',
  [SimpleType.STRUCT]: 'struct',
};

/** A short description of a LiteralType (`int`, `list<float>`, `optional<int>`, `file (csv)`...). */
export function describeLiteralType(type: LT | null | undefined): string {
  if (!type) return 'nothing';
  if (own(type, 'simple')) return SIMPLE_NAMES[type.simple as number] ?? `simple type ${String(type.simple)}`;
  if (own(type, 'collectionType')) return `list<${describeLiteralType(type.collectionType)}>`;
  if (own(type, 'mapValueType')) return `map<string, ${describeLiteralType(type.mapValueType)}>`;
  if (own(type, 'blob')) {
    const what = type.blob!.dimensionality === BlobDimensionality.MULTIPART ? 'directory' : 'file';
    return type.blob!.format ? `${what} (${type.blob!.format})` : what;
  }
  if (own(type, 'enumType')) return `enum(${(type.enumType!.values ?? []).map((v) => `'${v}'`).join(', ')})`;
  if (own(type, 'structuredDatasetType'))
    return type.structuredDatasetType!.format ? `structured dataset (${type.structuredDatasetType!.format})` : 'structured dataset';
  if (own(type, 'schema')) return 'schema';
  if (own(type, 'unionType')) {
    const variants = type.unionType!.variants ?? [];
    const nonNone = variants.filter((v) => !isNoneType(v));
    if (nonNone.length === 1 && variants.length === 2) return `optional<${describeLiteralType(nonNone[0])}>`;
    return `union<${variants.map((v) => describeLiteralType(v)).join(' | ')}>`;
  }
  return 'an unknown type';
}

/** True for `simple: NONE`. */
export function isNoneType(type: LT | null | undefined): boolean {
  return !!type && own(type, 'simple') && type.simple === SimpleType.NONE;
}

/** True for a union with a NONE variant, or NONE itself: an input of this type may be left unbound. */
export function isOptionalLiteralType(type: LT | null | undefined): boolean {
  if (!type) return false;
  if (isNoneType(type)) return true;
  return own(type, 'unionType') && (type.unionType!.variants ?? []).some((v) => isNoneType(v));
}

function tagOf(type: LT): string {
  return type.structure?.tag ?? '';
}

function typeKind(type: LT): string {
  for (const key of ['simple', 'schema', 'collectionType', 'mapValueType', 'blob', 'enumType', 'structuredDatasetType', 'unionType'])
    if (own(type, key)) return key;
  return '';
}

/**
 * Whether a value of `upstream` type can be bound to a `downstream` input, following Flyte's compiler
 * (`flytepropeller/pkg/compiler/validators/typing.go`): simple types match exactly (INTEGER is not a FLOAT); tags must
 * match when the upstream has one; enums and strings cast both ways; STRUCTs cast unless both carry different JSON
 * Schemas (schemas are not compared here: two schemas are accepted); blobs need compatible formats; datasets need
 * compatible formats and a subset of columns; NONE casts only to NONE; a value casts to a union when exactly one
 * variant accepts it, a union when each of its variants has a home.
 */
export function areTypesCastable(upstream: LT, downstream: LT): boolean {
  const up = upstream.unionType?.variants;
  if (up && up.length === 1 && castsFrom(downstream, up[0]!)) return true;
  return castsFrom(downstream, upstream);
}

function castsFrom(downstream: LT, upstream: LT): boolean {
  const kind = typeKind(downstream);
  switch (kind) {
    case 'collectionType': {
      if (!own(upstream, 'collectionType')) return false;
      if (isNoneType(upstream.collectionType)) return true;
      return areTypesCastable(upstream.collectionType!, downstream.collectionType!);
    }
    case 'mapValueType': {
      if (!own(upstream, 'mapValueType')) return false;
      if (isNoneType(upstream.mapValueType)) return true;
      return areTypesCastable(upstream.mapValueType!, downstream.mapValueType!);
    }
    case 'unionType': {
      const variants = downstream.unionType!.variants ?? [];
      if (own(upstream, 'unionType')) {
        return (upstream.unionType!.variants ?? []).every((u) => variants.some((d) => areTypesCastable(u, d)));
      }
      return variants.filter((d) => areTypesCastable(upstream, d)).length === 1;
    }
    case 'structuredDatasetType': {
      if (isNoneType(upstream)) return true;
      if (own(upstream, 'schema')) return true;
      if (!own(upstream, 'structuredDatasetType')) return false;
      const u = upstream.structuredDatasetType!;
      const d = downstream.structuredDatasetType!;
      if (u.format && d.format && u.format.toLowerCase() !== d.format.toLowerCase()) return false;
      const uc = u.columns ?? [];
      const dc = d.columns ?? [];
      if (uc.length === 0 || dc.length === 0) return true;
      return dc.every((column) => {
        const match = uc.find((c) => c.name === column.name);
        return !!match && !!match.literalType && !!column.literalType && areTypesCastable(match.literalType, column.literalType);
      });
    }
    case 'blob': {
      if (!own(upstream, 'blob')) return false;
      if (tagOf(upstream) !== '' && tagOf(upstream) !== tagOf(downstream)) return false;
      const u = upstream.blob!.format ?? '';
      const d = downstream.blob!.format ?? '';
      return u === '' || d === '' || u === d;
    }
    default:
      break;
  }
  if (isNoneType(downstream)) return isNoneType(upstream);
  // trivial checker
  if (own(upstream, 'enumType') && own(downstream, 'simple') && downstream.simple === SimpleType.STRING) return true;
  if (own(downstream, 'enumType') && own(upstream, 'simple') && upstream.simple === SimpleType.STRING) return true;
  if (tagOf(upstream) !== '' && tagOf(upstream) !== tagOf(downstream)) return false;
  if (own(downstream, 'simple')) {
    if (!own(upstream, 'simple') || upstream.simple !== downstream.simple) return false;
    return true;
  }
  if (own(downstream, 'enumType')) {
    if (!own(upstream, 'enumType')) return false;
    const u = upstream.enumType!.values ?? [];
    const d = downstream.enumType!.values ?? [];
    return u.length === d.length && u.every((v, i) => v === d[i]);
  }
  if (own(downstream, 'schema')) return own(upstream, 'schema') || own(upstream, 'structuredDatasetType');
  return false;
}

/**
 * The LiteralType Flyte infers for a Literal (`validators.LiteralTypeForLiteral`), used to check literal bindings,
 * launch-plan fixed inputs and execution inputs.
 */
export function literalTypeForLiteral(literal: flyteidl.core.ILiteral | null | undefined): LT {
  if (!literal) return { simple: SimpleType.NONE };
  if (own(literal, 'collection')) {
    const items = literal.collection!.literals ?? [];
    return { collectionType: commonType(items.map((item) => literalTypeForLiteral(item))) };
  }
  if (own(literal, 'map')) {
    const items = Object.values(literal.map!.literals ?? {});
    return { mapValueType: commonType(items.map((item) => literalTypeForLiteral(item))) };
  }
  if (own(literal, 'offloadedMetadata')) return literal.offloadedMetadata!.inferredType ?? { simple: SimpleType.NONE };
  const s = literal.scalar;
  if (!own(literal, 'scalar') || !s) return { simple: SimpleType.NONE };
  if (own(s, 'primitive')) {
    const p = s.primitive!;
    if (own(p, 'integer')) return { simple: SimpleType.INTEGER };
    if (own(p, 'floatValue')) return { simple: SimpleType.FLOAT };
    if (own(p, 'stringValue')) return { simple: SimpleType.STRING };
    if (own(p, 'boolean')) return { simple: SimpleType.BOOLEAN };
    if (own(p, 'datetime')) return { simple: SimpleType.DATETIME };
    if (own(p, 'duration')) return { simple: SimpleType.DURATION };
    return { simple: SimpleType.NONE };
  }
  if (own(s, 'noneType')) return { simple: SimpleType.NONE };
  if (own(s, 'binary')) return { simple: s.binary!.tag === 'msgpack' ? SimpleType.STRUCT : SimpleType.BINARY };
  if (own(s, 'generic')) return { simple: SimpleType.STRUCT };
  if (own(s, 'error')) return { simple: SimpleType.ERROR };
  if (own(s, 'blob')) return { blob: s.blob!.metadata?.type ?? {} };
  if (own(s, 'schema')) return { schema: s.schema!.type ?? {} };
  if (own(s, 'structuredDataset')) return { structuredDatasetType: s.structuredDataset!.metadata?.structuredDatasetType ?? {} };
  if (own(s, 'union')) return { unionType: { variants: [s.union!.type ?? { simple: SimpleType.NONE }] } };
  return { simple: SimpleType.NONE };
}

function commonType(types: LT[]): LT {
  if (types.length === 0) return { simple: SimpleType.NONE };
  const distinct: LT[] = [];
  for (const type of types) {
    const key = JSON.stringify(flyteidl.core.LiteralType.encode(type).finish());
    if (!distinct.some((d) => JSON.stringify(flyteidl.core.LiteralType.encode(d).finish()) === key)) distinct.push(type);
  }
  return distinct.length === 1 ? distinct[0]! : { unionType: { variants: distinct } };
}
