// files/ — file.*: writing, reading, listing and tar transfers through the engine's archive API; uploads and downloads are opened here and their bytes stream over HTTP (server/transfer-route.ts).
export * from './files.js';
