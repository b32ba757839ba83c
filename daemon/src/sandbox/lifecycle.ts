/**
 * Lifecycle operations beyond create/run/shutdown: list, stop, resume, destroy, prune, reboot,
 * snapshot. They go through Sandboxes.resolve/launch so that its record of seen containers stays
 * true: what the daemon removes itself is forgotten (unknown, not gone).
 */
import type { ContainerHandle, ContainerListItem, DoctorReport } from '@pocketdock/protocol';
import type { Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import { doctor, removeInstance } from '../project/index.js';
import { LABEL } from './labels.js';
import { recreateOptions } from './recreate.js';
import { STOP_GRACE_S, type Sandboxes } from './sandboxes.js';

export interface Scope {
  project?: string;
  socketPath?: string;
}

/** Labels a snapshot must not pass on: a container made from it belongs to no project yet. */
const SNAPSHOT_CLEARED = [LABEL.project, LABEL.dataPath, LABEL.instance, LABEL.persist, LABEL.createdAt] as const;

export class Lifecycle {
  constructor(private readonly engines: Engines, private readonly sandboxes: Sandboxes, private readonly log: Logger) {}

  async list(scope: Scope): Promise<ContainerListItem[]> {
    const engine = this.engines.get(scope.socketPath);
    const list = await engine.listContainers({ [LABEL.managed]: 'true', ...(scope.project !== undefined && { [LABEL.project]: scope.project }) });
    return list.map((c) => {
      const labels = c.Labels ?? {};
      return {
        id: c.Id,
        name: labels[LABEL.instance] ?? c.Names[0]?.replace(/^\//, '') ?? '',
        status: c.State,
        image: c.Image,
        createdAt: labels[LABEL.createdAt] || new Date(c.Created * 1000).toISOString(),
        persist: labels[LABEL.persist] === 'true',
        project: labels[LABEL.project] ?? '',
      };
    }).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async resume(ref: string, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.sandboxes.resolve(ref, socketPath);
    if (!inspect.State.Running) {
      await engine.startContainer(inspect.Id);
      this.log.info({ containerId: inspect.Id, name: handle.name }, 'container resumed');
    }
    return handle;
  }

  async stop(ref: string, socketPath?: string): Promise<void> {
    const { engine, inspect, handle } = await this.sandboxes.resolve(ref, socketPath);
    await engine.stopContainer(inspect.Id, STOP_GRACE_S);
    this.log.info({ containerId: inspect.Id, name: handle.name }, 'container stopped');
  }

  async destroy(ref: string, socketPath?: string): Promise<void> {
    const { engine, inspect, handle } = await this.sandboxes.resolve(ref, socketPath);
    await engine.removeContainer(inspect.Id, { force: true });
    this.sandboxes.forget(engine, inspect.Id, handle.name);
    if (handle.dataPath) await removeInstance(handle.dataPath);
    this.log.info({ containerId: inspect.Id, name: handle.name }, 'container destroyed');
  }

  /** Removes stopped managed containers; their instance dirs stay (history survives; doctor reports them). */
  async prune(scope: Scope): Promise<number> {
    const engine = this.engines.get(scope.socketPath);
    const stopped = (await this.list(scope)).filter((c) => c.status !== 'running' && c.status !== 'paused');
    let removed = 0;
    for (const c of stopped) {
      try {
        await engine.removeContainer(c.id, { force: true });
        removed++;
      } catch (err) {
        // Another caller may have removed it meanwhile; it is not ours to count.
        this.log.warn({ err, containerId: c.id }, 'prune: could not remove');
      }
      this.sandboxes.forget(engine, c.id, c.name);
    }
    this.log.info({ removed, project: scope.project }, 'pruned');
    return removed;
  }

  /** Restarts in place, or with `fresh` recreates from the image (new id; same name, labels, settings). */
  async reboot(ref: string, fresh: boolean, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.sandboxes.resolve(ref, socketPath);
    if (!fresh) {
      await engine.stopContainer(inspect.Id, STOP_GRACE_S);
      await engine.startContainer(inspect.Id);
      return handle;
    }
    await engine.removeContainer(inspect.Id, { force: true });
    this.sandboxes.forget(engine, inspect.Id);
    const next = await this.sandboxes.launch(engine, recreateOptions(inspect));
    this.log.info({ from: inspect.Id, containerId: next.containerId, name: next.name }, 'container recreated');
    return next;
  }

  doctor(projectRoot: string, socketPath?: string): Promise<DoctorReport> {
    return doctor(this.engines, projectRoot, socketPath, this.log);
  }

  async snapshot(ref: string, imageName: string, socketPath?: string): Promise<string> {
    const { engine, inspect } = await this.sandboxes.resolve(ref, socketPath);
    const colon = imageName.lastIndexOf(':');
    const tagged = colon > imageName.lastIndexOf('/');
    const image = { repo: tagged ? imageName.slice(0, colon) : imageName, tag: tagged ? imageName.slice(colon + 1) : 'latest' };
    const labels = Object.fromEntries(SNAPSHOT_CLEARED.map((l) => [l, '']));
    return engine.commitContainer(inspect.Id, image, labels);
  }
}
