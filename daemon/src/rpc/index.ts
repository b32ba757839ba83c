// rpc/ — the protocol's method table wired to handlers, params validation, per-connection context and per-client caps.
export * from './client-caps.js';
export * from './context.js';
export * from './handlers/index.js';
export * from './router.js';
