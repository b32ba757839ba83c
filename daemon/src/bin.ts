#!/usr/bin/env node
/**
 * pocketdockd's entry: V8's young generation is held at its first size before the daemon's modules
 * load (young-generation.ts says why), which a static import would be too late for: every module of
 * the graph is read and compiled before the first one runs.
 */
import { holdYoungGeneration } from './young-generation.js';

holdYoungGeneration();
await import('./main.js');
