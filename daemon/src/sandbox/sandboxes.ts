/**
 * The daemon's sandboxes: creating, finding, preparing execs in and shutting down managed containers.
 * Nothing about a container is cached that the engine can answer, except which containers this
 * daemon has seen — that is what tells "never existed" from "removed behind our back".
 */
import type Docker from 'dockerode';
import type { ContainerHandle, ContainerInfo, CreateOptions, Lang } from '@pocketdock/protocol';
import { DaemonError, containerGone, containerNotFound, containerNotRunning, invalidParams } from '../errors.js';
import type { ContainerInspect, Engine, Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import { engineCreateOptions } from './create-options.js';
import { containerInfo } from './info.js';
import { LABEL, handleFromLabels, isManaged } from './labels.js';
import { metadataFromLabels } from './metadata.js';
import { LangCheck, commandArgv } from './langs.js';
import { generateName } from './names.js';
import { planCreate } from './plan.js';
import { writeInstance } from '../project/index.js';

export interface Resolved {
  engine: Engine;
  inspect: ContainerInspect;
  handle: ContainerHandle;
}

/** Where and how a command will run: a running container, the argv for its lang, the default timeout. */
export interface ExecTarget {
  engine: Engine;
  containerId: string;
  argv: string[];
  /** The container's default exec timeout, in seconds. */
  timeout: number;
  /** For recordCommand/appendLog (project/): where the container's history and logs go. */
  handle: ContainerHandle;
}

/** Grace before SIGKILL when a container is stopped (tini passes SIGTERM on: stops take ~0.1 s). */
export const STOP_GRACE_S = 1;

/** Names and ids are only unique per engine: "seen" is remembered per engine. */
const seenKey = (engine: Engine, ref: string): string => `${engine.socketPath}\n${ref}`;

export class Sandboxes {
  /** Ids and names of every managed container this daemon has seen. */
  private readonly seen = new Set<string>();

  private readonly langs: LangCheck;

  constructor(private readonly engines: Engines, private readonly log: Logger) {
    this.langs = new LangCheck(log);
  }

  async create(opts: CreateOptions): Promise<ContainerHandle> {
    const engine = this.engines.get(opts.socketPath);
    const name = opts.name ?? generateName();
    const plan = await planCreate(opts, name);
    const { image, dataPath } = plan;
    const createdAt = new Date().toISOString();
    return this.launch(engine, engineCreateOptions(plan.opts, { name, image, network: plan.network, createdAt, dataPath }));
  }

  /** Creates and starts a container from a whole engine request and writes its instance dir, if it has one. */
  async launch(engine: Engine, request: Docker.ContainerCreateOptions): Promise<ContainerHandle> {
    const name = request.name!;
    const labels = request.Labels ?? {};
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
      const dataPath = labels[LABEL.dataPath];
      if (dataPath) await writeInstance(dataPath, metadataFromLabels(id, request.Image ?? '', engine.socketPath, labels));
    } catch (err) {
      log.warn({ err }, 'start failed: removing the container');
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw err;
    }
    this.remember(engine, id, name);
    log.info({ image: request.Image }, 'container created');
    return handleFromLabels(id, name, engine.socketPath, labels);
  }

  /**
   * Finds a managed container by id or name: on the engine `socketPath` names, else on the default
   * engine, then on every other engine a call has named.
   */
  async resolve(ref: string, socketPath?: string): Promise<Resolved> {
    const searched = socketPath ? [this.engines.get(socketPath)] : this.engines.known();
    const [first, ...others] = searched;
    let inspect: ContainerInspect | undefined;
    let engine = first!;
    try {
      inspect = await engine.inspectContainer(ref);
    } catch (err) {
      if (!(err instanceof DaemonError && err.type === 'ContainerNotFound')) throw err;
      for (const other of others) {
        inspect = await other.inspectContainer(ref).catch(() => undefined);
        if (inspect) { engine = other; break; }
      }
      if (!inspect) throw searched.some((e) => this.seen.has(seenKey(e, ref))) ? containerGone(ref) : err;
    }
    if (!isManaged(inspect.Config.Labels)) throw containerNotFound(ref, 'not a pocketdock container');
    this.remember(engine, inspect.Id, inspect.Name.replace(/^\//, ''));
    return { engine, inspect, handle: handleFromLabels(inspect.Id, inspect.Name, engine.socketPath, inspect.Config.Labels ?? {}) };
  }

  /** Marks ids and names as seen: from now on their disappearance is reported as ContainerGone. */
  remember(engine: Engine, ...refs: string[]): void {
    for (const ref of refs) this.seen.add(seenKey(engine, ref));
  }

  /** Forgets ids and names the daemon removed itself: they are unknown, not gone. */
  forget(engine: Engine, ...refs: string[]): void {
    for (const ref of refs) this.seen.delete(seenKey(engine, ref));
  }

  async info(ref: string, socketPath?: string): Promise<ContainerInfo> {
    const { engine, inspect } = await this.resolve(ref, socketPath);
    return containerInfo(engine, inspect);
  }

  /** Resolves a running container and checks that its image has the interpreter `lang` needs. */
  async execTarget(ref: string, command: string, lang: Lang | undefined, socketPath?: string): Promise<ExecTarget> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    if (!inspect.State.Running) throw containerNotRunning(ref, `container is ${inspect.State.Status}`);
    await this.langs.ensure(engine, inspect.Id, inspect.Config.Image, lang);
    return { engine, containerId: inspect.Id, argv: commandArgv(command, lang), timeout: handle.timeout, handle };
  }

  async shutdown(ref: string, force: boolean, socketPath?: string): Promise<void> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    const log = this.log.child({ containerId: inspect.Id, name: handle.name });
    if (handle.persist) {
      await engine.stopContainer(inspect.Id, force ? 0 : STOP_GRACE_S);
      log.info('persistent container stopped');
      return;
    }
    // A non-persistent sandbox's state is discarded anyway: kill and remove in one call.
    await engine.removeContainer(inspect.Id, { force: true });
    this.forget(engine, inspect.Id, handle.name);
    log.info('container removed');
  }
}
