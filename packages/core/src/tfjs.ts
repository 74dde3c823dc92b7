// TensorFlow.js LayersModels in the default saver: saved through their own IOHandler interface (no tfjs import is
// needed for that) and loaded with the app's own copy of TensorFlow.js, found from the current folder.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SerializationError } from './errors.js';

/** A TensorFlow.js LayersModel (tf.sequential(), tf.model(), tf.loadLayersModel()...), recognised by its methods. */
export function isLayersModel(value: unknown): value is LayersModelLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['save'] === 'function' && typeof v['getWeights'] === 'function' && typeof v['summary'] === 'function' && typeof v['predict'] === 'function';
}

interface LayersModelLike {
  save(handler: { save(artifacts: Record<string, unknown>): Promise<unknown> }): Promise<unknown>;
}

/** The model's artifacts in TensorFlow.js's own format, with the weights as base64. */
export async function saveLayersModel(model: LayersModelLike): Promise<Record<string, unknown> & { weightData: string }> {
  let captured: Record<string, unknown> | undefined;
  await model.save({
    save: (artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    },
  });
  if (!captured) throw new SerializationError('the TensorFlow.js model gave no artifacts to save', 'register model.saver(...) and model.loader(...)');
  const { weightData, ...rest } = captured;
  const buffers = (Array.isArray(weightData) ? weightData : weightData ? [weightData] : []) as ArrayBuffer[];
  return { ...rest, weightData: Buffer.concat(buffers.map((b) => new Uint8Array(b))).toString('base64') };
}

const TFJS_MODULES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs', '@tensorflow/tfjs-layers'];

/** Rebuilds a LayersModel with `loadLayersModel` of the TensorFlow.js the app uses. */
export async function loadLayersModel(artifacts: Record<string, unknown>): Promise<unknown> {
  const tf = await importTfjs();
  const bytes = Buffer.from(String(artifacts['weightData']), 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel({ load: () => Promise.resolve({ ...artifacts, weightData }) });
}

async function importTfjs(): Promise<{ loadLayersModel(handler: { load(): Promise<unknown> }): Promise<unknown> }> {
  // The app's copy first (resolved from the current folder), then whichever this package can see.
  const requires = [createRequire(join(process.cwd(), 'package.json')), createRequire(import.meta.url)];
  for (const require of requires) {
    for (const name of TFJS_MODULES) {
      let path: string;
      try {
        path = require.resolve(name);
      } catch {
        continue;
      }
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const tf = (typeof module['loadLayersModel'] === 'function' ? module : module['default']) as { loadLayersModel?: unknown } | undefined;
      if (typeof tf?.loadLayersModel === 'function') return tf as never;
    }
  }
  throw new SerializationError(
    'the model file holds a TensorFlow.js model, but no TensorFlow.js package can be found from the current folder',
    `install the one the app uses (npm install ${TFJS_MODULES[2]}) and run from the app's folder`,
  );
}
