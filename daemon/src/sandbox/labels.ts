/**
 * Labels are the truth about a managed container: everything the daemon needs to rebuild a
 * handle (after a restart, from another client) is written on the container at creation.
 */
import type { ContainerHandle } from '@pocketdock/protocol';

export const LABEL = {
  managed: 'pocketdock.managed',
  instance: 'pocketdock.instance',
  persist: 'pocketdock.persist',
  project: 'pocketdock.project',
  dataPath: 'pocketdock.data-path',
  createdAt: 'pocketdock.created-at',
  timeout: 'pocketdock.timeout',
  profile: 'pocketdock.profile',
  memLimit: 'pocketdock.mem-limit',
  cpuPercent: 'pocketdock.cpu-percent',
} as const;

export const DEFAULT_TIMEOUT_S = 30;

export function isManaged(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[LABEL.managed] === 'true';
}

export function handleFromLabels(id: string, name: string, socketPath: string, labels: Record<string, string>): ContainerHandle {
  const timeout = Number(labels[LABEL.timeout]);
  return {
    containerId: id,
    name: labels[LABEL.instance] ?? name.replace(/^\//, ''),
    socketPath,
    persist: labels[LABEL.persist] === 'true',
    project: labels[LABEL.project] ?? '',
    dataPath: labels[LABEL.dataPath] ?? '',
    timeout: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_S,
  };
}
