import { describe, expect, it } from 'vitest';
import { flyteidl } from './idl.js';
import { FLYTEKIT_GOLDENS, flytekitHex } from './test-support/goldens.js';
import { describeType, literalTypeOf, t, typedInterfaceOf, unionTagOf, type FlyteType } from './types.js';

const hex = (type: flyteidl.core.ILiteralType) => Buffer.from(flyteidl.core.LiteralType.encode(type).finish()).toString('hex');

// The Python type matching each FlyteType, by its case name in flytekit-goldens.json: flytekit 1.16's
// `TypeEngine.to_literal_type(T).to_flyte_idl().SerializeToString()`, written by tools/flytekit-check/write_goldens.py.
const STRUCT = flytekitHex('literalTypes', 'dict');
const FLYTEKIT: [string, FlyteType][] = [
  ['int', t.int()],
  ['float', t.float()],
  ['str', t.string()],
  ['bool', t.boolean()],
  ['datetime', t.datetime()],
  ['timedelta', t.duration()],
  ['None', t.none()],
  ['List[float]', t.list(t.float())],
  ['Dict[str, int]', t.map(t.int())],
  ['List[Dict[str, dict]]', t.list(t.map(t.struct()))],
  ['dict', t.struct()],
  ['FlyteFile', t.blob()],
  ['FlyteFile[csv]', t.blob({ format: 'csv' })],
  ['FlyteDirectory', t.blob({ multipart: true })],
  ['StructuredDataset', t.structuredDataset()],
  [
    'Annotated[StructuredDataset, kwtypes(a=int, b=float), PARQUET]',
    t.structuredDataset({
      format: 'parquet',
      columns: [
        { name: 'a', type: t.int() },
        { name: 'b', type: t.float() },
      ],
    }),
  ],
  ['Optional[float]', t.optional(t.float())],
  ['Optional[List[int]]', t.optional(t.list(t.int()))],
  ['Optional[dict]', t.optional(t.struct())],
  ['Optional[FlyteFile]', t.optional(t.blob())],
  ['Optional[FlyteDirectory]', t.optional(t.blob({ multipart: true }))],
  ['Optional[Color]', t.optional(t.enum(['red', 'green']))],
  ['Optional[StructuredDataset]', t.optional(t.structuredDataset())],
  ['Optional[Dict[str, str]]', t.optional(t.map(t.string()))],
  ['Optional[datetime]', t.optional(t.datetime())],
  ['Optional[timedelta]', t.optional(t.duration())],
  ['Optional[bool]', t.optional(t.boolean())],
  ['Optional[str]', t.optional(t.string())],
  ['Optional[int]', t.optional(t.int())],
  ['Color(Enum)', t.enum(['red', 'green'])],
];

describe('literalTypeOf', () => {
  it.each(FLYTEKIT)('encodes like flytekit declares %s', (python, type) => {
    expect(hex(literalTypeOf(type))).toBe(flytekitHex('literalTypes', python));
  });

  it('covers every literal type of flytekit-goldens.json, and only those', () => {
    expect(FLYTEKIT.map(([python]) => python).sort()).toEqual(Object.keys(FLYTEKIT_GOLDENS.literalTypes).sort());
  });

  it('gives the plain-object shapes of flyte-protocol.md §2', () => {
    expect(literalTypeOf(t.struct())).toEqual({
      simple: flyteidl.core.SimpleType.STRUCT,
      annotation: { annotations: { fields: { 'cache-key-metadata': { structValue: { fields: { 'serialization-format': { stringValue: 'msgpack' } } } } } } },
    });
    expect(literalTypeOf(t.optional(t.float()))).toEqual({
      unionType: {
        variants: [
          { simple: flyteidl.core.SimpleType.FLOAT, structure: { tag: 'float' } },
          { simple: flyteidl.core.SimpleType.NONE, structure: { tag: 'none' } },
        ],
      },
    });
    expect(literalTypeOf(t.structuredDataset({ format: 'parquet' }))).toEqual({ structuredDatasetType: { columns: [], format: 'parquet' } });
  });

  it('puts a struct JSON Schema in metadata as a google.protobuf.Struct, before the annotation', () => {
    const schema = {
      title: 'Config',
      type: 'object',
      properties: { lr: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['lr'],
      additionalProperties: false,
    };
    const type = literalTypeOf(t.struct(schema));
    expect(type.simple).toBe(flyteidl.core.SimpleType.STRUCT);
    expect(type.metadata?.fields?.['title']).toEqual({ stringValue: 'Config' });
    expect(type.metadata?.fields?.['required']).toEqual({ listValue: { values: [{ stringValue: 'lr' }] } });
    expect(type.metadata?.fields?.['additionalProperties']).toEqual({ boolValue: false });
    const decoded = flyteidl.core.LiteralType.decode(flyteidl.core.LiteralType.encode(type).finish());
    expect(decoded.metadata?.fields?.['properties']?.structValue?.fields?.['lr']?.structValue?.fields?.['type']?.stringValue).toBe('number');
    // field order on the wire: simple (1), metadata (6), annotation (9)
    const bytes = hex(type);
    expect(bytes.startsWith('080932')).toBe(true);
    expect(bytes.endsWith(STRUCT.slice(4))).toBe(true);
  });

  it('tags union variants with flytekit transformer names (dataclass, list, dict, enum...)', () => {
    expect(unionTagOf(t.struct({ title: 'X' }))).toBe('Object-Dataclass-Transformer');
    expect(unionTagOf(t.struct())).toBe('Typed Dict');
    expect(unionTagOf(t.map(t.int()))).toBe('Typed Dict');
    expect(unionTagOf(t.list(t.int()))).toBe('Typed List');
    expect(unionTagOf(t.string())).toBe('str');
    expect(unionTagOf(t.duration())).toBe('timedelta');
  });

  it('flattens Optional[Optional[T]] and Optional[None] as Python does', () => {
    expect(literalTypeOf(t.optional(t.optional(t.int())))).toEqual(literalTypeOf(t.optional(t.int())));
    expect(literalTypeOf(t.optional(t.none()))).toEqual({ simple: flyteidl.core.SimpleType.NONE });
  });

  it('takes the type from the kind even when a transformer converts the values', () => {
    expect(literalTypeOf({ kind: 'structuredDataset', format: 'parquet', transformer: 'dataframe' })).toEqual(
      literalTypeOf(t.structuredDataset({ format: 'parquet' })),
    );
  });

  it('rejects unknown kinds and empty enums', () => {
    expect(() => literalTypeOf({ kind: 'tensor' } as unknown as FlyteType)).toThrow(/unsupported Flyte type kind 'tensor'/);
    expect(() => literalTypeOf(t.enum([]))).toThrow(/at least one value/);
  });
});

describe('describeType', () => {
  it('describes every kind briefly', () => {
    expect(describeType(t.float())).toBe('float');
    expect(describeType(t.list(t.float()))).toBe('list<float>');
    expect(describeType(t.map(t.list(t.int())))).toBe('map<string, list<int>>');
    expect(describeType(t.struct())).toBe('struct');
    expect(describeType(t.struct({ title: 'Config' }))).toBe('struct Config');
    expect(describeType(t.structuredDataset({ format: 'parquet' }))).toBe('structured dataset (parquet)');
    expect(describeType(t.structuredDataset())).toBe('structured dataset');
    expect(describeType(t.blob({ format: 'csv' }))).toBe('file (csv)');
    expect(describeType(t.blob({ multipart: true }))).toBe('directory');
    expect(describeType(t.optional(t.int()))).toBe('optional<int>');
    expect(describeType(t.enum(['a', 'b']))).toBe("enum('a', 'b')");
  });
});

describe('typedInterfaceOf', () => {
  it('describes each variable with its name by default, as flytekit', () => {
    const iface = typedInterfaceOf({ inputs: { name: t.string() }, outputs: { o0: { ...t.int(), description: 'the length' } } });
    expect(iface).toEqual({
      inputs: { variables: { name: { type: { simple: flyteidl.core.SimpleType.STRING }, description: 'name' } } },
      outputs: { variables: { o0: { type: { simple: flyteidl.core.SimpleType.INTEGER }, description: 'the length' } } },
    });
  });
});
