/**
 * Per-client caps on what outlives a call: running execs, open sessions, running terminals and open
 * transfers. A client is its resume token, so reconnecting gives no fresh budget: a WebSocket before
 * daemon.hello is that connection alone, and plain HTTP calls without the resume-token header share
 * one budget per listener. A slot is booked before anything starts (over the cap: LimitExceeded,
 * nothing started) and given back when what it holds ends, or at once when the start fails.
 */
import type { ExecKind } from '@pocketdock/protocol';
import { limitExceeded } from '../errors.js';
import type { Limits } from '../config.js';
import type { CallContext } from './context.js';

export type Capped = 'execs' | 'sessions' | 'terminals' | 'transfers';

export type ClientLimits = Pick<Limits, 'maxExecsPerClient' | 'maxSessionsPerClient' | 'maxTerminalsPerClient' | 'maxTransfersPerClient'>;

const LIMIT_OF: Record<Capped, keyof ClientLimits> = {
  execs: 'maxExecsPerClient',
  sessions: 'maxSessionsPerClient',
  terminals: 'maxTerminalsPerClient',
  transfers: 'maxTransfersPerClient',
};

const WHAT: Record<Capped, string> = {
  execs: 'running execs',
  sessions: 'open sessions',
  terminals: 'running terminals',
  transfers: 'open transfers',
};

/** What cap a registered exec of each kind counts against (a blocking run's slot ends with its call). */
export const CAP_OF_EXEC: Record<Exclude<ExecKind, 'run'>, Capped> = {
  process: 'execs',
  stream: 'execs',
  session: 'sessions',
  terminal: 'terminals',
};

/** Who a cap counts for: the caller's resume token, or every token-less HTTP caller of its listener together. */
export const clientOf = (ctx: CallContext): string => ctx.peer.token ?? `${ctx.transport}:http`;

export class ClientCaps {
  private readonly held = new Map<string, number>();
  /** What a slot already holds: a retried start that answers the same exec or session books nothing more. */
  private readonly counted = new WeakSet<object>();

  constructor(private readonly limits: ClientLimits) {}

  /**
   * Books a slot of `kind` for the caller, then starts; the slot is held until `ended` of what
   * started settles.
   */
  async hold<T extends object>(
    ctx: CallContext,
    kind: Capped,
    start: () => Promise<T>,
    ended: (started: T) => Promise<unknown>,
  ): Promise<T> {
    const key = `${kind} ${clientOf(ctx)}`;
    const max = this.limits[LIMIT_OF[kind]];
    const now = this.held.get(key) ?? 0;
    if (now >= max)
      throw limitExceeded(
        LIMIT_OF[kind],
        `this client has ${now} ${WHAT[kind]}, the most one client may have (${max}): wait for one to end`,
      );
    const release = this.book(key);
    let started: T;
    try {
      started = await start();
    } catch (err) {
      release();
      throw err;
    }
    if (this.counted.has(started)) {
      release();
      return started;
    }
    this.counted.add(started);
    ended(started).then(release, release);
    return started;
  }

  /**
   * Counts again, for `client` (clientOf), what it held before the daemon restarted and the new one
   * took back: no cap is checked (it was booked within it), the slot is given back when `ended` settles.
   */
  restore(client: string, kind: Capped, started: object, ended: Promise<unknown>): void {
    const release = this.book(`${kind} ${client}`);
    this.counted.add(started);
    ended.then(release, release);
  }

  /** Takes a slot under `key`; the function returned gives it back (once, however often it is called). */
  private book(key: string): () => void {
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }
}
