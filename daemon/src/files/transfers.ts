/**
 * Open uploads and downloads by id. A transfer lives until it finishes, is cancelled, sits idle
 * too long, or — when it was opened over a WebSocket — its connection closes; then it releases
 * its engine stream. Plain HTTP callers have no lasting connection, so only the idle timer
 * cleans up after them.
 */
import { randomUUID } from 'node:crypto';
import { DaemonError, invalidParams } from '../errors.js';
import type { CallContext } from '../rpc/context.js';

export interface Transfer {
  /** Releases what the transfer holds; calls still waiting fail with `reason`. */
  close(reason: Error): void;
}

export const IDLE_TIMEOUT_MS = 60_000;

interface Entry {
  transfer: Transfer;
  timer: NodeJS.Timeout;
  /** The open transfers of the WebSocket connection this one belongs to. */
  connection: Set<string> | undefined;
}

export class Transfers {
  private readonly open = new Map<string, Entry>();
  /** One abort listener per connection, however many transfers it opens. */
  private readonly connections = new WeakMap<AbortSignal, Set<string>>();

  constructor(private readonly idleMs = IDLE_TIMEOUT_MS) {}

  get size(): number {
    return this.open.size;
  }

  add(prefix: string, transfer: Transfer, ctx: CallContext): string {
    const id = `${prefix}-${randomUUID()}`;
    const connection = ctx.notify === undefined ? undefined : this.connectionOf(ctx.signal);
    connection?.add(id);
    this.open.set(id, { transfer, timer: this.idleTimer(id), connection });
    if (connection && ctx.signal.aborted) this.closeConnection(connection);
    return id;
  }

  /** The open transfer `id` of class `kind`; each use restarts its idle timer. */
  get<T extends Transfer>(id: string, kind: new (...args: never[]) => T, field: string): T {
    const entry = this.open.get(id);
    if (!entry || !(entry.transfer instanceof kind)) throw invalidParams(field, `"${id}" is not an open transfer (finished, cancelled or timed out)`);
    entry.timer.refresh();
    return entry.transfer;
  }

  /** Forgets a transfer and releases it; unknown ids are ignored. */
  close(id: string, reason: Error): void {
    const entry = this.open.get(id);
    if (!entry) return;
    this.open.delete(id);
    clearTimeout(entry.timer);
    entry.connection?.delete(id);
    entry.transfer.close(reason);
  }

  private connectionOf(signal: AbortSignal): Set<string> {
    let ids = this.connections.get(signal);
    if (!ids) {
      const created = new Set<string>();
      this.connections.set(signal, (ids = created));
      signal.addEventListener('abort', () => this.closeConnection(created), { once: true });
    }
    return ids;
  }

  private closeConnection(ids: Set<string>): void {
    for (const id of [...ids]) this.close(id, new DaemonError('PocketDockError', `transfer ${id} abandoned: its connection closed`));
  }

  closeAll(reason: Error): void {
    for (const id of [...this.open.keys()]) this.close(id, reason);
  }

  private idleTimer(id: string): NodeJS.Timeout {
    return setTimeout(() => this.close(id, new DaemonError('PocketDockError',
      `transfer ${id} abandoned: idle for ${this.idleMs / 1000} s`)), this.idleMs).unref();
  }
}
