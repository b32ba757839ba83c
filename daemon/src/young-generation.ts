/**
 * V8's young generation, kept at its first size while the daemon loads. V8 doubles it whenever most
 * of what was allocated survives a scavenge, which is what loading modules and building schemas
 * does, and never gives those pages back: ~12 MB of an idle daemon's resident memory that nothing
 * uses. bin.ts holds it before it loads the rest; once the daemon listens, `growYoungGeneration`
 * gives V8 its default again, for a load that needs the room.
 *
 * V8's size-over-speed mode (--optimize-for-size) is on for the load too: an idle daemon then holds
 * 1 MB of young generation instead of 2-4 and a little less old space, 1.6 MB less resident memory
 * (60.1 → 58.5 MB, median of 5, interleaved twice). Left on, it would keep trading speed for size.
 */
import { setFlagsFromString } from 'node:v8';

export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1 --optimize-for-size');
}

/** V8's defaults. */
export function growYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=2 --no-optimize-for-size');
}

/**
 * Room above the live old generation before V8 marks it again: three times what survives instead of
 * V8's own ~1.6x. The daemon's live heap is small (~17 MB), and with the young generation grown to
 * its default size V8 counted the room left under that tighter limit as too little for one
 * scavenge's survivors, so it kept incremental marking going as long as anything streamed: a 100 MB
 * stream or a 200 MB file ran 10 to 40 full collections (a third of the daemon's CPU), 2 or 3 with
 * this. Resident memory after those runs stays as before (measured 128 MB either way).
 */
export function roomierOldGeneration(): void {
  setFlagsFromString('--heap-growing-percent=200');
}
