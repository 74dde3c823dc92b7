import { VERSION, jsonSchemaOf, type AnyModel, type Schema } from '@unionml/core';
import type { ColumnSchema, ColumnType } from '@unionml/data';

type JsonSchema = Record<string, unknown>;

const SCALAR: JsonSchema = { type: ['number', 'string', 'boolean', 'null'] };

/**
 * What a feature record of a table model looks like: the columns a prediction request must send and their types,
 * when they are known (declared `features`, or the columns the artifact was trained on). `undefined` when the
 * dataset is not a table or has its own feature loader, whose input the server cannot know.
 */
export function featureRecordSchema(model: AnyModel): JsonSchema | undefined {
  const dataset = model.dataset;
  if (!dataset.tabular || dataset.component('featureLoader')) return undefined;
  const featureSchema: readonly ColumnSchema[] | undefined = model.artifact?.featureSchema;
  const columns = dataset.featureColumns(featureSchema);
  if (!columns) {
    return {
      type: 'object',
      description: 'One row: { column: value }. The columns are known once the model is trained.',
      additionalProperties: SCALAR,
    };
  }
  const types = new Map<string, ColumnType>((featureSchema ?? []).map((c) => [c.name, c.type]));
  const properties: Record<string, JsonSchema> = {};
  for (const column of columns) properties[column] = columnSchema(types.get(column));
  // The default feature loader ignores target columns, so a labelled row may be sent as it is.
  for (const target of dataset.targets) {
    if (!(target in properties)) properties[target] = { ...SCALAR, description: 'a target column: accepted and ignored' };
  }
  return { type: 'object', description: 'One row of features: { column: value }.', properties, required: [...columns], additionalProperties: false };
}

/** One sample feature record (zeros, empty strings, false), for examples; `undefined` when the columns are unknown. */
export function exampleRecord(model: AnyModel): Record<string, number | string | boolean> | undefined {
  const record = featureRecordSchema(model);
  const required = record?.['required'];
  const properties = record?.['properties'] as Record<string, JsonSchema> | undefined;
  if (!Array.isArray(required) || !properties) return undefined;
  const example: Record<string, number | string | boolean> = {};
  for (const column of required as string[]) {
    const type = properties[column]?.['type'];
    example[column] = type === 'string' ? '' : type === 'boolean' ? false : 0;
  }
  return example;
}

/**
 * The OpenAPI 3.1 document of the prediction API of `model`, generated from its declared schemas: the feature
 * columns and their types, the reader arguments (`readerArgs`; left out with `readerInputs: false`, as a server
 * without `allowReaderInputs` does) and the prediction (`prediction`).
 *
 * It reflects the current artifact (the columns a trained model was trained on); generate it again after the
 * artifact changes (the server does).
 *
 * @example
 * ```ts
 * const doc = openApiDocument(model);
 * doc.paths['/predict'].post.requestBody // { content: { 'application/json': { schema: { $ref: ... } } } }
 * ```
 */
export function openApiDocument(model: AnyModel, options: { readerInputs?: boolean } = {}): Record<string, unknown> {
  const dataset = model.dataset;
  const schemas: Record<string, JsonSchema> = {};
  const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

  // features
  const record = featureRecordSchema(model);
  if (record) {
    schemas['FeatureRecord'] = record;
    schemas['FeaturesRequest'] = {
      type: 'object',
      description: 'Predict from feature rows.',
      properties: { features: { type: 'array', minItems: 1, items: ref('FeatureRecord') } },
      required: ['features'],
      additionalProperties: false,
    };
  } else {
    schemas['FeaturesRequest'] = {
      type: 'object',
      description: "Predict from features, in the form the dataset's feature loader takes.",
      properties: { features: { description: "the features, as the dataset's feature loader takes them" } },
      required: ['features'],
      additionalProperties: false,
    };
  }
  const variants = [ref('FeaturesRequest')];

  // inputs (only when the dataset can read data, and the server takes reader arguments: allowReaderInputs)
  if (options.readerInputs !== false && dataset.component('reader')) {
    const readerArgs = dataset.readerArgsSchema
      ? closed(embed(dataset.readerArgsSchema, 'ReaderArguments'), dataset.readerArgsSchema)
      : { type: 'object', description: "the reader's arguments" };
    schemas['ReaderArguments'] = readerArgs;
    schemas['InputsRequest'] = {
      type: 'object',
      description: "Predict from data read by the dataset's reader with these arguments.",
      properties: { inputs: ref('ReaderArguments') },
      required: ['inputs'],
      additionalProperties: false,
    };
    variants.push(ref('InputsRequest'));
  }
  schemas['PredictRequest'] = { oneOf: variants };
  schemas['Prediction'] = model.predictionSchema ? embed(model.predictionSchema, 'Prediction') : { description: "the predictor's output, as JSON" };
  schemas['Error'] = {
    type: 'object',
    properties: {
      detail: { type: 'string', description: 'what was wrong' },
      code: { type: 'string', description: 'a stable error code, e.g. DATA_COLUMNS_MISSING' },
      hint: { type: 'string', description: 'how to fix it' },
    },
    required: ['detail', 'code'],
    additionalProperties: false,
  };
  const served = {
    model: { type: 'string', description: "the model's name" },
    savedAt: { type: 'string', format: 'date-time', description: 'when the model file was saved' },
    contentHash: { type: 'string', description: "the model file's content hash, sha256:<hex>" },
    loadedAt: { type: 'string', format: 'date-time', description: 'when the model file was loaded' },
    path: { type: 'string', description: 'the model file it was loaded from' },
  };
  schemas['Health'] = {
    type: 'object',
    properties: { message: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, ...served },
    required: ['message', 'status'],
  };
  schemas['Ready'] = {
    type: 'object',
    properties: { ready: { const: true }, ...served },
    required: ['ready', 'model'],
  };

  const json = (schema: JsonSchema, description: string, example?: unknown) => ({
    description,
    content: { 'application/json': example === undefined ? { schema } : { schema, example } },
  });
  const error = (description: string) => json(ref('Error'), description);
  const example = exampleRecord(model);

  return {
    openapi: '3.1.0',
    info: {
      title: `unionml: ${model.name}`,
      version: VERSION,
      description: `Predictions of the UnionML model '${model.name}'. POST {"features": [rows]}${variants.length > 1 ? ' or {"inputs": {reader arguments}}' : ''} to /predict.`,
    },
    paths: {
      '/': {
        get: {
          operationId: 'root',
          summary: 'A page about this server',
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Whether a trained model is loaded',
          responses: {
            '200': json(ref('Health'), 'A model is loaded', { message: 'OK', status: 200 }),
            '500': json(ref('Health'), 'No model artifact is loaded', { message: 'Model artifact not found.', status: 500 }),
          },
        },
      },
      '/ready': {
        get: {
          operationId: 'ready',
          summary: 'Whether the server takes requests: a model is loaded and it is not shutting down',
          responses: {
            '200': json(ref('Ready'), 'Ready', { ready: true, model: model.name }),
            '503': error('No model is loaded (MODEL_NOT_TRAINED), or the server is shutting down (SERVER_SHUTTING_DOWN)'),
          },
        },
      },
      '/predict': {
        post: {
          operationId: 'predict',
          summary: `Predict with model '${model.name}'`,
          requestBody: {
            required: true,
            content: { 'application/json': example ? { schema: ref('PredictRequest'), example: { features: [example] } } : { schema: ref('PredictRequest') } },
          },
          responses: {
            '200': json(ref('Prediction'), 'The predictions'),
            '400': error(
              'The body is not JSON, not {"features": ...} or {"inputs": ...}, or its data does not fit the model (columns, types, reader arguments)',
            ),
            '413': error('The body is larger than the limit'),
            '500': error('The app failed (its predictor threw or returned an invalid prediction)'),
            '503': error('No trained model is loaded'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: { '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: { schemas },
  };
}

function columnSchema(type: ColumnType | undefined): JsonSchema {
  switch (type) {
    case 'number':
      return { type: 'number' };
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      return SCALAR;
  }
}

/**
 * The JSON Schema of a zod schema, ready to sit at `#/components/schemas/<name>`: without `$schema`, and with its
 * local references (`#`, `#/$defs/...`) rewritten to point inside that component.
 */
function embed(schema: Schema, name: string): JsonSchema {
  let json: JsonSchema;
  try {
    json = jsonSchemaOf(schema);
  } catch {
    return { description: 'a value the app validates (its schema cannot be shown as JSON Schema)' };
  }
  const out = rewriteRefs(json, `#/components/schemas/${name}`) as JsonSchema;
  delete out['$schema'];
  return out;
}

/**
 * Reader arguments are checked with core's `check`, which rejects unknown keys of object schemas that have no
 * catchall: say so in the JSON Schema (zod's input schemas leave `additionalProperties` open).
 */
function closed(json: JsonSchema, schema: Schema): JsonSchema {
  const def = (schema as unknown as { def?: { type?: string; catchall?: unknown } }).def;
  if (def?.type === 'object' && def.catchall === undefined && json['type'] === 'object' && !('additionalProperties' in json)) {
    return { ...json, additionalProperties: false };
  }
  return json;
}

function rewriteRefs(node: unknown, base: string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, base));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#') ? base + value.slice(1) : rewriteRefs(value, base);
  }
  return out;
}
