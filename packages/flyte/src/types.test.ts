import { describe, expect, it } from 'vitest';
import { flyteidl } from './idl.js';
import { describeType, literalTypeOf, t, typedInterfaceOf, unionTagOf, type FlyteType } from './types.js';

const hex = (type: flyteidl.core.ILiteralType) => Buffer.from(flyteidl.core.LiteralType.encode(type).finish()).toString('hex');

// `TypeEngine.to_literal_type(T).to_flyte_idl().SerializeToString().hex()` with flytekit 1.16 (Python 3.11), for the
// Python type that matches each FlyteType.
const STRUCT = '08094a3f0a3d0a3b0a1263616368652d6b65792d6d6574616461746112252a230a210a1473657269616c697a6174696f6e2d666f726d617412091a076d73677061636b';
const FLYTEKIT: [string, FlyteType, string][] = [
  ['int', t.int(), '0801'],
  ['float', t.float(), '0802'],
  ['str', t.string(), '0803'],
  ['bool', t.boolean(), '0804'],
  ['datetime', t.datetime(), '0805'],
  ['timedelta', t.duration(), '0806'],
  ['None', t.none(), '0800'],
  ['List[float]', t.list(t.float()), '1a020802'],
  ['Dict[str, int]', t.map(t.int()), '22020801'],
  ['List[Dict[str, dict]]', t.list(t.map(t.struct())), `1a45224308094a3f0a3d0a3b0a1263616368652d6b65792d6d6574616461746112252a230a210a1473657269616c697a6174696f6e2d666f726d617412091a076d73677061636b`],
  ['dict', t.struct(), STRUCT],
  ['FlyteFile', t.blob(), '2a00'],
  ['FlyteFile[csv]', t.blob({ format: 'csv' }), '2a050a03637376'],
  ['FlyteDirectory', t.blob({ multipart: true }), '2a021001'],
  ['StructuredDataset', t.structuredDataset(), '4200'],
  [
    'Annotated[StructuredDataset, kwtypes(a=int, b=float), PARQUET]',
    t.structuredDataset({ format: 'parquet', columns: [{ name: 'a', type: t.int() }, { name: 'b', type: t.float() }] }),
    '421b0a070a0161120208010a070a016212020802120770617271756574',
  ],
  ['Optional[float]', t.optional(t.float()), '52190a0b08025a070a05666c6f61740a0a08005a060a046e6f6e65'],
  ['Optional[List[int]]', t.optional(t.list(t.int())), '52200a121a0208015a0c0a0a5479706564204c6973740a0a08005a060a046e6f6e65'],
  [
    'Optional[dict]',
    t.optional(t.struct()),
    '525f0a5108094a3f0a3d0a3b0a1263616368652d6b65792d6d6574616461746112252a230a210a1473657269616c697a6174696f6e2d666f726d617412091a076d73677061636b5a0c0a0a547970656420446963740a0a08005a060a046e6f6e65',
  ],
  ['Optional[FlyteFile]', t.optional(t.blob()), '52210a132a005a0f0a0d466c79746546696c65506174680a0a08005a060a046e6f6e65'],
  ['Optional[FlyteDirectory]', t.optional(t.blob({ multipart: true })), '52240a162a0210015a100a0e466c7974654469726563746f72790a0a08005a060a046e6f6e65'],
  ['Optional[Color]', t.optional(t.enum(['red', 'green'])), '52360a283a0c0a037265640a05677265656e5a180a1644656661756c74456e756d5472616e73666f726d65720a0a08005a060a046e6f6e65'],
  ['Optional[StructuredDataset]', t.optional(t.structuredDataset()), '52310a2342005a1f0a1d5374727563747572656444617461736574205472616e73666f726d65720a0a08005a060a046e6f6e65'],
  ['Optional[Dict[str, str]]', t.optional(t.map(t.string())), '52200a12220208035a0c0a0a547970656420446963740a0a08005a060a046e6f6e65'],
  ['Optional[datetime]', t.optional(t.datetime()), '521c0a0e08055a0a0a086461746574696d650a0a08005a060a046e6f6e65'],
  ['Optional[timedelta]', t.optional(t.duration()), '521d0a0f08065a0b0a0974696d6564656c74610a0a08005a060a046e6f6e65'],
  ['Optional[bool]', t.optional(t.boolean()), '52180a0a08045a060a04626f6f6c0a0a08005a060a046e6f6e65'],
  ['Optional[str]', t.optional(t.string()), '52170a0908035a050a037374720a0a08005a060a046e6f6e65'],
  ['Optional[int]', t.optional(t.int()), '52170a0908015a050a03696e740a0a08005a060a046e6f6e65'],
  ['Color(Enum)', t.enum(['red', 'green']), '3a0c0a037265640a05677265656e'],
];

describe('literalTypeOf', () => {
  it.each(FLYTEKIT)('encodes like flytekit declares %s', (_python, type, expected) => {
    expect(hex(literalTypeOf(type))).toBe(expected);
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
    const schema = { title: 'Config', type: 'object', properties: { lr: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['lr'], additionalProperties: false };
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
    expect(literalTypeOf({ kind: 'structuredDataset', format: 'parquet', transformer: 'dataframe' })).toEqual(literalTypeOf(t.structuredDataset({ format: 'parquet' })));
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
