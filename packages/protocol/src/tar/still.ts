/**
 * How long an archive transfer may stay still: the engine that keeps one still for its deadline is
 * given up on, by the daemon (its own transfers) and by a client (the bytes it moves with the
 * engine itself, `direct`), alike.
 */

/** What a watched transfer tells its watch (`stillFor`). */
export interface Movement {
  /** A count that grows while the bytes move (bytes so far). */
  moved(): number;
  /** True while the engine is the one to move next: nothing waits on the other side. */
  enginesTurn(): boolean;
}

/** Looks a watched transfer is given in `ms`: it is failed after this many in a row found it still. */
const LOOKS = 4;

/**
 * Calls `stalled` once the engine has kept a transfer still for `ms`: its turn the whole time, and
 * nothing moved. A transfer still because of its other side (a reader behind, a sender with nothing
 * yet) is not the engine's doing and is left alone. Returns the function that ends the watch.
 */
export function stillFor(ms: number, movement: Movement, stalled: () => void): () => void {
  let last = movement.moved();
  let still = 0;
  const look = setInterval(() => {
    const moved = movement.moved();
    if (moved !== last || !movement.enginesTurn()) {
      last = moved;
      still = 0;
    } else if (++still >= LOOKS) {
      clearInterval(look);
      stalled();
    }
  }, ms / LOOKS).unref();
  return () => clearInterval(look);
}
