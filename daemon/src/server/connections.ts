/** The WebSockets open on every listener: what a daemon-wide notification (daemon.stopping) goes to. */
import type { NotificationName, NotificationParams } from '@pocketdock/protocol';
import type { Outbox } from './outbox.js';

export class Connections {
  private readonly open = new Set<Outbox>();

  add(outbox: Outbox): () => void {
    this.open.add(outbox);
    return () => this.open.delete(outbox);
  }

  get size(): number {
    return this.open.size;
  }

  notifyAll<N extends NotificationName>(method: N, params: Omit<NotificationParams<N>, 'data'>): void {
    for (const o of this.open) o.notify(method, params);
  }
}
