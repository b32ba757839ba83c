/**
 * The one place exec.output and exec.exit notifications arrive on a connection. Every subscriber
 * (callbacks, Session.onOutput, ExecStream, Terminal) gets a subscription id of its own, named in
 * the call that subscribes it (so notifications that beat the answer are routed too); the daemon
 * keeps a cursor and a lossless flag per id and tags each notification with it. The router hands
 * each notification to its subscriber, which also keeps its own cursor: a chunk repeated by a
 * re-subscription from an earlier offset reaches it once. When the connection drops and the
 * transport reconnects, every subscriber is subscribed again from its cursor (ExecSubscription.resume).
 */
import type { ExecExit, ExecOutput, StreamName } from '@pocketdock/protocol';
import type { Resumption, RpcTransport } from './channel.js';
import { DaemonClosedError } from './errors.js';

export type Offsets = Record<StreamName, number>;

export interface ExecListener {
  /** Bytes past this subscriber's cursor (a chunk that overlaps it is cut at it); `bytes`: `n.data` as UTF-8, when it came so. */
  output?(n: ExecOutput, bytes?: Uint8Array): void;
  /** The exec ended; the subscription is over. */
  exit?(n: ExecExit): void;
  /** The subscription could not be resumed on a new connection (ProcessLost: the daemon restarted without it); it is over. */
  fail?(err: unknown): void;
}

export class ExecSubscription {
  /** The next byte offset of each stream this subscriber has not seen. */
  readonly offsets: Offsets;
  private open = true;

  /** @internal */
  constructor(
    private readonly router: ExecRouter,
    readonly execId: string,
    readonly id: string,
    private readonly listener: ExecListener,
    from: Offsets,
    readonly lossless: boolean,
  ) {
    this.offsets = { ...from };
  }

  /** Stops routing to this subscriber (the daemon's side ends with the exec, or by unsubscribe()). */
  close(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.router.remove(this);
    return true;
  }

  /** Stops following: this subscriber leaves, on both sides. The command itself keeps running. */
  async unsubscribe(): Promise<void> {
    if (this.close() && !this.router.transport.signal.aborted) {
      await this.router.transport.call('exec.unsubscribe', { execId: this.execId, subscription: this.id }).catch(() => undefined);
    }
  }

  /**
   * @internal Subscribes again on a new connection from this subscriber's cursor, so that nothing is
   * lost or repeated; a restarted daemon's offsets start again at 0. A DaemonClosedError (the new
   * connection dropped too) is left to the transport, which tries again.
   */
  async resume({ call, restarted }: Resumption): Promise<void> {
    if (!this.open) return;
    if (restarted) this.offsets.stdout = this.offsets.stderr = 0;
    const params = { execId: this.execId, offsets: { ...this.offsets }, lossless: this.lossless, subscription: this.id };
    await call('exec.subscribe', params).catch((err: unknown) => {
      if (err instanceof DaemonClosedError) throw err;
      if (this.close()) this.listener.fail?.(err);
    });
  }

  /** @internal */
  deliver(n: ExecOutput, raw?: Uint8Array): void {
    const cursor = this.offsets[n.stream];
    if (!this.open || n.next <= cursor) return;
    this.offsets[n.stream] = n.next;
    if (n.offset >= cursor) return this.listener.output?.(n, raw);
    // The daemon cuts chunks at character boundaries and a cursor is always some chunk's end.
    const rest = (raw ?? bytes.encode(n.data)).subarray(cursor - n.offset);
    this.listener.output?.({ ...n, offset: cursor, data: utf8.decode(rest), lost: undefined }, rest);
  }

  /** @internal */
  end(n: ExecExit): void {
    if (!this.close()) return;
    this.listener.exit?.(n);
  }
}

const bytes = new TextEncoder();
const utf8 = new TextDecoder();

export class ExecRouter {
  /** By subscription id: ids are unique on the connection, whatever the exec. */
  private readonly subscribers = new Map<string, ExecSubscription>();
  private unlisten: (() => void)[] = [];
  private nextId = 1;

  /** @internal Use execRouter(transport): one router per connection. */
  constructor(readonly transport: RpcTransport) {
    transport.resumable(() => {
      // Those who subscribed before the drop; one added since subscribes with its own call, which waits for the new connection.
      const subs = [...this.subscribers.values()];
      return subs.length ? async (r) => void (await Promise.all(subs.map((sub) => sub.resume(r)))) : undefined;
    });
  }

  /**
   * Routes the exec's notifications to `listener` from `from` on (default: from the first byte).
   * `lossless`: what the call that subscribes says, said again when a reconnect subscribes again.
   */
  add(execId: string, listener: ExecListener, from: Partial<Offsets> = {}, lossless = false): ExecSubscription {
    const offsets = { stdout: from.stdout ?? 0, stderr: from.stderr ?? 0 };
    const sub = new ExecSubscription(this, execId, `s${this.nextId++}`, listener, offsets, lossless);
    this.subscribers.set(sub.id, sub);
    if (this.unlisten.length === 0) {
      this.unlisten = [
        this.transport.on('exec.output', (n, raw) => this.of(n)?.deliver(n, raw)),
        this.transport.on('exec.exit', (n) => this.of(n)?.end(n)),
      ];
    }
    return sub;
  }

  /** @internal */
  remove(sub: ExecSubscription): void {
    this.subscribers.delete(sub.id);
    // Listening holds the process open: only while someone follows an exec.
    if (this.subscribers.size === 0) for (const fn of this.unlisten.splice(0)) fn();
  }

  private of(n: { execId: string; subscription: string }): ExecSubscription | undefined {
    const sub = this.subscribers.get(n.subscription);
    return sub?.execId === n.execId ? sub : undefined;
  }
}

const routers = new WeakMap<RpcTransport, ExecRouter>();

/** The connection's router. */
export function execRouter(transport: RpcTransport): ExecRouter {
  let router = routers.get(transport);
  if (!router) routers.set(transport, (router = new ExecRouter(transport)));
  return router;
}
