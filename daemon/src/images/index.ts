// images/ — image profiles, their build context and content hash, the base image, building them on the engine, archives.
export * from './base.js';
export * from './context.js';
export * from './ensure.js';
export * from './hash.js';
export * from './profiles.js';
export * from './service.js';
export * from './profile-info.js';
