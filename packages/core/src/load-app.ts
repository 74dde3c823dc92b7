import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '@unionml/errors';
import { AppLoadError } from './errors.js';
import { Model, type AnyModel } from './model.js';
import { kind } from './schema.js';

/** A parsed `APP:MODEL` address. */
export interface AppAddress {
  /** The module: a path such as `app`, `./src/app.ts`, or a package name. */
  module: string;
  /** The export holding the Model. Default `model`. */
  exportName: string;
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs'];
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Parses `app:model` (or `app`, meaning its `model` export). */
export function parseAppAddress(address: string): AppAddress {
  if (typeof address !== 'string' || address.trim() === '') {
    throw new AppLoadError('APP_ADDRESS_INVALID', `expected an app address like app:model, got ${JSON.stringify(address)}`, {
      hint: 'APP is the module (app.ts), MODEL its exported Model',
    });
  }
  const i = address.lastIndexOf(':');
  // "C:\\x" style drive letters and exports with path separators are not export names.
  if (i <= 0 || i === address.length - 1 || /[\\/]/.test(address.slice(i + 1)) || (i === 1 && /^[a-zA-Z]$/.test(address[0]!))) {
    if (i === address.length - 1)
      throw new AppLoadError('APP_ADDRESS_INVALID', `the app address ${address} has no export name after ':'`, { hint: 'write app:model' });
    return { module: address, exportName: 'model' };
  }
  const exportName = address.slice(i + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new AppLoadError('APP_ADDRESS_INVALID', `'${exportName}' in ${address} is not a valid export name`, {
      hint: 'write app:model, where model is the exported variable',
    });
  }
  return { module: address.slice(0, i), exportName };
}

/**
 * Finds the file of an app module, relative to `cwd`: `app` → `./app.ts`, `./app.js`, ... or `./app/index.*`;
 * otherwise a package installed for `cwd`.
 */
export function resolveAppModule(module: string, cwd = process.cwd()): string {
  const tried: string[] = [];
  const base = isAbsolute(module) ? module : resolve(cwd, module);
  const candidates = EXTENSIONS.includes(extname(module))
    ? [base]
    : [...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => join(base, `index${e}`)), base];
  for (const candidate of candidates) {
    tried.push(candidate);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  if (!module.startsWith('.') && !isAbsolute(module)) {
    try {
      return createRequire(join(cwd, 'package.json')).resolve(module);
    } catch {
      tried.push(`package '${module}' (not installed for ${cwd})`);
    }
  }
  throw new AppLoadError('APP_NOT_FOUND', `cannot find the app module '${module}' from ${cwd}; tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`, {
    hint: "run the command in the app's folder, or give a path such as ./src/app.ts:model",
  });
}

let tsxRegistered = false;

/** Imports an app module; TypeScript files load through tsx, without a build step. */
export async function importAppModule(file: string): Promise<Record<string, unknown>> {
  if (TS_EXTENSIONS.has(extname(file)) && !tsxRegistered) {
    // Lazy: only TypeScript apps pay for the loader.
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  // A top-level await that never settles leaves Node nothing to do: it exits with 13 and no word about the app.
  const onExit = (exitCode: number): void => {
    // Node 20 passes 0 here and has set process.exitCode to 13.
    if (exitCode !== 13 && process.exitCode !== 13) return;
    process.stderr.write(
      `error: the app ${file} never finished loading: a top-level await in it (or in a module it imports) waits for a promise that never settles\n  hint: make sure what the app awaits at load time resolves or rejects (add a timeout)\n`,
    );
    process.exitCode = 1;
  };
  process.once('exit', onExit);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = errorMessage(error);
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    // Node's and tsx's own errors only: an error the app throws (a rejected top-level await) may say anything.
    const commonJs =
      /^ERR_REQUIRE_(ESM|CYCLE_MODULE|ASYNC_MODULE)$/.test(code ?? '') ||
      ((error instanceof SyntaxError || Array.isArray((error as { errors?: unknown }).errors)) &&
        /outside a module|"cjs" output format|require\(\) of ES Module/i.test(message));
    throw new AppLoadError('APP_IMPORT_FAILED', `failed to load the app ${file}: ${firstLine(message)}`, {
      cause: error,
      hint: missing
        ? "install the app's dependencies (npm install) and check its import paths"
        : commonJs
          ? 'the app was loaded as CommonJS: add "type": "module" to its package.json (unionml init does), or name it app.mts'
          : 'fix the error in the app (run with --verbose for the stack)',
    });
  } finally {
    process.off('exit', onExit);
  }
}

/**
 * Loads the Model named by `APP:MODEL`: resolves the module relative to `cwd`, imports it and checks the export.
 *
 * @example
 * ```ts
 * const model = await loadModel('app:model');
 * await model.train();
 * ```
 */
export async function loadModel(address: string, options: { cwd?: string } = {}): Promise<AnyModel> {
  const { module, exportName } = parseAppAddress(address);
  const file = resolveAppModule(module, options.cwd);
  const namespace = await importAppModule(file);
  if (!(exportName in namespace)) {
    const exports = Object.keys(namespace)
      .filter((k) => k !== 'default')
      .sort();
    throw new AppLoadError(
      'APP_EXPORT_MISSING',
      `${file} has no export named '${exportName}'${exports.length ? `; it exports: ${exports.join(', ')}` : ' (it exports nothing)'}`,
      {
        hint: `export the model: export const ${exportName} = new Model({...})`,
      },
    );
  }
  const value = namespace[exportName];
  if (!Model.isModel(value)) {
    throw new AppLoadError('APP_NOT_A_MODEL', `'${exportName}' in ${file} is ${describe(value)}, not a UnionML Model`, {
      hint: `point APP:MODEL at an exported Model, e.g. app:model for \`export const model = new Model({ name, dataset, init })\``,
    });
  }
  return value;
}

function describe(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    if (name && name !== 'Object') return `a ${name}`;
  }
  return kind(value);
}

function firstLine(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim());
  return lines.slice(0, 6).join('\n');
}
