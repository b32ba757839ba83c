/**
 * Builds on behalf of many callers: a profile already being built is not built twice — later
 * callers join the running build and get its remaining progress — and the daemon runs one build
 * at a time, so that two heavy builds never share the CPU and the base is bootstrapped once.
 */
import type { Engine } from '../engine/index.js';
import type { ImageProgress } from '../engine/images.js';
import { ensureImage, type EnsureResult } from './ensure.js';

type Listener = (p: ImageProgress) => void;

interface Running {
  listeners: Set<Listener>;
  result: Promise<EnsureResult>;
}

export class ImageBuilds {
  private readonly running = new Map<string, Running>();
  private tail: Promise<unknown> = Promise.resolve();

  /** Makes `profile`'s image current; `onProgress` hears the build until `signal` aborts. */
  ensure(engine: Engine, profile: string, opts: { force?: boolean; onProgress?: Listener; signal?: AbortSignal }): Promise<EnsureResult> {
    const key = `${engine.socketPath}\0${profile}`;
    let run = this.running.get(key);
    if (!run) {
      const listeners = new Set<Listener>();
      const result = ensureImage(engine, profile, {
        force: opts.force,
        onProgress: (p) => listeners.forEach((fn) => fn(p)),
        exclusive: (build) => this.oneAtATime(build),
      }).finally(() => this.running.delete(key));
      run = { listeners, result };
      this.running.set(key, run);
    }
    const { onProgress, signal } = opts;
    if (onProgress && !signal?.aborted) {
      const listeners = run.listeners;
      listeners.add(onProgress);
      const stop = () => listeners.delete(onProgress);
      signal?.addEventListener('abort', stop, { once: true });
      void run.result
        .finally(() => {
          stop();
          signal?.removeEventListener('abort', stop);
        })
        .catch(() => undefined);
    }
    return run.result;
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
