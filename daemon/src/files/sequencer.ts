/**
 * Runs the chunk calls of one transfer one at a time in `seq` order, whatever order they arrive
 * in: a client keeps several in flight, and the WebSocket does not promise handler order.
 */
import { TRANSFER_WINDOW } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';

interface Waiter { resolve: () => void; reject: (err: Error) => void }

export class Sequencer {
  /** Calls 0 … done-1 have finished. */
  private done = 0;
  private readonly arrived = new Set<number>();
  private readonly waiting = new Map<number, Waiter>();
  private failure: Error | undefined;

  async run<T>(seq: number, fn: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    if (seq < this.done || this.arrived.has(seq)) throw invalidParams('seq', `${seq} was already sent`);
    if (seq >= this.done + TRANSFER_WINDOW) {
      throw invalidParams('seq', `${seq} is more than ${TRANSFER_WINDOW} chunks ahead of ${this.done}`);
    }
    this.arrived.add(seq);
    if (seq !== this.done) await new Promise<void>((resolve, reject) => this.waiting.set(seq, { resolve, reject }));
    try {
      return await fn();
    } finally {
      this.arrived.delete(seq);
      this.done++;
      const next = this.waiting.get(this.done);
      this.waiting.delete(this.done);
      next?.resolve();
    }
  }

  /** Rejects every waiting call, and every later one, with `err`. */
  fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
