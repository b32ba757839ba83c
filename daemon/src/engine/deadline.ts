/**
 * An engine that accepts a call and never answers (hung, or a proxy in front of it that stopped
 * forwarding) must not hang the caller: past a deadline the call fails typed. The request itself is
 * left to the engine's connection; the caller is answered.
 */
import { DaemonError } from '../errors.js';

/** How long the engine gets to answer a call that should be quick (create, start, inspect, list, exec, …). */
export const DEFAULT_ANSWER_MS = 30_000;

export async function answerWithin<T>(work: Promise<T>, ms: number, socketPath: string, op: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DaemonError('SocketCommunicationError', `the engine at ${socketPath} did not answer (${op}) within ${ms / 1000} s`, {
            detail: `no answer to ${op} within ${ms} ms`,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

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
