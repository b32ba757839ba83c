// rpc/ — the protocol's method table wired to handlers, params validation, per-connection context.
export * from './context.js';
export * from './handlers/index.js';
export * from './router.js';
