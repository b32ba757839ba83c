/** Builds ContainerInfo from the engine's inspect, stats and top. */
import type { ContainerInfo } from '@pocketdock/protocol';
import type { ContainerInspect, Engine } from '../engine/index.js';
import { formatUptime, resourceFigures } from './format.js';
import { effectiveLimits } from './hardening.js';
import { LABEL } from './labels.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** What the engine tells about a container; how its commands run is exec/'s to say. */
export type EngineInfo = Omit<ContainerInfo, 'execVia' | 'execNote'>;

export async function containerInfo(engine: Engine, c: ContainerInspect): Promise<EngineInfo> {
  const running = c.State.Running;
  const [stats, top] = running ? await Promise.all([engine.stats(c.Id), engine.top(c.Id)]) : [undefined, undefined];
  const networks = Object.values(c.NetworkSettings.Networks ?? {});
  const ports: Record<string, number> = {};
  // What the engine bound (asked for host port 0, it picks one), else what was asked for (a stopped container binds none).
  const published = { ...c.HostConfig.PortBindings, ...(running ? c.NetworkSettings.Ports : {}) };
  for (const [inside, bindings] of Object.entries(published)) {
    for (const b of (bindings as { HostPort?: string }[] | null) ?? []) if (b.HostPort) ports[b.HostPort] = parseInt(inside, 10);
  }
  return {
    id: c.Id,
    // A container handed out by the warm pool may keep the pool's name a moment (Containers.renameLater).
    name: c.Config.Labels?.[LABEL.instance] ?? c.Name.replace(/^\//, ''),
    status: c.State.Status,
    image: c.Config.Image,
    createdAt: c.Config.Labels?.[LABEL.createdAt] ?? c.Created,
    startedAt: c.State.StartedAt === ZERO_TIME ? '' : c.State.StartedAt,
    uptime: running ? formatUptime(Date.now() - Date.parse(c.State.StartedAt)) : '',
    ...resourceFigures(stats, c.HostConfig.Memory || 0),
    network: c.HostConfig.NetworkMode !== 'none' && networks.length > 0,
    ipAddress: networks.map((n) => n.IPAddress).find(Boolean) ?? '',
    ports,
    processes: (top?.Processes ?? []).map((row) => Object.fromEntries(top!.Titles.map((t, i) => [t, row[i] ?? '']))),
    limits: effectiveLimits(c.HostConfig),
  };
}
