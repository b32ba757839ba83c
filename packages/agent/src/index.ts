/** The in-container agent: where its binary is, its wire format, and a client for one running agent. */
export * from './binary.js';
export * from './client.js';
export * from './codec.js';
export * from './codes.js';
