/**
 * Resource figures of running sandboxes (uptime, CPU, memory) from container.info, refreshed every
 * few seconds while the page is visible; history keeps the last samples of one sandbox for its chart.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RpcTransport } from '@pocketdock/client/browser';
import type { ContainerInfo } from '@pocketdock/protocol';

export const STATS_INTERVAL_MS = 3000;
const HISTORY = 60;

export type Figures = Pick<ContainerInfo, 'uptime' | 'cpuPercent' | 'memoryUsage' | 'memoryLimit' | 'memoryPercent' | 'pids'>;

/** Calls `fn` now and every `ms` while the tab is visible; stops on unmount. */
function useEvery(ms: number, fn: () => Promise<void>, deps: unknown[]): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      if (!document.hidden) await fn().catch(() => undefined);
      if (!stopped) timer = setTimeout(() => void tick(), ms);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
}

/** Figures for each running sandbox named in `ids`, each shown as soon as it is answered. */
export function useFigures(transport: RpcTransport, ids: string[]): Record<string, Figures> {
  const [figures, setFigures] = useState<Record<string, Figures>>({});
  const key = ids.join(',');
  useEvery(STATS_INTERVAL_MS, async () => {
    await Promise.all(
      ids.map(async (id) => {
        const info = await transport.call('container.info', { container: id }).catch(() => undefined);
        if (info) setFigures((f) => ({ ...f, [id]: info }));
      }),
    );
  }, [transport, key]);
  return figures;
}

export interface Sample {
  at: number;
  cpu: number;
  memory: number;
}

/** The last samples of one sandbox's CPU and memory share, for the chart. */
export function useHistory(transport: RpcTransport, id: string, running: boolean): { info?: ContainerInfo; samples: Sample[] } {
  const [state, setState] = useState<{ info?: ContainerInfo; samples: Sample[] }>({ samples: [] });
  useEvery(STATS_INTERVAL_MS, async () => {
    const info = await transport.call('container.info', { container: id });
    setState((s) => ({
      info,
      samples: [...s.samples.slice(1 - HISTORY), { at: Date.now(), cpu: info.cpuPercent, memory: info.memoryPercent }],
    }));
  }, [transport, id, running]);
  return state;
}
