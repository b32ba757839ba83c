/** A managed container's handle, rebuilt from its labels (the protocol's LABEL names them). */
import { DEFAULTS, LABEL, type ContainerHandle } from '@pocketdock/protocol';

export { LABEL };

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
    timeout: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULTS.timeoutSeconds,
  };
}

/**
 * Whether a container is an idle warm-pool one (pool/warm.ts): it still has the name it was created
 * with. Such containers are the pool's alone — list, prune, resolve and watch do not see them.
 */
export function isIdlePool(labels: Record<string, string> | null | undefined, name: string): boolean {
  const poolName = labels?.[LABEL.pool];
  return poolName !== undefined && poolName === name.replace(/^\//, '');
}
