/** Human figures for ContainerInfo: sizes, durations, CPU share. */
import type { ContainerStats } from '../engine/index.js';

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, `${s % 60}s`].filter(Boolean).join(' ');
}

export function cpuPercent(stats: ContainerStats): number {
  const cpu = stats.cpu_stats,
    pre = stats.precpu_stats;
  const cpuDelta = cpu.cpu_usage.total_usage - (pre?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1;
  if (!pre?.system_cpu_usage || sysDelta <= 0 || cpuDelta < 0) return 0;
  return Math.round((cpuDelta / sysDelta) * cpus * 10000) / 100;
}

/** The resource figures container.info and container.stats share, from one stats sample (none: not running). */
export function resourceFigures(stats: ContainerStats | undefined, memoryLimit: number) {
  const used = stats ? memoryUsed(stats) : 0;
  return {
    memoryUsage: formatBytes(used),
    memoryLimit: memoryLimit ? formatBytes(memoryLimit) : '',
    memoryPercent: memoryLimit ? Math.round((used / memoryLimit) * 10000) / 100 : 0,
    cpuPercent: stats ? cpuPercent(stats) : 0,
    pids: stats?.pids_stats?.current ?? 0,
  };
}

/** Memory in use without the page cache, as `docker stats` shows it. */
export function memoryUsed(stats: ContainerStats): number {
  const m = stats.memory_stats as { usage?: number; stats?: Record<string, number> };
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? m.stats?.cache ?? 0;
  return Math.max(0, (m.usage ?? 0) - cache);
}
