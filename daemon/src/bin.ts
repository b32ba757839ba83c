#!/usr/bin/env node
/**
 * pocketdockd's entry: V8's young generation is held at its first size and its optimising compilers
 * off before the daemon's modules load (young-generation.ts and optimizers.ts say why), which a static
 * import would be too late for: every module of the graph is read and compiled before the first one runs.
 */
import { holdOptimizers } from './optimizers.js';
import { holdYoungGeneration } from './young-generation.js';

holdYoungGeneration();
holdOptimizers();
await import('./main.js');
