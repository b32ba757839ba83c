/**
 * Seeking a new connection after one dropped: attempts with a bounded backoff (at once, then from
 * 100 ms doubling to 2 s), for as long as the daemon keeps this client's leases — the grace period
 * its hello announced — or the caller's `timeoutMs`. A daemon that refuses the client (Unauthorized)
 * ends it at once: asking again will not change its answer.
 */
import { Unauthorized } from './errors.js';

export interface ReconnectOptions {
  /** Give up after this long without a connection (default: the lease grace the daemon announced, else 30 s). */
  timeoutMs?: number;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2000;
const MAX_ATTEMPT_MS = 5000;
const DEFAULT_TIMEOUT_MS = 30_000;

export type LoopOutcome = { attempts: number; restarted: boolean } | { gaveUp: string } | { stopped: true };

export interface LoopOptions extends ReconnectOptions {
  /** The daemon's lease grace in ms, when its hello said it. */
  grace: number | undefined;
  /**
   * One try, given the time it may take to connect: resolves once the new connection has taken
   * over (whether the daemon restarted), or false when it should stop; rejects to be tried again.
   */
  attempt: (timeoutMs: number) => Promise<{ restarted: boolean } | false>;
}

export function reconnectLoop(o: LoopOptions): { done: Promise<LoopOutcome>; stop(): void } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      // Whoever waits for the connection keeps the process alive (Transport), not the loop.
      const timer = setTimeout(resolve, ms).unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<LoopOutcome> => {
    const deadline = Date.now() + (o.timeoutMs ?? o.grace ?? DEFAULT_TIMEOUT_MS);
    let last = 'no attempt in time';
    for (let attempts = 0, delay = 0; ; delay = Math.min(Math.max(delay * 2, FIRST_DELAY_MS), MAX_DELAY_MS)) {
      if (delay > 0) await pause(Math.min(delay, Math.max(0, deadline - Date.now())));
      const left = deadline - Date.now();
      if (stopped) return { stopped: true };
      if (left <= 0) return { gaveUp: `${attempts} attempts in ${o.timeoutMs ?? o.grace ?? DEFAULT_TIMEOUT_MS} ms; the last: ${last}` };
      attempts++;
      try {
        const took = await o.attempt(Math.min(left, MAX_ATTEMPT_MS));
        if (took === false || stopped) return { stopped: true };
        return { attempts, restarted: took.restarted };
      } catch (err) {
        last = (err as Error).message;
        if (err instanceof Unauthorized) return { gaveUp: last };
      }
    }
  };

  return {
    done: run(),
    stop: () => {
      stopped = true;
      wake?.();
    },
  };
}
