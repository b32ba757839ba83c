// pool/ — what many client processes share safely: leases on non-persistent containers (and their reaping).
export * from './leases.js';
