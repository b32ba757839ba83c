// engine/ — socket discovery, dockerode calls and stream demux; nothing else in the daemon talks to dockerode.
export * from './deadline.js';
export * from './demux.js';
export * from './discovery.js';
export * from './engine.js';
export * from './errors.js';
export * from './images.js';
export * from './registry.js';
export * from './shapes.js';
