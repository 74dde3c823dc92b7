/**
 * A Flyte SDK for TypeScript (work in progress): type engine, builders, bundles, task runtime, local executor.
 * @module
 */
export {};
