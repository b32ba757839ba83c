// @pocketdock/protocol/tar — the engine's archive format, read and written by hand where bytes pass through (Node only).
export * from './blocks.js';
export * from './member.js';
export * from './still.js';
