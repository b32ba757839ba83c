// exec/ — commands in containers: runs through the container's agent or engine execs, the registry of managed execs, ring buffers, signals.
export * from './agents.js';
export * from './collector.js';
export * from './doors.js';
export * from './exec.js';
export * from './managed-exec.js';
export * from './processes.js';
export * from './ring-buffer.js';
export * from './run.js';
export * from './settle.js';
export * from './signal.js';
export * from './start-run.js';
export * from './survivors.js';
export * from './target.js';
export * from './utf8.js';
