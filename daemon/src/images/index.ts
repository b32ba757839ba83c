// images/ — image profiles, their content hash, the base image, and building them on the engine.
export * from './base.js';
export * from './ensure.js';
export * from './hash.js';
export * from './profiles.js';
