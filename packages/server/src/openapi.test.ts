import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset, Model, VERSION, type AnyModel } from '@unionml/core';
import { DataFrame } from '@unionml/data';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from './openapi.js';
import { Centroid, makeTinyApp, trainedTinyApp } from './test-support/tiny-app.js';

/** A JSON Schema, as the tests read it: the keywords they look into are typed, the others are open. */
type Schema = { [keyword: string]: unknown; $ref?: string; properties?: Record<string, Schema>; items?: Schema; required?: string[] };
/** A media type of a request body or a response. */
type Media = { schema?: Schema; example?: unknown };
/** An operation of a path: the members the tests read. */
type Operation = {
  operationId: string;
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
  requestBody?: { content: Record<string, Media> };
};
/** The OpenAPI 3.1 document as the tests read it (expectValidOpenApi31 checks its structure). */
type OpenApi = {
  [member: string]: unknown;
  openapi: string;
  info: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The document of `model`, in the shape the tests read. */
const documentOf = (model: AnyModel): OpenApi => openApiDocument(model) as OpenApi;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every local $ref in `doc`. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refs(value, out);
    }
  }
  return out;
}

/** Resolves a `#/a/b` JSON pointer in `doc` (with ~1 and ~0 escapes). */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The structural rules of an OpenAPI 3.1 document that the server's documents must follow. */
function expectValidOpenApi31(doc: OpenApi): void {
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc); // plain JSON
  expect(doc['openapi']).toBe('3.1.0');
  expect(doc['info']).toMatchObject({ title: expect.any(String) as string, version: expect.any(String) as string });
  expect(
    Object.keys(doc).every(
      (k) =>
        ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'].includes(k) ||
        k.startsWith('x-'),
    ),
  ).toBe(true);
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    expect(path.startsWith('/')).toBe(true);
    for (const [method, operation] of Object.entries(item)) {
      expect(METHODS).toContain(method);
      expect(operation.operationId).toEqual(expect.any(String) as string);
      expect(operationIds.has(operation.operationId)).toBe(false);
      operationIds.add(operation.operationId);
      const responses = Object.entries(operation.responses);
      expect(responses.length).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(response.description).toEqual(expect.any(String) as string);
        for (const media of Object.values(response.content ?? {})) expect(media).toHaveProperty('schema');
      }
      if (operation.requestBody) expect(Object.keys(operation.requestBody.content)).toEqual(['application/json']);
    }
  }
  for (const name of Object.keys(doc.components?.schemas ?? {})) expect(name).toMatch(/^[a-zA-Z0-9._-]+$/);
  const all = refs(doc);
  expect(all.length).toBeGreaterThan(0);
  for (const ref of all) expect(resolvePointer(doc, ref), `$ref ${ref} resolves`).toBeDefined();
  expect(JSON.stringify(doc)).not.toContain('"$schema"');
}

describe('openApiDocument', () => {
  it('describes every route of a trained table model, with the feature columns and their types', async () => {
    const { model } = await trainedTinyApp();
    const doc = documentOf(model);
    expectValidOpenApi31(doc);
    expect(doc.info).toMatchObject({ title: 'unionml: tiny_model', version: VERSION });
    expect(Object.keys(doc.paths)).toEqual(['/', '/health', '/ready', '/predict', '/openapi.json']);
    const predict = doc.paths['/predict']!['post']!;
    expect(Object.keys(predict.responses)).toEqual(['200', '400', '413', '500', '503']);
    for (const status of ['400', '413', '500', '503'])
      expect(predict.responses[status]!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(predict.requestBody!.content['application/json']!.example).toEqual({ features: [{ x: 0, x2: 0 }] });

    const schemas = doc.components.schemas;
    expect(resolvePointer(doc, predict.requestBody!.content['application/json']!.schema!.$ref!)).toEqual({
      oneOf: [{ $ref: '#/components/schemas/FeaturesRequest' }, { $ref: '#/components/schemas/InputsRequest' }],
    });
    expect(schemas['FeaturesRequest']).toMatchObject({
      type: 'object',
      required: ['features'],
      additionalProperties: false,
      properties: { features: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/FeatureRecord' } } },
    });
    expect(schemas['FeatureRecord']).toMatchObject({
      type: 'object',
      properties: { x: { type: 'number' }, x2: { type: 'number' }, y: { type: ['number', 'string', 'boolean', 'null'] } },
      required: ['x', 'x2'],
      additionalProperties: false,
    });
    expect(schemas['InputsRequest']).toMatchObject({ required: ['inputs'], properties: { inputs: { $ref: '#/components/schemas/ReaderArguments' } } });
    expect(schemas['ReaderArguments']).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1, default: 100 }, offset: { type: 'integer', default: 0 } },
      additionalProperties: false,
    });
    expect(schemas['Prediction']).toEqual({ type: 'array', items: { type: 'number' } });
    expect(schemas['Error']).toMatchObject({
      required: ['detail', 'code'],
      properties: { detail: { type: 'string' }, code: { type: 'string' }, hint: { type: 'string' } },
    });
    expect(doc.paths['/health']!['get']!.responses['500']!.content!['application/json']!.example).toEqual({
      message: 'Model artifact not found.',
      status: 500,
    });
  });

  it('types declared columns only once a model is trained, and lists no columns when none are known', () => {
    const declared = documentOf(makeTinyApp().model);
    expectValidOpenApi31(declared);
    expect(declared.components.schemas['FeatureRecord']!.properties!['x']).toEqual({ type: ['number', 'string', 'boolean', 'null'] });
    expect(declared.components.schemas['FeatureRecord']!.required).toEqual(['x', 'x2']);

    const undeclared = documentOf(makeTinyApp({ declareFeatures: false }).model);
    expectValidOpenApi31(undeclared);
    expect(undeclared.components.schemas['FeatureRecord']).toEqual({
      type: 'object',
      description: 'One row: { column: value }. The columns are known once the model is trained.',
      additionalProperties: { type: ['number', 'string', 'boolean', 'null'] },
    });
    expect(undeclared.paths['/predict']!['post']!.requestBody!.content['application/json']!.example).toBeUndefined();
  });

  it('types the columns the same with a custom saver: the model file keeps them in its envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unionml-openapi-'));
    const custom = () => {
      const app = makeTinyApp({ declareFeatures: false });
      app.model.saver((m, _hp, file) => writeFileSync(file, JSON.stringify(m.toJSON())));
      app.model.loader((file) => Centroid.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as never));
      return app.model;
    };
    const trained = custom();
    await trained.train();
    await trained.save(join(dir, 'model.bin'));
    const loaded = custom();
    await loaded.load(join(dir, 'model.bin'));
    const reference = (await trainedTinyApp({ declareFeatures: false })).model;
    expect(documentOf(loaded).components).toEqual(documentOf(reference).components);
    expect(JSON.stringify(documentOf(loaded).components)).toContain('"x2"');
  });

  it('types string and boolean columns from the training data', async () => {
    const dataset = new Dataset({ targets: ['y'] });
    dataset.reader(() => DataFrame.fromRecords(Array.from({ length: 10 }, (_, i) => ({ n: i, s: `s${i}`, b: i % 2 === 0, y: i % 2 }))));
    const model = new Model({ dataset, init: () => ({}) });
    model.trainer((m) => m);
    await model.train();
    const doc = documentOf(model);
    expectValidOpenApi31(doc);
    expect(doc.components.schemas['FeatureRecord']!.properties).toEqual({
      n: { type: 'number' },
      s: { type: 'string' },
      b: { type: 'boolean' },
      y: { type: ['number', 'string', 'boolean', 'null'], description: 'a target column: accepted and ignored' },
    });
    expect(doc.paths['/predict']!['post']!.requestBody!.content['application/json']!.example).toEqual({ features: [{ n: 0, s: '', b: false }] });
  });

  it('offers only features when the dataset has no reader, and any reader arguments without a schema', () => {
    const noReader = new Model({ dataset: new Dataset({ features: ['x'] }) });
    const doc = documentOf(noReader);
    expectValidOpenApi31(doc);
    expect(doc.components.schemas['PredictRequest']).toEqual({ oneOf: [{ $ref: '#/components/schemas/FeaturesRequest' }] });
    expect(doc.components.schemas['InputsRequest']).toBeUndefined();
    expect(doc.components.schemas['Prediction']).toEqual({ description: "the predictor's output, as JSON" });

    const dataset = new Dataset({ features: ['x'] });
    dataset.reader(() => [{ x: 1 }]);
    const anyArgs = documentOf(new Model({ dataset }));
    expectValidOpenApi31(anyArgs);
    expect(anyArgs.components.schemas['ReaderArguments']).toEqual({ type: 'object', description: "the reader's arguments" });
  });

  it('leaves the features open for data that is not a table, or a custom feature loader', () => {
    const dataset = new Dataset({ tabular: false });
    const doc = documentOf(new Model({ dataset }));
    expectValidOpenApi31(doc);
    expect(doc.components.schemas['FeaturesRequest']!.properties!['features']).toEqual({
      description: "the features, as the dataset's feature loader takes them",
    });
    expect(doc.components.schemas['FeatureRecord']).toBeUndefined();

    const { dataset: custom, model } = makeTinyApp();
    custom.featureLoader((raw) => DataFrame.from(raw));
    expect(documentOf(model).components.schemas['FeatureRecord']).toBeUndefined();
  });

  it('keeps the references of recursive schemas resolvable', () => {
    interface Tree {
      label: string;
      children: Tree[];
    }
    const Tree: z.ZodType<Tree> = z.object({
      label: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const dataset = new Dataset({ features: ['x'], readerArgs: z.object({ tree: Tree }) });
    dataset.reader(() => [{ x: 1 }]);
    const model = new Model({ dataset, prediction: z.array(Tree) });
    const doc = documentOf(model);
    expectValidOpenApi31(doc);
    const prediction = doc.components.schemas['Prediction']!;
    expect(prediction.items!.$ref).toMatch(/^#\/components\/schemas\/Prediction\/\$defs\//);
    expect(resolvePointer(doc, prediction.items!.$ref!)).toMatchObject({ type: 'object', properties: { label: { type: 'string' } } });
  });
});
