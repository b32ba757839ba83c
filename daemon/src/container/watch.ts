/**
 * container.changed for the connections that watch an engine: while anyone watches, the daemon
 * follows the engine's own event stream of managed containers (one per engine), so it sees what
 * any client — or anything behind the daemon's back — does, and answers each event with the
 * container's list item as it is now. Lease changes (pool/) are told the same way. Nothing is polled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerChanged, Lease, SendNotification } from '@pocketdock/protocol';
import type { Engine, Engines } from '../engine/index.js';
import type { LeaseTarget } from '../pool/index.js';
import type { Logger } from '../log.js';
import type { Containers } from './containers.js';
import { LABEL } from './labels.js';

/** The engine events that change what container.list shows (exec_*, attach, … do not). */
const ACTIONS = new Set(['create', 'start', 'die', 'pause', 'unpause', 'rename', 'destroy']);
/**
 * What an event says the container's state now is, where the engine's list may still show the one
 * before it: Docker sends die, pause and unpause before its list changes (a snapshot's commit pauses
 * and unpauses), and a watcher must end with the state the container is in.
 */
const AFTER: Record<string, { from: string; to: string }> = {
  die: { from: 'running', to: 'exited' },
  pause: { from: 'running', to: 'paused' },
  unpause: { from: 'paused', to: 'running' },
};
/** Before following an engine's events again after the stream broke off. */
const RETRY_MS = 1000;

export interface Watcher {
  notify: SendNotification;
  /** Aborted when the watcher's connection closes. */
  closed: AbortSignal;
}

interface Feed {
  readonly engine: Engine;
  readonly watchers: Map<string, Watcher>;
  readonly stop: AbortController;
  /** Changes go out one at a time, in order: a client applying them ends with the engine's state. */
  queue: Promise<void>;
}

export class ContainerWatch {
  private readonly feeds = new Map<string, Feed>();

  /** `leaseOf`: who holds a container (the pool's leases), as container.list tells it. */
  constructor(
    private readonly containers: Containers,
    private readonly engines: Engines,
    private readonly leaseOf: (id: string) => Lease | null,
    private readonly log: Logger,
  ) {}

  /** `key` (a connection) gets container.changed for `socketPath`'s engine until it unwatches or closes. */
  watch(key: string, watcher: Watcher, socketPath?: string): void {
    const engine = this.engines.get(socketPath);
    let feed = this.feeds.get(engine.socketPath);
    if (!feed) {
      feed = { engine, watchers: new Map(), stop: new AbortController(), queue: Promise.resolve() };
      this.feeds.set(engine.socketPath, feed);
      void this.follow(feed);
    }
    if (feed.watchers.has(key)) return;
    feed.watchers.set(key, watcher);
    watcher.closed.addEventListener('abort', () => this.unwatch(key, engine.socketPath), { once: true });
  }

  unwatch(key: string, socketPath?: string): void {
    const socket = this.engines.get(socketPath).socketPath;
    const feed = this.feeds.get(socket);
    if (!feed?.watchers.delete(key) || feed.watchers.size > 0) return;
    feed.stop.abort();
    this.feeds.delete(socket);
  }

  /** The leases of `targets` changed: watchers of their engines get their list items again. */
  leaseChanged(targets: LeaseTarget[]): void {
    for (const t of targets) {
      const feed = this.feeds.get(t.socketPath);
      if (feed) void this.send(feed, 'lease', t.containerId, t.name);
    }
  }

  /** Queues one change: the container's list item as it is when its turn comes (none once it is removed). */
  private send(feed: Feed, action: string, id: string, name: string): Promise<void> {
    feed.queue = feed.queue
      .then(async () => {
        const item = action === 'destroy' ? undefined : await this.containers.listItem(feed.engine, id).catch(() => undefined);
        // A lease change of a container already gone says nothing its destroy did not.
        if (!item && action === 'lease') return;
        const after = AFTER[action];
        if (item && after && item.status === after.from) item.status = after.to;
        const container = item && { ...item, lease: this.leaseOf(item.id) };
        const change: ContainerChanged = {
          id,
          name: container?.name ?? name,
          action,
          socketPath: feed.engine.socketPath,
          ...(container && { container }),
        };
        for (const w of feed.watchers.values()) w.notify('container.changed', change);
      })
      .catch((err: unknown) => this.log.warn({ err, containerId: id }, 'container.changed could not be sent'));
    return feed.queue;
  }

  private async follow(feed: Feed): Promise<void> {
    const { signal } = feed.stop;
    while (!signal.aborted) {
      try {
        for await (const e of feed.engine.containerEvents({ [LABEL.managed]: 'true' }, signal)) {
          if (ACTIONS.has(e.action) && !this.containers.isIdle(feed.engine, e.id, e.labels, e.name))
            await this.send(feed, e.action, e.id, e.name);
        }
      } catch (err) {
        this.log.warn({ err, engine: feed.engine.socketPath }, 'engine events broke off: following them again');
        await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
