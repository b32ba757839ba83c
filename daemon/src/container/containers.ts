/**
 * The daemon's containers: create, resolve, info, list, stop, resume, reboot, snapshot, shutdown,
 * destroy, prune. Nothing about a container is cached that the engine can answer, except which
 * containers this daemon has seen — that is what tells "never existed" from "removed behind our
 * back"; what the daemon removes itself is forgotten (unknown, not gone).
 */
import type { ContainerHandle, ContainerListItem, CreateOptions } from '@pocketdock/protocol';
import { DaemonError, containerGone, containerNotFound, invalidParams } from '../errors.js';
import type { ContainerCreateRequest, ContainerInspect, ContainerSummary, Engine, Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import { engineCreateOptions } from './create-options.js';
import { hardenedHostConfig, hasInit, type SandboxConfig } from './hardening.js';
import { containerInfo, type EngineInfo } from './info.js';
import { Claims } from './claims.js';
import { LABEL, handleFromLabels, isIdlePool, isManaged } from './labels.js';
import { metadataFromLabels } from './metadata.js';
import { generateName } from './names.js';
import { planCreate } from './plan.js';
import { UNIX_CALLER, type Caller, type HostPolicy } from './policy.js';
import { projectLogger, removeInstance, writeInstance } from '../project/index.js';
import type { SandboxNetwork } from '../network/index.js';
import type { Doors } from '../exec/index.js';
import { recreateOptions } from './recreate.js';

export interface Resolved {
  engine: Engine;
  inspect: ContainerInspect;
  handle: ContainerHandle;
}

/** How old what a create reads of its image may be (EngineImages.inspect): an inspect is most of a pool hit's cost. */
const IMAGE_FACTS_MAX_AGE_MS = 30_000;

/** Grace before SIGKILL when a container is stopped (tini passes SIGTERM on: stops take ~0.1 s). */
export const STOP_GRACE_S = 1;

/** Container ids checkReach found harmless, kept at most (then forgotten at once: a re-check is one inspect). */
const HARMLESS_KEPT = 4096;

/** Names and ids are only unique per engine: "seen" is remembered per engine. */
const seenKey = (engine: Engine, ref: string): string => `${engine.socketPath}\n${ref}`;

export interface Scope {
  project?: string;
  socketPath?: string;
}

/** What container.list shows of a container, but its lease (the pool's). */
export type ListItem = Omit<ContainerListItem, 'lease'>;

function listItem(c: ContainerSummary, labels: Record<string, string>): ListItem {
  return {
    id: c.Id,
    name: labels[LABEL.instance] ?? c.Names[0]?.replace(/^\//, '') ?? '',
    status: c.State,
    image: c.Image,
    createdAt: labels[LABEL.createdAt] || new Date(c.Created * 1000).toISOString(),
    persist: labels[LABEL.persist] === 'true',
    project: labels[LABEL.project] ?? '',
  };
}

/** The engine's refusal of a name another container has, as the caller's error. */
function nameTaken(err: unknown, name: string): unknown {
  return err instanceof DaemonError && /already in use/i.test(String(err.fields.detail ?? err.message))
    ? invalidParams('name', `"${name}" is already in use by another container`)
    : err;
}

export class Containers {
  /** Ids and names of every managed container this daemon has seen. */
  private readonly seen = new Set<string>();
  /** Container ids checkReach found harmless, and the checks under way by reference. */
  private readonly harmless = new Set<string>();
  private readonly reaching = new Map<string, Promise<void>>();
  /** The labels of containers the warm pool handed out. */
  readonly claims: Claims;
  /**
   * Pool containers handed out whose rename is still under way (by engine and new name → id): the
   * daemon answers to the new name itself meanwhile, so the rename is off the create's critical path.
   */
  private readonly renaming = new Map<string, string>();
  private readonly removedListeners: ((containerId: string) => void)[] = [];

  constructor(
    private readonly engines: Engines,
    private readonly log: Logger,
    readonly policy: HostPolicy,
    private readonly sandbox: SandboxConfig,
    private readonly network: SandboxNetwork,
    /** Each sandbox's door for its agent (exec/doors.ts), given at create; none without agents. */
    private readonly doors?: Doors,
  ) {
    this.claims = new Claims(log);
  }

  /** `caller`: who asks — what it may do to the host is checked before the engine is asked anything. */
  async create(opts: CreateOptions, caller: Caller = UNIX_CALLER): Promise<ContainerHandle> {
    const { engine, request } = await this.prepare(opts, caller);
    return this.launch(engine, request);
  }

  /** The engine and the whole create request `opts` amount to, checked against the policy, without creating anything. */
  async prepare(opts: CreateOptions, caller: Caller = UNIX_CALLER): Promise<{ engine: Engine; request: ContainerCreateRequest }> {
    this.policy.checkCreate(opts, caller);
    const engine = this.engines.get(opts.socketPath);
    const name = opts.name ?? generateName();
    const plan = await planCreate(opts, name);
    const { image, dataPath } = plan;
    // A create trusts what it read of the image a moment ago, but for a TCP caller whose image's user the policy checks.
    const facts = await engine.images.inspect(image, this.policy.readsImage(caller) ? 0 : IMAGE_FACTS_MAX_AGE_MS);
    this.policy.checkImage(image, facts, caller);
    const createdAt = new Date().toISOString();
    const imageHasInit = hasInit(facts?.entrypoint ?? []);
    return {
      engine,
      request: engineCreateOptions(plan.opts, {
        name,
        image,
        networkMode: plan.network ? await this.network.modeFor(engine) : 'none',
        createdAt,
        dataPath,
        sandbox: this.sandbox,
        imageHasInit,
      }),
    };
  }

  /** Creates and starts a container from a whole engine request and writes its instance dir, if it has one. */
  async launch(engine: Engine, asked: ContainerCreateRequest): Promise<ContainerHandle> {
    const name = asked.name!;
    const labels = asked.Labels ?? {};
    this.checkFree(engine, name);
    const door = await this.doors?.fit(asked);
    const request = door?.request ?? asked;
    let id: string;
    try {
      id = await engine.createContainer(request);
    } catch (err) {
      await door?.created(undefined);
      throw nameTaken(err, name);
    }
    await door?.created(id);
    const dataPath = labels[LABEL.dataPath];
    const log = await projectLogger(this.log, dataPath, { containerId: id, name });
    try {
      await engine.startContainer(id);
      if (dataPath) await writeInstance(dataPath, metadataFromLabels(id, request.Image ?? '', engine.socketPath, labels));
    } catch (err) {
      log.warn({ err }, 'start failed: removing the container');
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      this.doors?.removed(id);
      throw err;
    }
    this.remember(engine, id, name);
    log.info({ image: request.Image }, 'container created');
    return handleFromLabels(id, name, engine.socketPath, labels);
  }

  /**
   * Hands out the idle pool container `id` as `request` asks (pool/warm.ts): `request`'s labels its
   * truth from now on, its limits updated in place when `limits` says so, and renamed. A name the
   * daemon generated is taken by nobody (random, and checked against what is being renamed): that
   * rename goes on in the background while the daemon resolves the name itself. A caller's name may
   * be taken on the engine, so it is renamed first.
   */
  async claim(
    engine: Engine,
    id: string,
    request: ContainerCreateRequest,
    limits: boolean,
    generatedName: boolean,
  ): Promise<ContainerHandle> {
    const name = request.name!;
    const labels = request.Labels ?? {};
    this.checkFree(engine, name);
    if (!generatedName) {
      try {
        await engine.renameContainer(id, name);
      } catch (err) {
        throw nameTaken(err, name);
      }
    }
    const { Memory, MemorySwap, CpuPeriod, CpuQuota } = request.HostConfig ?? {};
    if (limits) await engine.updateContainer(id, { Memory, MemorySwap, CpuPeriod, CpuQuota });
    await this.claims.set(engine, id, labels);
    this.remember(engine, id, name);
    if (generatedName) this.renameLater(engine, id, name);
    const handle = handleFromLabels(id, name, engine.socketPath, labels);
    (await this.logOf(id, handle)).info({ image: request.Image }, 'container created (from the warm pool)');
    return handle;
  }

  /**
   * Gives a claimed container the name its claim says, in the background (claim), or on start for
   * one whose daemon was killed before it could (the claim is on disk first).
   */
  renameLater(engine: Engine, id: string, name: string): void {
    const key = seenKey(engine, name);
    this.renaming.set(key, id);
    void engine
      .renameContainer(id, name)
      .catch((err: unknown) => this.log.warn({ err, containerId: id, name }, 'warm pool: could not rename a container handed out'))
      .finally(() => {
        if (this.renaming.get(key) === id) this.renaming.delete(key);
      });
  }

  /** A name being given to a claimed container is taken, though the engine does not know it yet. */
  private checkFree(engine: Engine, name: string): void {
    if (this.renaming.has(seenKey(engine, name))) throw invalidParams('name', `"${name}" is already in use by another container`);
  }

  /**
   * Whether a container is an idle pool one (labels.ts isIdlePool), as this daemon knows: one it
   * handed out is not, though it may keep the pool's name a moment (renameLater).
   */
  isIdle(engine: Engine, id: string, labels: Record<string, string> | null | undefined, name: string): boolean {
    return isIdlePool(this.claims.labels(engine, id, labels), name);
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
      inspect = await engine.inspectContainer(this.renaming.get(seenKey(engine, ref)) ?? ref);
    } catch (err) {
      if (!(err instanceof DaemonError && err.type === 'ContainerNotFound')) throw err;
      for (const other of others) {
        inspect = await other.inspectContainer(ref).catch(() => undefined);
        if (inspect) {
          engine = other;
          break;
        }
      }
      if (!inspect) {
        for (const e of searched) this.claims.deleteGone(e, ref);
        throw searched.some((e) => this.seen.has(seenKey(e, ref))) ? containerGone(ref) : err;
      }
    }
    inspect.Config.Labels = this.claims.labels(engine, inspect.Id, inspect.Config.Labels);
    if (!isManaged(inspect.Config.Labels) || isIdlePool(inspect.Config.Labels, inspect.Name))
      throw containerNotFound(ref, 'not a pocketdock container');
    const handle = handleFromLabels(inspect.Id, inspect.Name, engine.socketPath, inspect.Config.Labels);
    this.remember(engine, inspect.Id, handle.name);
    return { engine, inspect, handle };
  }

  /**
   * Refuses `caller` a sandbox that reaches the host beyond what it may (HostPolicy.checkSandbox).
   * A container's mounts, devices and user never change, so an id found harmless is not inspected again.
   */
  checkReach(ref: string, socketPath: string | undefined, caller: Caller): Promise<void> {
    if (!this.policy.guardsSandboxes(caller) || this.harmless.has(ref)) return Promise.resolve();
    // Calls checked at once share one check, so they reach their handlers in the order they came (terminal keys).
    const key = `${socketPath ?? ''}\n${ref}`;
    let check = this.reaching.get(key);
    if (!check) {
      check = this.resolve(ref, socketPath).then(({ inspect }) => {
        this.policy.checkSandbox(inspect, caller);
        if (this.harmless.size >= HARMLESS_KEPT) this.harmless.clear();
        this.harmless.add(inspect.Id);
      });
      this.reaching.set(key, check);
      const done = () => this.reaching.delete(key);
      check.then(done, done);
    }
    return check;
  }

  /**
   * On start: drops the claims (container/claims.ts) of containers removed while no daemon watched,
   * and gives the others the name their claim says if a killed daemon had not renamed them yet.
   */
  async settleClaims(): Promise<void> {
    for (const { socketPath, containerId, labels } of this.claims.entries()) {
      try {
        const engine = this.engines.get(socketPath);
        try {
          const inspect = await engine.inspectContainer(containerId);
          const name = labels[LABEL.instance];
          if (name && inspect.Name.replace(/^\//, '') !== name) this.renameLater(engine, containerId, name);
        } catch (err) {
          if (!(err instanceof DaemonError && err.type === 'ContainerNotFound')) throw err;
          this.claims.delete(engine, containerId);
        }
      } catch (err) {
        this.log.warn({ err, containerId, engine: socketPath }, 'warm pool: could not check a claimed container');
      }
    }
  }

  /** The log of one container: its ids bound, at its project's log_level. */
  private logOf(containerId: string, handle: ContainerHandle): Promise<Logger> {
    return projectLogger(this.log, handle.dataPath, { containerId, name: handle.name });
  }

  /** Marks ids and names as seen: from now on their disappearance is reported as ContainerGone. */
  remember(engine: Engine, ...refs: string[]): void {
    for (const ref of refs) this.seen.add(seenKey(engine, ref));
  }

  /** Forgets a container the daemon removed itself (its id and name are unknown now, not gone), and tells onRemoved. */
  forget(engine: Engine, id: string, name?: string): void {
    for (const ref of name === undefined ? [id] : [id, name]) {
      this.seen.delete(seenKey(engine, ref));
      this.claims.delete(engine, ref);
    }
    this.harmless.delete(id);
    for (const fn of this.removedListeners) fn(id);
  }

  /** Calls `fn` with the id of each container the daemon removes: what was kept for it can go. */
  onRemoved(fn: (containerId: string) => void): void {
    this.removedListeners.push(fn);
  }

  async info(ref: string, socketPath?: string): Promise<EngineInfo> {
    const { engine, inspect } = await this.resolve(ref, socketPath);
    return containerInfo(engine, inspect);
  }

  /** Stops a persistent container, removes any other; answers its handle. */
  async shutdown(ref: string, force: boolean, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    const log = await this.logOf(inspect.Id, handle);
    if (handle.persist) {
      await engine.stopContainer(inspect.Id, force ? 0 : STOP_GRACE_S);
      log.info('persistent container stopped');
      return handle;
    }
    // A non-persistent sandbox's state is discarded anyway: kill and remove in one call.
    await engine.removeContainer(inspect.Id, { force: true });
    this.forget(engine, inspect.Id, handle.name);
    log.info('container removed');
    return handle;
  }

  async list(scope: Scope): Promise<ListItem[]> {
    const engine = this.engines.get(scope.socketPath);
    const list = await engine.listContainers({
      [LABEL.managed]: 'true',
      ...(scope.project !== undefined && { [LABEL.project]: scope.project }),
    });
    // Every managed container is listed: a claim whose container is not among them was removed behind the daemon's back.
    if (scope.project === undefined) this.claims.retain(engine, new Set(list.map((c) => c.Id)));
    return list
      .map((c) => this.visible(engine, c))
      .filter((c) => c !== undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** One managed container as container.list shows it, or undefined when it is not there (any more). */
  async listItem(engine: Engine, id: string): Promise<ListItem | undefined> {
    const [c] = await engine.listContainers({ [LABEL.managed]: 'true' }, id);
    return c && this.visible(engine, c);
  }

  /** A container as list shows it, with its true labels; undefined for an idle pool container. */
  private visible(engine: Engine, c: ContainerSummary): ListItem | undefined {
    const labels = this.claims.labels(engine, c.Id, c.Labels);
    return isIdlePool(labels, c.Names[0] ?? '') ? undefined : listItem(c, labels);
  }

  async resume(ref: string, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    if (!inspect.State.Running) {
      await engine.startContainer(inspect.Id);
      (await this.logOf(inspect.Id, handle)).info('container resumed');
    }
    return handle;
  }

  async stop(ref: string, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    await engine.stopContainer(inspect.Id, STOP_GRACE_S);
    (await this.logOf(inspect.Id, handle)).info('container stopped');
    return handle;
  }

  async destroy(ref: string, socketPath?: string): Promise<ContainerHandle> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    // Read before the instance dir goes: the project's log_level still applies to this last line.
    const log = await this.logOf(inspect.Id, handle);
    await engine.removeContainer(inspect.Id, { force: true });
    this.forget(engine, inspect.Id, handle.name);
    if (handle.dataPath) await removeInstance(handle.dataPath);
    log.info('container destroyed');
    return handle;
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
      this.forget(engine, c.id, c.name);
    }
    this.log.info({ removed, project: scope.project }, 'pruned');
    return removed;
  }

  /** Restarts in place, or with `fresh` recreates from the image (new id; same name, labels, settings). */
  async reboot(ref: string, fresh: boolean, socketPath?: string): Promise<{ handle: ContainerHandle; previousId: string }> {
    const { engine, inspect, handle } = await this.resolve(ref, socketPath);
    if (!fresh) {
      await engine.stopContainer(inspect.Id, STOP_GRACE_S);
      await engine.startContainer(inspect.Id);
      return { handle, previousId: inspect.Id };
    }
    await engine.removeContainer(inspect.Id, { force: true });
    this.forget(engine, inspect.Id);
    const imageHasInit = hasInit((await engine.images.inspect(inspect.Config.Image))?.entrypoint ?? []);
    const request = recreateOptions(inspect, hardenedHostConfig(this.sandbox, imageHasInit));
    // A sandbox with a network joins the one sandboxes join now, its bridge filtered (Podman reports a named network as "bridge").
    if (request.HostConfig!.NetworkMode !== 'none') request.HostConfig!.NetworkMode = await this.network.modeFor(engine);
    const next = await this.launch(engine, request);
    (await this.logOf(next.containerId, next)).info({ from: inspect.Id }, 'container recreated');
    return { handle: next, previousId: inspect.Id };
  }

  async snapshot(ref: string, imageName: string, socketPath?: string): Promise<string> {
    const { engine, inspect } = await this.resolve(ref, socketPath);
    const colon = imageName.lastIndexOf(':');
    const tagged = colon > imageName.lastIndexOf('/');
    const image = { repo: tagged ? imageName.slice(0, colon) : imageName, tag: tagged ? imageName.slice(colon + 1) : 'latest' };
    // A container started from the snapshot (by the engine's CLI too) must not pass for a managed
    // one: every pocketdock label is emptied (a commit can set labels, not remove them), and one
    // names the source.
    const labels = Object.fromEntries(
      Object.keys(inspect.Config.Labels ?? {})
        .filter((l) => l.startsWith('pocketdock.'))
        .map((l) => [l, '']),
    );
    labels[LABEL.snapshotOf] = inspect.Name.replace(/^\//, '');
    return engine.commitContainer(inspect.Id, image, labels);
  }
}
