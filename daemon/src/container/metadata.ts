/** A project container's instance metadata, from its labels (the truth) — at create and after a fresh reboot alike. */
import type { InstanceMetadata } from '../project/index.js';
import { LABEL } from './labels.js';

export function metadataFromLabels(
  containerId: string,
  image: string,
  socketPath: string,
  labels: Record<string, string>,
): InstanceMetadata {
  const cpu = labels[LABEL.cpuPercent];
  return {
    container_id: containerId,
    name: labels[LABEL.instance] ?? '',
    image,
    project: labels[LABEL.project] ?? '',
    created_at: labels[LABEL.createdAt] ?? '',
    persist: labels[LABEL.persist] === 'true',
    mem_limit: labels[LABEL.memLimit] || null,
    cpu_percent: cpu ? Number(cpu) : null,
    socket_path: socketPath,
  };
}
