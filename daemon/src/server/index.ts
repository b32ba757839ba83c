// server/ — fastify listeners (Unix socket and loopback TCP, their own or passed by systemd), TCP auth, the static dashboard, socket file handling.
export * from './app.js';
export * from './activation.js';
export * from './auth.js';
export * from './connections.js';
export * from './dashboard.js';
export * from './unix-socket.js';
