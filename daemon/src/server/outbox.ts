/**
 * Notifications to one WebSocket, with a count of the bytes handed to it and not yet written out:
 * what lets exec output wait for a slow client instead of piling up in the daemon.
 */
import type { NotifyQueue } from '../rpc/index.js';

interface Sendable {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string, cb: (err?: Error) => void): void;
}

/** Queue size at which waiting output is released again. */
const LOW_WATER = 256 * 1024;

export class Outbox implements NotifyQueue {
  private bytes = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly socket: Sendable) {}

  get queued(): number {
    return this.bytes;
  }

  send(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const n = text.length;
    this.bytes += n;
    // Called once the frame is written, or with an error when the socket closes: both free it.
    this.socket.send(text, () => {
      this.bytes -= n;
      if (this.bytes <= LOW_WATER && this.waiters.length) {
        const ws = this.waiters;
        this.waiters = [];
        for (const fn of ws) fn();
      }
    });
  }

  drained(): Promise<void> {
    if (this.bytes <= LOW_WATER) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
