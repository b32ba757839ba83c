// server/ — fastify listeners (Unix socket and loopback TCP), TCP auth, the static dashboard, socket file handling.
export * from './app.js';
export * from './auth.js';
export * from './connections.js';
export * from './dashboard.js';
export * from './unix-socket.js';
