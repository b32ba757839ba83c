// project/ — project roots named by clients: pocketdock.yaml, instance dirs, history and logs with rotation, the log_level of a project's containers, doctor.
export * from './config.js';
export * from './doctor.js';
export * from './instance.js';
export * from './logger.js';
export * from './records.js';
