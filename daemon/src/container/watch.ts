/**
 * container.changed for the connections that watch an engine: while anyone watches, the daemon
 * follows the engine's own event stream of managed containers (one per engine), so it sees what
 * any client — or anything behind the daemon's back — does, and answers each event with the
 * container's list item as it is now. Nothing is polled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerChanged, Lease, SendNotification } from '@pocketdock/protocol';
import type { Engine, Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { Containers } from './containers.js';
import { LABEL, isIdlePool } from './labels.js';

/** The engine events that change what container.list shows (exec_*, attach, … do not). */
const ACTIONS = new Set(['create', 'start', 'die', 'pause', 'unpause', 'rename', 'destroy']);
/** Before following an engine's events again after the stream broke off. */
const RETRY_MS = 1000;

export interface Watcher {
  notify: SendNotification;
  /** Aborted when the watcher's connection closes. */
  closed: AbortSignal;
}

interface Feed {
  readonly watchers: Map<string, Watcher>;
  readonly stop: AbortController;
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
      feed = { watchers: new Map(), stop: new AbortController() };
      this.feeds.set(engine.socketPath, feed);
      void this.follow(engine, feed);
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

  private async follow(engine: Engine, feed: Feed): Promise<void> {
    const { signal } = feed.stop;
    while (!signal.aborted) {
      try {
        for await (const e of engine.containerEvents({ [LABEL.managed]: 'true' }, signal)) {
          if (!ACTIONS.has(e.action) || isIdlePool(e.labels, e.name)) continue;
          // One event at a time, in order: a client applying them ends with the engine's state.
          const item = e.action === 'destroy' ? undefined : await this.containers.listItem(engine, e.id).catch(() => undefined);
          // Docker sends "die" before its list stops saying "running".
          if (item && e.action === 'die' && item.status === 'running') item.status = 'exited';
          const container = item && { ...item, lease: this.leaseOf(item.id) };
          const change: ContainerChanged = {
            id: e.id,
            name: container?.name ?? e.name,
            action: e.action,
            socketPath: engine.socketPath,
            ...(container && { container }),
          };
          for (const w of feed.watchers.values()) w.notify('container.changed', change);
        }
      } catch (err) {
        this.log.warn({ err, engine: engine.socketPath }, 'engine events broke off: following them again');
        await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
