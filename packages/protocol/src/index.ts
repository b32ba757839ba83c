// @pocketdock/protocol — the contract between the daemon and every client: methods, shapes, errors.
export * from './defaults.js';
export * from './engine-errors.js';
export * from './errors.js';
export * from './frames.js';
export * from './methods/index.js';
export * from './openrpc.js';
export * from './paths.js';
export * from './project.js';
export * from './types.js';
export * from './version.js';
