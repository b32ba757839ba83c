/**
 * The daemon's sandboxes: creating, finding, running in and shutting down managed containers.
 * Nothing about a container is cached that the engine can answer, except which containers this
 * daemon has seen — that is what tells "never existed" from "removed behind our back".
 */
import type { ContainerHandle, ContainerInfo, CreateOptions, ExecResult, Lang } from '@pocketdock/protocol';
import { DaemonError, containerGone, containerNotFound, containerNotRunning, invalidParams } from '../errors.js';
import type { ContainerInspect, Engine, Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import { OutputCollector, DEFAULT_MAX_OUTPUT } from './collector.js';
import { DEFAULT_IMAGE, engineCreateOptions } from './create-options.js';
import { ExecRun, commandArgv } from './exec.js';
import { containerInfo } from './info.js';
import { handleFromLabels, isManaged } from './labels.js';
import { generateName } from './names.js';

export interface Resolved {
  engine: Engine;
  inspect: ContainerInspect;
  handle: ContainerHandle;
}

export interface RunOptions {
  timeout?: number;
  maxOutput?: number;
  lang?: Lang;
}

/** Grace before SIGKILL when a persistent container is stopped. */
const STOP_GRACE_S = 1;

export class Sandboxes {
  /** Ids and names of every managed container this daemon has seen. */
  private readonly seen = new Set<string>();

  constructor(private readonly engines: Engines, private readonly log: Logger) {}

  async create(opts: CreateOptions): Promise<ContainerHandle> {
    const engine = this.engines.get(opts.socketPath);
    const name = opts.name ?? generateName();
    const image = opts.image ?? (opts.profile ? `pocketdock/${opts.profile}` : DEFAULT_IMAGE);
    const createdAt = new Date().toISOString();
    const request = engineCreateOptions(opts, { name, image, network: true, createdAt, dataPath: '' });
    let id: string;
    try {
      id = await engine.createContainer(request);
    } catch (err) {
      if (err instanceof DaemonError && /already in use/i.test(String(err.fields.detail ?? err.message))) {
        throw invalidParams('name', `"${name}" is already in use by another container`);
      }
      throw err;
    }
    const log = this.log.child({ containerId: id, name });
    try {
      await engine.startContainer(id);
    } catch (err) {
      log.warn({ err }, 'start failed: removing the container');
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw err;
    }
    this.seen.add(id).add(name);
    log.info({ image }, 'container created');
    return handleFromLabels(id, name, engine.socketPath, request.Labels ?? {});
  }

  /** Finds a managed container by id or name. */
  async resolve(ref: string, socketPath?: string): Promise<Resolved> {
    const engine = this.engines.get(socketPath);
    let inspect: ContainerInspect;
    try {
      inspect = await engine.inspectContainer(ref);
    } catch (err) {
      if (err instanceof DaemonError && err.type === 'ContainerNotFound' && this.seen.has(ref)) throw containerGone(ref);
      throw err;
    }
    if (!isManaged(inspect.Config.Labels)) throw containerNotFound(ref, 'not a pocketdock container');
    this.seen.add(inspect.Id).add(inspect.Name.replace(/^\//, ''));
    return { engine, inspect, handle: handleFromLabels(inspect.Id, inspect.Name, engine.socketPath, inspect.Config.Labels ?? {}) };
  }

  async info(ref: string): Promise<ContainerInfo> {
    const { engine, inspect } = await this.resolve(ref);
    return containerInfo(engine, inspect);
  }

  async run(ref: string, command: string, opts: RunOptions): Promise<ExecResult> {
    const { engine, inspect, handle } = await this.resolve(ref);
    if (!inspect.State.Running) throw containerNotRunning(ref, `container is ${inspect.State.Status}`);
    const collector = new OutputCollector(opts.maxOutput ?? DEFAULT_MAX_OUTPUT);
    const exec = await ExecRun.start({
      engine,
      containerId: inspect.Id,
      argv: commandArgv(command, opts.lang),
      sink: collector.sink,
      log: this.log,
      timeoutMs: (opts.timeout ?? handle.timeout) * 1000,
    });
    const outcome = await exec.finished;
    return {
      ...outcome,
      stdout: collector.text('stdout'),
      stderr: collector.text('stderr'),
      truncated: collector.truncated,
      ok: outcome.exitCode === 0 && !outcome.timedOut,
    };
  }

  async shutdown(ref: string, force: boolean): Promise<void> {
    const { engine, inspect, handle } = await this.resolve(ref);
    const log = this.log.child({ containerId: inspect.Id, name: handle.name });
    if (handle.persist) {
      await engine.stopContainer(inspect.Id, force ? 0 : STOP_GRACE_S);
      log.info('persistent container stopped');
      return;
    }
    // A non-persistent sandbox's state is discarded anyway: kill and remove in one call.
    await engine.removeContainer(inspect.Id, { force: true });
    this.seen.delete(inspect.Id);
    this.seen.delete(handle.name);
    log.info('container removed');
  }
}
