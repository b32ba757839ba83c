// project/ — project roots named by clients: pocketdock.yaml, instance dirs, history and logs with rotation, doctor.
export * from './config.js';
export * from './doctor.js';
export * from './instance.js';
export * from './records.js';
