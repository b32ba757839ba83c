/**
 * Leases: every non-persistent container belongs to the client that created it (its resume token),
 * so that a client that dies does not leave sandboxes running forever, as testcontainers' reaper
 * does. A holder is "connected" while it has a WebSocket open; when its last one closes — or, for a
 * POST /rpc client, after its last call — a grace period starts, and when it runs out the holder's
 * containers are removed. A connection (or call) with the same token inside the grace keeps them.
 * A holder with a create in flight is never reaped before that create is over. Persistent
 * containers carry no lease. The leases live in the state dir, so a restarted daemon gives every
 * holder a fresh grace period instead of forgetting them.
 */
import { RESUME_TOKEN_HEADER, type ContainerHandle, type Lease } from '@pocketdock/protocol';
import { DaemonError, invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import { StateFile, hasStrings } from '../state-file.js';

/** A leased container: where it lives, and how it is named in logs. */
export interface LeaseTarget {
  containerId: string;
  socketPath: string;
  name: string;
}

/** A lease as the state dir keeps it. */
export interface StoredLease extends LeaseTarget {
  /** The holder's resume token. */
  token: string;
  /** The holder's client name. */
  client: string;
}

export const LEASES_FILE = 'leases.json';

/** Removes a container whose lease ran out. */
export type Reap = (target: LeaseTarget) => Promise<void>;

/** Told which containers' leases changed hands or state (held, holder away or back, released, adopted). */
export type LeaseListener = (targets: LeaseTarget[]) => void;

/** Who calls: the token its leases are held by (none: a POST /rpc call without one) and its name. */
export interface Peer {
  token: string | undefined;
  client: string;
}

/** How long a failed reap waits before it is tried again (the engine may be back by then). */
const RETRY_MS = 5000;
/** The holder name of a container nobody holds after container.release. */
const RELEASED = 'released';

interface Holder {
  readonly token: string;
  client: string;
  /** WebSockets open with this token. */
  connections: number;
  /** Creates in flight for this holder: while any is, the holder is not reaped. */
  creating: number;
  /** Set while the grace runs. */
  expiresAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The grace ran out while a create was in flight: reap once it is over. */
  overdue: boolean;
}

interface Held {
  target: LeaseTarget;
  token: string;
}

export class Leases {
  private readonly holders = new Map<string, Holder>();
  private readonly held = new Map<string, Held>();
  private store: StateFile<StoredLease> | undefined;
  private listener: LeaseListener = () => undefined;

  constructor(
    private readonly reap: Reap,
    readonly graceMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Takes over the leases a previous daemon left in the state dir: each holder gets a fresh grace
   * period to come back. From then on every change is written there.
   */
  restore(stateDir: string): number {
    this.store = StateFile.inStateDir(
      stateDir,
      LEASES_FILE,
      () => this.snapshot(),
      hasStrings<StoredLease>('containerId', 'socketPath', 'name', 'token', 'client'),
    );
    const stored = this.store.load();
    for (const l of stored) {
      this.held.set(l.containerId, { target: { containerId: l.containerId, socketPath: l.socketPath, name: l.name }, token: l.token });
      this.holder(l.token, l.client);
    }
    for (const h of this.holders.values()) this.startGrace(h);
    if (stored.length)
      this.log.info({ leases: stored.length, holders: this.holders.size }, 'leases restored: a grace period for every holder');
    return stored.length;
  }

  /** `listener` hears of every change container.list would show in a lease (not of a POST holder's renewals). */
  onChange(listener: LeaseListener): void {
    this.listener = listener;
  }

  /** What the store writes. */
  snapshot(): StoredLease[] {
    return [...this.held.values()].map(({ target, token }) => ({ ...target, token, client: this.holders.get(token)?.client ?? '' }));
  }

  /** A WebSocket of `peer` opened: its leases stop expiring. Answers whether the token held leases already. */
  connected(peer: Peer): boolean {
    if (peer.token === undefined) return false;
    const known = this.holders.has(peer.token);
    const h = this.holder(peer.token, peer.client);
    h.connections++;
    this.stopGrace(h);
    if (h.connections === 1) this.changed(h.token);
    return known && this.count(h) > 0;
  }

  /** A WebSocket of `peer` closed: the grace starts when it was the holder's last. */
  disconnected(peer: Peer): void {
    const h = peer.token === undefined ? undefined : this.holders.get(peer.token);
    if (!h) return;
    h.connections = Math.max(0, h.connections - 1);
    if (h.connections === 0) {
      this.startGrace(h);
      this.changed(h.token);
    }
  }

  /**
   * daemon.hello: the caller names itself and, with a token, holds that token's leases from now on
   * — on a WebSocket (`live`) what the connection created before goes with it and the token's grace
   * is cancelled; a POST /rpc call renews it. Answers whether the token held leases already.
   */
  hello(peer: Peer, token: string | undefined, client: string | undefined, live: boolean): boolean {
    const from = peer.token;
    if (client) peer.client = client;
    if (token === undefined || token === from) {
      if (from !== undefined && client) this.holder(from, client);
      const h = from === undefined ? undefined : this.holders.get(from);
      return h !== undefined && this.count(h) > 0;
    }
    peer.token = token;
    if (!live) {
      const known = this.holders.get(token);
      const resumed = known !== undefined && this.count(known) > 0;
      this.called(peer);
      return resumed;
    }
    const resumed = this.connected(peer);
    if (from !== undefined) {
      for (const l of this.held.values()) if (l.token === from) l.token = token;
      this.disconnected({ token: from, client: peer.client });
      this.dropIfIdle(from);
      this.changed(token);
      void this.persist();
    }
    return resumed;
  }

  /** A POST /rpc call carrying a token: it renews that holder's grace. */
  called(peer: Peer): void {
    if (peer.token === undefined) return;
    const h = this.holder(peer.token, peer.client);
    if (h.connections === 0) this.startGrace(h);
  }

  /**
   * Runs a create for `peer` and leases its container to it when it is not persistent. The holder
   * is not reaped while the create runs; the lease is on disk before this resolves.
   */
  async create(peer: Peer, create: () => Promise<ContainerHandle>): Promise<ContainerHandle> {
    const h = peer.token === undefined ? undefined : this.holder(peer.token, peer.client);
    if (h) h.creating++;
    try {
      const handle = await create();
      if (h && !handle.persist) {
        this.held.set(handle.containerId, { target: targetOf(handle), token: h.token });
        this.listener([targetOf(handle)]);
        await this.persist();
      }
      return handle;
    } finally {
      if (h) {
        h.creating--;
        if (h.creating === 0 && h.overdue) void this.expire(h);
      }
    }
  }

  /** Lets go of a container: it goes after the grace period unless a process adopts it first. */
  async release(handle: ContainerHandle): Promise<void> {
    const l = this.held.get(handle.containerId);
    if (!l) return;
    const token = `${RELEASED}:${handle.containerId}`;
    this.move(l, token, RELEASED);
    this.startGrace(this.holders.get(token)!);
    this.listener([l.target]);
    await this.persist();
  }

  /** Gives `peer` the lease of a non-persistent container, whoever held it (a parent handing work to a worker). */
  async adopt(peer: Peer, handle: ContainerHandle): Promise<void> {
    if (handle.persist) return;
    if (peer.token === undefined) {
      throw invalidParams(
        'resumeToken',
        `is needed to hold a lease: send it in daemon.hello, or in the ${RESUME_TOKEN_HEADER} header of POST /rpc`,
      );
    }
    const l = this.held.get(handle.containerId) ?? { target: targetOf(handle), token: peer.token };
    this.held.set(handle.containerId, l);
    this.move(l, peer.token, peer.client);
    const h = this.holders.get(peer.token)!;
    if (h.connections === 0) this.startGrace(h);
    this.listener([l.target]);
    await this.persist();
  }

  /** The container is gone (shut down, destroyed): its lease with it. */
  async forget(containerId: string): Promise<void> {
    const l = this.held.get(containerId);
    if (!l) return;
    this.held.delete(containerId);
    this.dropIfIdle(l.token);
    await this.persist();
  }

  /** A container was recreated under a new id (reboot fresh): its lease follows it. */
  async renew(oldId: string, handle: ContainerHandle): Promise<void> {
    const l = this.held.get(oldId);
    if (!l) return;
    this.held.delete(oldId);
    this.held.set(handle.containerId, { target: targetOf(handle), token: l.token });
    this.listener([targetOf(handle)]);
    await this.persist();
  }

  /** The lease of a container as listContainers shows it; null when nobody holds it. */
  leaseOf(containerId: string): Lease | null {
    const l = this.held.get(containerId);
    const h = l && this.holders.get(l.token);
    if (!h) return null;
    return {
      holder: h.client,
      connected: h.connections > 0,
      expiresAt: h.expiresAt === undefined ? null : new Date(h.expiresAt).toISOString(),
    };
  }

  /** Stops every timer (daemon shutdown): the leases stay on disk for the next daemon. */
  async close(): Promise<void> {
    for (const h of this.holders.values()) clearTimeout(h.timer);
    await this.persist();
  }

  private holder(token: string, client: string): Holder {
    let h = this.holders.get(token);
    if (!h) {
      h = { token, client, connections: 0, creating: 0, expiresAt: undefined, timer: undefined, overdue: false };
      this.holders.set(token, h);
    } else if (client) {
      h.client = client;
    }
    return h;
  }

  /** Tells the listener about every container `token` holds. */
  private changed(token: string): void {
    const targets = [...this.held.values()].filter((l) => l.token === token).map((l) => l.target);
    if (targets.length) this.listener(targets);
  }

  private count(h: Holder): number {
    let n = 0;
    for (const l of this.held.values()) if (l.token === h.token) n++;
    return n;
  }

  private move(l: Held, token: string, client: string): void {
    const from = l.token;
    l.token = token;
    this.holder(token, client);
    if (from !== token) this.dropIfIdle(from);
  }

  /** A holder with nothing leased and nothing connected or in flight is forgotten. */
  private dropIfIdle(token: string): void {
    const h = this.holders.get(token);
    if (!h || h.connections > 0 || h.creating > 0 || this.count(h) > 0) return;
    clearTimeout(h.timer);
    this.holders.delete(token);
  }

  private startGrace(h: Holder, ms = this.graceMs): void {
    clearTimeout(h.timer);
    h.expiresAt = Date.now() + ms;
    h.timer = setTimeout(() => void this.expire(h), ms);
    h.timer.unref();
  }

  private stopGrace(h: Holder): void {
    clearTimeout(h.timer);
    h.timer = undefined;
    h.expiresAt = undefined;
    h.overdue = false;
  }

  /** The grace ran out: the holder's containers are removed. */
  private async expire(h: Holder): Promise<void> {
    if (this.holders.get(h.token) !== h || h.connections > 0) return;
    if (h.creating > 0) {
      h.overdue = true;
      return;
    }
    h.overdue = false;
    const mine = [...this.held.values()].filter((l) => l.token === h.token);
    let failed = false;
    for (const l of mine) {
      try {
        await this.reap(l.target);
        this.log.info({ containerId: l.target.containerId, name: l.target.name, holder: h.client }, 'lease expired: container removed');
      } catch (err) {
        const gone = err instanceof DaemonError && (err.type === 'ContainerNotFound' || err.type === 'ContainerGone');
        if (!gone) {
          failed = true;
          this.log.warn(
            { err, containerId: l.target.containerId },
            'lease expired but the container could not be removed: trying again later',
          );
          continue;
        }
      }
      // The holder may have come back while the engine answered: what it holds again stays.
      if (this.held.get(l.target.containerId) === l && l.token === h.token) this.held.delete(l.target.containerId);
    }
    if (h.connections === 0) {
      if (failed) this.startGrace(h, RETRY_MS);
      else this.dropIfIdle(h.token);
    }
    await this.persist();
  }

  private async persist(): Promise<void> {
    await this.store?.saveOrLog(this.log);
  }
}

const targetOf = (h: ContainerHandle): LeaseTarget => ({ containerId: h.containerId, socketPath: h.socketPath, name: h.name });
