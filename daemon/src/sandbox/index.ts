// sandbox/ — managed containers: create, resolve, info, exec runs with in-container signals, shutdown.
export * from './exec.js';
export * from './labels.js';
export * from './lifecycle.js';
export * from './managed-exec.js';
export * from './processes.js';
export * from './profile-info.js';
export * from './sandboxes.js';
