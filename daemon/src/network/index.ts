// network/ — the network sandboxes join, and the firewall rules the daemon owns for it.
export * from './config.js';
export * from './firewall.js';
export * from './sandbox-network.js';
