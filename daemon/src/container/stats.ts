/**
 * container.stats for the connections that watch a container's resources: the daemon follows the
 * engine's own stats stream of that container (one stream however many connections watch it) and
 * hands every sample on, so a page showing CPU and memory asks nothing while it shows them. The
 * subscriptions are capped (limits.maxStatsWatches): each may hold an engine stream open.
 */
import type { StatsSample } from '@pocketdock/protocol';
import { containerNotRunning, invalidRequest } from '../errors.js';
import type { ContainerInspect, Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { Containers } from './containers.js';
import { formatUptime, resourceFigures } from './format.js';
import type { Watcher } from './watch.js';

interface Watching {
  watcher: Watcher;
  /** Unwatches when the connection closes. */
  onClose: () => void;
}

interface Feed {
  readonly containerId: string;
  readonly name: string;
  /** The run the stream follows: a container started again gets a new feed. */
  readonly startedAt: string;
  readonly watching: Map<string, Watching>;
  readonly stop: AbortController;
}

export class StatsWatch {
  private readonly feeds = new Map<string, Feed>();
  /** Subscriptions served, over every feed: what limits.maxStatsWatches caps. */
  private count = 0;

  constructor(
    private readonly containers: Containers,
    private readonly maxWatches: number,
    private readonly log: Logger,
  ) {}

  /** `key` (a connection) gets container.stats for the running container `ref` until it stops, or `key` unwatches or closes. */
  async watch(key: string, watcher: Watcher, ref: string, socketPath?: string): Promise<void> {
    const { engine, inspect } = await this.containers.resolve(ref, socketPath);
    if (!inspect.State.Running) throw containerNotRunning(inspect.Id, 'its resources are sampled only while it runs');
    let feed = this.feeds.get(inspect.Id);
    if (feed && feed.startedAt !== inspect.State.StartedAt) {
      // The container ran again since this feed began: its watchers move to a feed of this run.
      const moved = [...feed.watching].map(([k, w]) => [k, w.watcher] as const);
      this.end(feed);
      feed = this.open(engine, inspect);
      for (const [k, w] of moved) this.add(feed, k, w);
    }
    if (feed?.watching.has(key)) return;
    if (this.count >= this.maxWatches) {
      throw invalidRequest(
        `the daemon serves ${this.count} stats watches already (limits.maxStatsWatches): call container.unwatchStats on some first`,
      );
    }
    this.add(feed ?? this.open(engine, inspect), key, watcher);
  }

  /** Stops `key`'s container.stats for the container named `ref` (its id, a prefix of it, or its name). */
  unwatch(key: string, ref: string): void {
    for (const feed of [...this.feeds.values()]) {
      if (feed.containerId.startsWith(ref) || feed.name === ref) this.remove(feed, key);
    }
  }

  private open(engine: Engine, inspect: ContainerInspect): Feed {
    const feed: Feed = {
      containerId: inspect.Id,
      name: inspect.Name.replace(/^\//, ''),
      startedAt: inspect.State.StartedAt,
      watching: new Map(),
      stop: new AbortController(),
    };
    this.feeds.set(feed.containerId, feed);
    void this.follow(engine, feed, inspect.HostConfig.Memory || 0);
    return feed;
  }

  private add(feed: Feed, key: string, watcher: Watcher): void {
    const onClose = () => this.remove(feed, key);
    feed.watching.set(key, { watcher, onClose });
    this.count++;
    watcher.closed.addEventListener('abort', onClose, { once: true });
  }

  private remove(feed: Feed, key: string): void {
    const w = feed.watching.get(key);
    if (!w) return;
    feed.watching.delete(key);
    w.watcher.closed.removeEventListener('abort', w.onClose);
    this.count--;
    if (feed.watching.size === 0) this.end(feed);
  }

  /** The feed stops following the engine; its watchers stop counting against the cap. */
  private end(feed: Feed): void {
    for (const key of [...feed.watching.keys()]) this.remove(feed, key);
    feed.stop.abort();
    if (this.feeds.get(feed.containerId) === feed) this.feeds.delete(feed.containerId);
  }

  private async follow(engine: Engine, feed: Feed, memoryLimit: number): Promise<void> {
    const started = Date.parse(feed.startedAt);
    try {
      for await (const stats of engine.statsStream(feed.containerId, feed.stop.signal)) {
        const sample: StatsSample = {
          containerId: feed.containerId,
          at: stats.read,
          uptime: formatUptime(Date.parse(stats.read) - started),
          ...resourceFigures(stats, memoryLimit),
        };
        for (const { watcher } of feed.watching.values()) watcher.notify('container.stats', sample);
      }
    } catch (err) {
      this.log.debug({ err, containerId: feed.containerId }, 'stats stream broke off');
    }
    // The container stopped (or went): watching it again once it runs opens a new feed.
    this.end(feed);
  }
}
