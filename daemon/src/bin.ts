#!/bin/sh
//bin/sh -c :; exec node --no-concurrent-recompilation "$0" "$@"
/**
 * pocketdockd's entry: V8's young generation is held at its first size and its optimising compilers
 * off before the daemon's modules load (young-generation.ts and optimizers.ts say why), which a static
 * import would be too late for: every module of the graph is read and compiled before the first one runs.
 *
 * Run as a program (`pocketdockd` on PATH, the systemd units), the file is read by sh first, and the
 * line above starts node with the daemon's node flags, package.json's `nodeFlags` (a unit test keeps
 * the two the same; the launchers that start node themselves pass that list). For node that line is
 * a comment; for sh, a no-op through the one program it surely has (a NixOS /bin has no `true`),
 * then node. V8 reads these flags only as it starts, and `#!/usr/bin/env node` cannot carry them
 * everywhere (`env -S` is not in busybox). The one there: TurboFan compiles on the main thread
 * instead of a background one, whose memory stayed resident after a burst of work (4-6 MB of the
 * 13-21 MB the daemon kept over idle after the exec-run bench), no slower in the benches.
 */
import { holdOptimizers } from './optimizers.js';
import { holdYoungGeneration } from './young-generation.js';

holdYoungGeneration();
holdOptimizers();
await import('./main.js');
