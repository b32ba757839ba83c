// @pocketdock/protocol — the contract between the daemon and every client: methods, shapes, errors.
export * from './constants.js';
export * from './defaults.js';
export * from './engine-errors.js';
export * from './errors.js';
export * from './frames.js';
// What methods/*.ts and types.ts declare with TypeBox is exported as types only: the schemas' values are
// schemas.ts's JSON, and a plain value (a name list, a limit) that must be importable goes in constants.ts.
export type * from './methods/index.js';
export * from './openrpc.js';
export * from './paths.js';
export * from './project.js';
export { METHODS, NOTIFICATIONS } from './schemas.js';
export type * from './types.js';
export * from './version.js';
