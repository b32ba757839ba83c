/** What a handler knows about the caller: which listener it came through, and how to notify it. */
import type { SendNotification } from '@pocketdock/protocol';
import type { Caller } from '../container/index.js';
import type { Logger } from '../log.js';
import type { Peer } from '../pool/index.js';

/** What the listeners tell about their callers, for leases: WebSockets opening and closing, POST calls. */
export interface PeerTracker {
  connected(peer: Peer): unknown;
  disconnected(peer: Peer): void;
  called(peer: Peer): void;
}

export type Transport = 'unix' | 'tcp';

export interface CallContext {
  readonly connectionId: string;
  readonly transport: Transport;
  /** Who calls, as far as leases care: daemon.hello may change it for the rest of a WebSocket. */
  readonly peer: Peer;
  readonly log: Logger;
  /**
   * Sends a notification to this caller; undefined for plain HTTP callers, who poll instead.
   * `payload`: the UTF-8 bytes of its `data` param, raw in a binary frame when the connection opted in.
   */
  readonly notify: SendNotification | undefined;
  /** Aborted when the caller's connection closes. */
  readonly signal: AbortSignal;
  /** How much of what was notified is still queued on the connection; undefined with `notify`. */
  readonly queue?: NotifyQueue;
}

export interface NotifyQueue {
  /** Bytes notified and not yet written to the connection. */
  readonly queued: number;
  /** Resolves once the queue has drained to a low mark. */
  drained(): Promise<void>;
}

/** Who the caller is to the host policy (container/policy.ts): TCP token holders are not trusted with the host. */
export const callerOf = (ctx: CallContext): Caller => ({ tcp: ctx.transport === 'tcp' });
