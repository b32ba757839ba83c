// session/ — persistent shells (a sentinel protocol over one exec's stdin/stdout) and terminals (TTY execs).
export * from './sentinel.js';
export * from './session.js';
export * from './sessions.js';
export * from './terminal.js';
