// container/ — managed containers: create (plan, engine options, labels, names), resolve, info, lifecycle.
export * from './containers.js';
export * from './labels.js';
export * from './policy.js';
export { formatBytes } from './format.js';
export * from './stats.js';
export * from './watch.js';
