// files/ — file.*: writing, reading, listing and tar transfers through the engine's archive API, in chunks.
export * from './files.js';
