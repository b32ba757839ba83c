/**
 * V8's young generation, kept at its first size while the daemon loads. V8 doubles it whenever most
 * of what was allocated survives a scavenge, which is what loading modules and building schemas
 * does, and never gives those pages back: ~12 MB of an idle daemon's resident memory that nothing
 * uses. bin.ts holds it before it loads the rest; once the daemon listens, `growYoungGeneration`
 * gives V8 its default again, for a load that needs the room.
 */
import { setFlagsFromString } from 'node:v8';

export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** V8's default factor. */
export function growYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
