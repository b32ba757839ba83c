// server/ — fastify listeners (Unix socket and loopback TCP), TCP auth, socket file handling.
export * from './app.js';
export * from './auth.js';
export * from './connections.js';
export * from './unix-socket.js';
