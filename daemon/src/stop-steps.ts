/**
 * The steps of a daemon's stop, each named in the log when it is slow: a stop that hangs says what
 * it waits on (an engine that no longer answers, a connection that never ends) instead of nothing.
 */
import type { Logger } from './log.js';

/** How long a step may take, past what it is allowed, before the log names it. */
const SLOW_STEP_MS = 5_000;

export class StopSteps {
  constructor(private readonly log: Logger) {}

  /** Runs `step`; `allowedMs` is how long it may take by design (a grace period it waits out). */
  async run<T>(name: string, step: () => Promise<T>, allowedMs = 0): Promise<T> {
    const started = Date.now();
    const slow = setInterval(
      () => this.log.warn({ step: name, waitingMs: Date.now() - started }, 'stopping: still waiting on this step'),
      allowedMs + SLOW_STEP_MS,
    ).unref();
    try {
      return await step();
    } finally {
      clearInterval(slow);
    }
  }
}
