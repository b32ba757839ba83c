/**
 * Resource figures of running sandboxes (uptime, CPU, memory) as the daemon pushes them: the page
 * calls container.watchStats on each running sandbox and keeps the last samples of each from the
 * container.stats notifications, for the list and the chart. Nothing is polled.
 */
import { useEffect, useState } from 'preact/hooks';
import { ContainerGone, ContainerNotFound, ContainerNotRunning, OptionRefused, type RpcTransport } from '@pocketdock/client/browser';
import type { StatsSample } from '@pocketdock/protocol';
import { reportError } from './notices.js';

/** Samples kept per sandbox: the chart's width. */
export const HISTORY = 60;

class Stats {
  private readonly history = new Map<string, StatsSample[]>();
  private readonly watched = new Set<string>();
  /** Sandboxes the daemon does not let this page drive (made over the Unix socket with host access): not asked again. */
  private readonly refused = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly transport: RpcTransport) {
    transport.on('container.stats', (s) => {
      if (!this.watched.has(s.containerId)) return;
      this.history.set(s.containerId, [...(this.history.get(s.containerId) ?? []).slice(1 - HISTORY), s]);
      for (const fn of this.listeners) fn();
    });
  }

  /** Follows exactly the sandboxes `ids` (the running ones): a sandbox that stops is dropped, one that runs again starts over. */
  follow(ids: string[]): void {
    for (const id of ids) {
      if (this.watched.has(id) || this.refused.has(id)) continue;
      this.watched.add(id);
      this.transport.call('container.watchStats', { container: id }).catch((err: unknown) => {
        this.watched.delete(id);
        // Its row stays without figures; driving it from its panel says why (the daemon's refusal).
        if (err instanceof OptionRefused) return void this.refused.add(id);
        // It stopped or went (by any client, or behind the daemon's back) while the call was on its way: the list says so already.
        if (!(err instanceof ContainerNotRunning || err instanceof ContainerNotFound || err instanceof ContainerGone))
          reportError('Following resources failed', err);
      });
    }
    for (const id of [...this.watched]) {
      if (ids.includes(id)) continue;
      this.watched.delete(id);
      this.history.delete(id);
      this.transport.call('container.unwatchStats', { container: id }).catch(() => undefined);
    }
  }

  samples(id: string): StatsSample[] {
    return this.history.get(id) ?? [];
  }

  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

const perTransport = new WeakMap<RpcTransport, Stats>();

function statsOf(transport: RpcTransport): Stats {
  let s = perTransport.get(transport);
  if (!s) perTransport.set(transport, (s = new Stats(transport)));
  return s;
}

/** The samples of sandbox `id` so far, oldest first; re-renders on each new one. */
export function useSamples(transport: RpcTransport, id: string): StatsSample[] {
  const stats = statsOf(transport);
  const [samples, setSamples] = useState(() => stats.samples(id));
  useEffect(() => {
    setSamples(stats.samples(id));
    return stats.listen(() => setSamples(stats.samples(id)));
  }, [stats, id]);
  return samples;
}

/** Follows the running sandboxes `ids` (the list does) and answers the latest sample of each. */
export function useLatest(transport: RpcTransport, ids: string[]): Record<string, StatsSample | undefined> {
  const stats = statsOf(transport);
  const read = () => Object.fromEntries(ids.map((id) => [id, stats.samples(id).at(-1)]));
  const [latest, setLatest] = useState(read);
  const key = ids.join(',');
  useEffect(() => {
    stats.follow(ids);
    setLatest(read());
    return stats.listen(() => setLatest(read()));
  }, [stats, key]);
  return latest;
}
