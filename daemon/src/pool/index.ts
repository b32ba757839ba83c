// pool/ — what many client processes share safely: leases on non-persistent containers (and their reaping), the warm pool.
export * from './leases.js';
export * from './warm.js';
