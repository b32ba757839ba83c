/**
 * What a connection said that a new one must say again after a reconnect: its daemon.hello (the
 * resume token that holds its leases) and its container watches. Both are idempotent, so saying them
 * twice is harmless; nothing else is ever replayed (a call in flight may have run its command).
 */
import type { MethodName, ResultOf } from '@pocketdock/protocol';
import type { RpcTransport } from './channel.js';
import { DaemonClosedError } from './errors.js';

type Watch = 'container.watch' | 'container.watchStats';
const WATCHES: Partial<Record<MethodName, { watch: Watch; on: boolean }>> = {
  'container.watch': { watch: 'container.watch', on: true },
  'container.unwatch': { watch: 'container.watch', on: false },
  'container.watchStats': { watch: 'container.watchStats', on: true },
  'container.unwatchStats': { watch: 'container.watchStats', on: false },
};

export class Replay {
  private hello: { params: unknown; result: ResultOf<'daemon.hello'> } | undefined;
  private readonly watches = new Map<string, { method: Watch; params: unknown }>();

  /** The lease grace the daemon announced in its last hello, in ms. */
  get leaseGraceMs(): number | undefined {
    return this.hello && this.hello.result.leaseGraceSeconds * 1000;
  }

  /** The largest message the daemon announced in its last hello that it reads (older daemons say nothing). */
  get maxMessageBytes(): number | undefined {
    return this.hello?.result.maxMessageBytes;
  }

  /** A call that succeeded: kept when it is one to say again. */
  record(method: MethodName, params: unknown, result: unknown): void {
    if (method === 'daemon.hello') {
      this.hello = { params, result: result as ResultOf<'daemon.hello'> };
      return;
    }
    const w = WATCHES[method];
    if (!w) return;
    const key = `${w.watch} ${JSON.stringify(params)}`;
    if (w.on) this.watches.set(key, { method: w.watch, params });
    else this.watches.delete(key);
  }

  /** Says it all again on a new connection; answers whether the daemon restarted meanwhile. */
  async replay(call: RpcTransport['call']): Promise<boolean> {
    let restarted = false;
    if (this.hello) {
      const before = this.hello.result;
      const now = await call('daemon.hello', this.hello.params as never);
      restarted = now.instance !== before.instance;
    }
    for (const [key, w] of this.watches) {
      // A container that has gone or stopped meanwhile is watched no longer (as its watch would have ended).
      await call(w.method, w.params as never).catch((err: unknown) => {
        if (err instanceof DaemonClosedError) throw err;
        this.watches.delete(key);
      });
    }
    return restarted;
  }
}
