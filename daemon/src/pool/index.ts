// pool/ — what many client processes share safely: leases on non-persistent containers (and their reaping).
export * from './lease-store.js';
export * from './leases.js';
