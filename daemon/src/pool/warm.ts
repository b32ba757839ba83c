/**
 * The warm pool: per profile or image named in the daemon config's `pool`, a number of containers
 * created and started ahead of time through the same create path as any other (containers.prepare
 * and launch: same hardening, same labels), its agent started while it waits. A create whose
 * request differs from a pool's only in name, labels and memory/CPU limits takes a ready container —
 * its labels laid over by the claim (container/claims.ts), limits updated in place only if they
 * differ, renamed (in the background for a name the daemon chose, which it answers to meanwhile) —
 * so a hit needs no engine call before its first command, and the pool refills in the background. A
 * pool container is handed out once and never comes back. Idle ones are invisible to list, prune
 * and resolve (their name is still the one in their pool label), replaced after maxIdleSeconds,
 * removed when the daemon stops, and reused or replaced by the next daemon after a kill -9.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerHandle, CreateOptions, PoolStatus } from '@pocketdock/protocol';
import type { PoolEntry } from '../config.js';
import { LABEL, type Caller, type Containers } from '../container/index.js';
import type { ContainerCreateRequest, ContainerSummary, Engine } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { findProfile } from '../images/profiles.js';
import type { Logger } from '../log.js';

/** Before a pool tries again to create a container after a failure (the image may be built by then). */
const RETRY_MS = 5000;

interface Ready {
  id: string;
  name: string;
  idle: NodeJS.Timeout;
}

interface Bucket {
  readonly key: string;
  readonly entry: PoolEntry;
  /** The request the pool's containers are made from; undefined until it could be prepared (the image may be missing). */
  template: ContainerCreateRequest | undefined;
  /** What a create request must match to be served (matchKey). */
  match: string | undefined;
  readonly ready: Ready[];
  filling: number;
  hits: number;
  misses: number;
  refills: number;
  refillMs: number;
  lastRefillMs: number | null;
  lastError: string | null;
}

/** What the pool asks of the exec side (exec/): given as callbacks, the pool knowing nothing of agents. */
export interface PoolHooks {
  /** Readies a new pool container beyond its start (its agent), so that its first command is as quick as any. */
  prime(engine: Engine, containerId: string): Promise<unknown>;
  /** A primed container was handed out as `handle`: its first command can go without an inspect. */
  handedOut(engine: Engine, handle: ContainerHandle, image: string): Promise<void>;
}

type Limits = Pick<NonNullable<ContainerCreateRequest['HostConfig']>, 'Memory' | 'MemorySwap' | 'CpuPeriod' | 'CpuQuota'>;

/** A create request but what a pool container can still be given: name, labels, limits. */
function matchKey(engine: Engine, r: ContainerCreateRequest): string {
  const rest = {
    ...r,
    name: undefined,
    Labels: undefined,
    HostConfig: { ...r.HostConfig, Memory: undefined, MemorySwap: undefined, CpuPeriod: undefined, CpuQuota: undefined },
  };
  return createHash('sha256')
    .update(JSON.stringify([engine.socketPath, rest]))
    .digest('hex')
    .slice(0, 32);
}

const limitsOf = ({ HostConfig: h = {} }: ContainerCreateRequest): Limits => ({
  Memory: h.Memory,
  MemorySwap: h.MemorySwap,
  CpuPeriod: h.CpuPeriod,
  CpuQuota: h.CpuQuota,
});

/** Whether an update can turn `from` into `to`: a limit can be changed, not taken away. */
const reachable = (from: Limits, to: Limits): boolean =>
  (to.Memory !== undefined || from.Memory === undefined) && (to.CpuQuota !== undefined || from.CpuQuota === undefined);

const sameLimits = (a: Limits, b: Limits): boolean =>
  a.Memory === b.Memory && a.MemorySwap === b.MemorySwap && a.CpuPeriod === b.CpuPeriod && a.CpuQuota === b.CpuQuota;

export class WarmPool {
  private readonly buckets: Bucket[];
  /** Which daemon's pool a container belongs to: its state dir's hash (many daemons may share an engine). */
  private readonly owner: string;
  private readonly stop = new AbortController();
  private readonly refilling = new Set<Promise<void>>();
  private cold = 0;

  constructor(
    private readonly containers: Containers,
    private readonly engine: Engine,
    config: Record<string, PoolEntry>,
    stateDir: string,
    private readonly log: Logger,
    private readonly hooks: PoolHooks,
  ) {
    this.owner = createHash('sha256').update(resolvePath(stateDir)).digest('hex').slice(0, 16);
    this.buckets = Object.entries(config)
      .filter(([, e]) => e.size > 0)
      .map(([key, entry]) => ({
        key,
        entry,
        template: undefined,
        match: undefined,
        ready: [],
        filling: 0,
        hits: 0,
        misses: 0,
        refills: 0,
        refillMs: 0,
        lastRefillMs: null,
        lastError: null,
      }));
  }

  /** Takes over (or removes) the idle containers a previous daemon left, then fills every pool. */
  async start(): Promise<void> {
    if (this.buckets.length === 0) return;
    await Promise.all(this.buckets.map((b) => this.prepare(b).catch(() => undefined)));
    try {
      await this.adoptLeftovers();
    } catch (err) {
      this.log.warn({ err }, "warm pool: could not look for the previous daemon's pool containers");
    }
    for (const b of this.buckets) this.fill(b);
  }

  /** container.create: from a pool when one can serve the request, else cold. */
  async create(opts: CreateOptions, caller: Caller): Promise<ContainerHandle> {
    const { engine, request } = await this.containers.prepare(opts, caller);
    return (await this.take(engine, request, opts.name === undefined)) ?? this.containers.launch(engine, request);
  }

  status(): { pools: PoolStatus[]; cold: number } {
    return {
      cold: this.cold,
      pools: this.buckets.map((b) => ({
        key: b.key,
        image: b.template?.Image ?? '',
        network: b.template ? b.template.HostConfig?.NetworkMode !== 'none' : false,
        size: b.entry.size,
        ready: b.ready.length,
        filling: b.filling,
        maxIdleSeconds: b.entry.maxIdleSeconds,
        hits: b.hits,
        misses: b.misses,
        refills: b.refills,
        lastRefillMs: b.lastRefillMs,
        meanRefillMs: b.refills ? Math.round(b.refillMs / b.refills) : null,
        lastError: b.lastError,
      })),
    };
  }

  /** Daemon shutdown: no more refills; every idle container is removed (and those being made, once they are). */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.all(this.refilling);
    const idle = this.buckets.flatMap((b) => b.ready.splice(0));
    for (const r of idle) clearTimeout(r.idle);
    await Promise.all(idle.map((r) => this.remove(r.id, r.name)));
  }

  private async take(engine: Engine, request: ContainerCreateRequest, generatedName: boolean): Promise<ContainerHandle | undefined> {
    const labels = request.Labels ?? {};
    const match = matchKey(engine, request);
    const b = labels[LABEL.persist] === 'false' && !labels[LABEL.dataPath] ? this.buckets.find((x) => x.match === match) : undefined;
    if (!b || !reachable(limitsOf(b.template!), limitsOf(request))) {
      this.cold++;
      return undefined;
    }
    const ready = b.ready.shift();
    this.fill(b);
    if (!ready) {
      b.misses++;
      return undefined;
    }
    clearTimeout(ready.idle);
    try {
      const handle = await this.containers.claim(
        engine,
        ready.id,
        request,
        !sameLimits(limitsOf(b.template!), limitsOf(request)),
        generatedName,
      );
      b.hits++;
      await this.hooks.handedOut(engine, handle, request.Image ?? '');
      return handle;
    } catch (err) {
      if (err instanceof DaemonError && err.type === 'InvalidParams') {
        // The name is taken: the container was not renamed and is as idle as before.
        this.addReady(b, ready.id, ready.name);
        throw err;
      }
      this.log.warn({ err, containerId: ready.id }, 'warm pool: could not hand out a container: creating one cold');
      b.misses++;
      await this.remove(ready.id, request.name!);
      return undefined;
    }
  }

  /** The pool's create request, made once by the same path as any create (containers.prepare). */
  private async prepare(b: Bucket): Promise<ContainerCreateRequest> {
    if (b.template) return b.template;
    const opts: CreateOptions = findProfile(b.key) ? { profile: b.key } : { image: b.key };
    try {
      const { engine, request } = await this.containers.prepare(opts);
      b.template = request;
      b.match = matchKey(engine, request);
      return request;
    } catch (err) {
      b.lastError = (err as Error).message;
      throw err;
    }
  }

  /** The request of one pool container: the template under a pool name, carrying the pool's labels. */
  private requestFor(b: Bucket, template: ContainerCreateRequest): ContainerCreateRequest {
    const name = `pd-pool-${randomBytes(6).toString('hex')}`;
    const labels: Record<string, string> = {
      ...template.Labels,
      [LABEL.pool]: name,
      [LABEL.poolOwner]: this.owner,
      [LABEL.poolKey]: b.match!,
    };
    // Its name and creation time are given when it is handed out (the claim's labels).
    delete labels[LABEL.instance];
    delete labels[LABEL.createdAt];
    return { ...template, name, Labels: labels };
  }

  /** Starts refilling `b` unless it is full or already refilling: one container at a time, in the background. */
  private fill(b: Bucket): void {
    if (this.stop.signal.aborted || b.filling > 0 || b.ready.length >= b.entry.size) return;
    b.filling = 1;
    const run = this.refill(b).finally(() => {
      b.filling = 0;
      this.refilling.delete(run);
    });
    this.refilling.add(run);
  }

  private async refill(b: Bucket): Promise<void> {
    const { signal } = this.stop;
    while (!signal.aborted && b.ready.length < b.entry.size) {
      const started = performance.now();
      try {
        const request = this.requestFor(b, await this.prepare(b));
        const { containerId } = await this.containers.launch(this.engine, request);
        await this.hooks.prime(this.engine, containerId);
        b.lastRefillMs = Math.round(performance.now() - started);
        b.refillMs += b.lastRefillMs;
        b.refills++;
        b.lastError = null;
        // Added even when the daemon is stopping: close() removes every ready one after the refills.
        this.addReady(b, containerId, request.name!);
      } catch (err) {
        b.lastError = (err as Error).message;
        this.log.warn({ err, pool: b.key }, 'warm pool: could not create a container: trying again later');
        await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private addReady(b: Bucket, id: string, name: string, idleMs = b.entry.maxIdleSeconds * 1000): void {
    const ready: Ready = { id, name, idle: setTimeout(() => void this.expire(b, ready), idleMs) };
    ready.idle.unref();
    b.ready.push(ready);
  }

  /** A ready container waited maxIdleSeconds: it is replaced by a fresh one. */
  private async expire(b: Bucket, ready: Ready): Promise<void> {
    const at = b.ready.indexOf(ready);
    if (at < 0) return;
    b.ready.splice(at, 1);
    await this.remove(ready.id, ready.name);
    this.fill(b);
  }

  private async remove(id: string, name: string): Promise<void> {
    try {
      await this.engine.removeContainer(id, { force: true });
      this.containers.forget(this.engine, id, name);
    } catch (err) {
      this.log.warn({ err, containerId: id }, 'warm pool: could not remove an idle container');
    }
  }

  /**
   * The idle containers a previous daemon with this state dir left (it was killed): running ones a
   * pool still wants and young enough are taken back, the others removed.
   */
  private async adoptLeftovers(): Promise<void> {
    const nameOf = (c: ContainerSummary) => c.Names[0]?.replace(/^\//, '') ?? '';
    const left = (await this.engine.listContainers({ [LABEL.poolOwner]: this.owner })).filter((c) =>
      this.containers.isIdle(this.engine, c.Id, c.Labels, nameOf(c)),
    );
    for (const c of left) {
      const name = nameOf(c);
      const b = this.buckets.find((x) => x.match !== undefined && x.match === c.Labels[LABEL.poolKey]);
      const idleMs = b ? b.entry.maxIdleSeconds * 1000 - (Date.now() - c.Created * 1000) : 0;
      if (b && c.State === 'running' && idleMs > 0 && b.ready.length < b.entry.size) {
        this.addReady(b, c.Id, name, idleMs);
      } else {
        await this.remove(c.Id, name);
      }
    }
    const kept = this.buckets.reduce((n, b) => n + b.ready.length, 0);
    if (left.length) this.log.info({ found: left.length, kept }, "warm pool: the previous daemon's idle containers taken back");
  }
}
