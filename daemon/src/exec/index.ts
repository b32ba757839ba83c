// exec/ — commands in containers: engine exec runs, the registry of managed execs, ring buffers, signals.
export * from './collector.js';
export * from './exec.js';
export * from './managed-exec.js';
export * from './processes.js';
export * from './ring-buffer.js';
export * from './signal.js';
export * from './survivors.js';
export * from './target.js';
export * from './utf8.js';
