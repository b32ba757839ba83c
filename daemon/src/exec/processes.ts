/**
 * The daemon-wide registry of execs by id: blocking runs, streamed runs, detached processes (and,
 * later, session shells) all start here and share ManagedExec's output path. An id names one exec
 * for good: starting again with the same id returns the existing exec instead of running the
 * command twice. A finished exec stays addressable for RETAIN_MS so that late clients can still read
 * its output and result, unless its container is removed: then nothing is left to read it for.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULTS, type ExecKind, type ExecResult, type ExecSummary, type Lang } from '@pocketdock/protocol';
import { invalidParams, invalidRequest, processLost, type DaemonError } from '../errors.js';
import type { DemuxSink } from '../engine/index.js';
import type { Logger } from '../log.js';
import { processLog, projectLogger, recordCommand } from '../project/index.js';
import { ManagedExec, type ExecIo } from './managed-exec.js';
import type { CommandRun } from './run.js';
import type { ExecVia } from './agents.js';
import type { ExecTarget, ExecTargets } from './target.js';
import { StateFile, hasStrings } from '../state-file.js';
import { BufferBudget } from './budget.js';
import { OutputCollector } from './collector.js';
import { INITIAL_RING_BYTES } from './ring-buffer.js';
import { SurvivorRun, survivingExecIds } from './survivors.js';
import { AgentRun } from './agent-run.js';

/** How long a finished exec stays addressable. */
export const RETAIN_MS = 10 * 60 * 1000;

export interface StartRequest {
  container: string;
  /** The engine the container lives on; default: look on every engine the daemon knows. */
  socketPath?: string;
  command: string;
  execId?: string;
  /** Seconds; default: the container's timeout, or none for a detached process. */
  timeout?: number;
  /** Bytes per stream; default 10 MiB, or no limit for a detached process. */
  maxOutput?: number;
  lang?: Lang;
  bufferSize?: number;
  detach?: boolean;
  /** Keep the first maxOutput bytes for the result (blocking runs). */
  collect?: boolean;
  stdin?: boolean;
  io?: ExecIo;
  /** Write the exec's line to the project history when it ends (default true; a session records its commands instead). */
  history?: boolean;
  /** What exec.list calls it; default from collect and detach ("run", "process" or "stream"). */
  kind?: ExecKind;
  /** Whose per-client cap it counts against (rpc/client-caps.ts): kept with a detached exec, so a restarted daemon counts it again. */
  owner?: string;
}

/** What exec.list tells of an exec besides its state. */
interface Started {
  command: string;
  kind: ExecKind;
  startedAt: string;
}

/** A detached exec (a session's shell too) as the state dir keeps it, for a daemon that starts after this one was killed. */
export interface StoredExec {
  execId: string;
  containerId: string;
  socketPath: string;
  /** The container as its starter named it; what exec.list says of it (absent in files of earlier versions). */
  container?: string;
  command?: string;
  kind?: ExecKind;
  startedAt?: string;
  owner?: string;
}

/**
 * How an exec of one kind comes back after a restart (sessions register theirs): the I/O its
 * ManagedExec needs, and what to do once it is registered.
 */
export type Resumer = (stored: StoredExec, target: ExecTarget) => Promise<{ io: ExecIo; resumed(exec: ManagedExec): void }>;

/** Kinds that are nothing without the stdin the agent keeps open: found only in /proc, they cannot come back. */
const NEEDS_STDIN: ReadonlySet<ExecKind> = new Set(['session']);

export const EXECS_FILE = 'execs.json';

/** How long a finished exec stays registered: a blocking run nobody named has had its one reader, its (possibly large) result need not linger. */
const retainOf = (req: StartRequest): number => (req.collect && req.execId === undefined ? 0 : RETAIN_MS);

/** Linux takes no single argument longer than this (MAX_ARG_STRLEN, NUL included), and the command is one. */
export const MAX_COMMAND_BYTES = 128 * 1024 - 1;

/** What the daemon's config bounds of execs (config.ts Limits). */
export interface ExecLimits {
  maxRunOutput: number;
  maxBufferedBytes: number;
}

export class Processes {
  private readonly execs = new Map<string, Promise<ManagedExec>>();
  /** Each exec's history line in its project's instance dir, written once it ends (project/records.ts). */
  private readonly recorded = new WeakMap<ManagedExec, Promise<void>>();
  private readonly started = new WeakMap<ManagedExec, Started>();
  /** By container id: its registered execs, so that they go with it (containerRemoved). */
  private readonly ofContainer = new Map<string, Set<ManagedExec>>();
  /** A finished exec's way out of the registry, called when its time is up or its container goes. */
  private readonly forgetters = new WeakMap<ManagedExec, () => void>();
  private readonly forgotten: ((execId: string) => void)[] = [];
  /** Detached execs running now: what a restarted daemon looks for. */
  private readonly detached = new Map<string, StoredExec>();
  private store: StateFile<StoredExec> | undefined;
  /** Settles once the execs that outlived the previous daemon are registered: lookups wait for it. */
  private recovering: Promise<void> = Promise.resolve();
  private readonly resumers = new Map<ExecKind, Resumer>();
  private readonly adoptedHooks: ((owner: string, kind: ExecKind, exec: ManagedExec) => void)[] = [];
  /** Why each exec the previous daemon recorded did not come back (ProcessLost's detail for its id). */
  private readonly unrecoverable = new Map<string, string>();

  /** What the registered execs' buffers hold, together (ExecLimits.maxBufferedBytes). */
  private readonly budget: BufferBudget;

  constructor(
    private readonly targets: ExecTargets,
    private readonly log: Logger,
    private readonly limits: ExecLimits,
  ) {
    this.budget = new BufferBudget(limits.maxBufferedBytes);
  }

  /**
   * Finds the detached execs and session shells the previous daemon recorded that still run, and
   * registers them, their output until now reported `lost`. Those the container's agent still runs
   * (it outlived the daemon and was handed this one: AgentClient.living) come back whole: live
   * output, stdin, signals, their real exit code (kept by the agent for one that ended meanwhile). Others (run as engine execs) are found by their
   * marker in /proc (survivors.ts): they can be killed and waited on, with no output and no exit
   * code; a session's shell cannot come back that way (its stdin went with the old daemon). Until
   * this is done, an unknown id waits for it; after, an id that did not come back answers
   * ProcessLost at once.
   */
  recover(stateDir: string): Promise<number> {
    this.store = StateFile.inStateDir(
      stateDir,
      EXECS_FILE,
      () => [...this.detached.values()],
      hasStrings<StoredExec>('execId', 'containerId', 'socketPath'),
    );
    const stored = this.store.load();
    const found = this.adoptSurvivors(stored);
    this.recovering = found.then(() => undefined);
    return found;
  }

  /** How execs of `kind` come back after a restart (registered before recover() runs). */
  resumeWith(kind: ExecKind, resumer: Resumer): void {
    this.resumers.set(kind, resumer);
  }

  /** Calls `fn` for each exec of the previous daemon taken back that had an owner (its client's cap counts it again). */
  onAdopted(fn: (owner: string, kind: ExecKind, exec: ManagedExec) => void): void {
    this.adoptedHooks.push(fn);
  }

  /** Settles once the execs of the previous daemon that survived are registered. */
  get recovered(): Promise<void> {
    return this.recovering;
  }

  /** ProcessLost for an id the previous daemon recorded that did not come back (after recovery), else undefined. */
  lostError(execId: string): DaemonError | undefined {
    const detail = this.unrecoverable.get(execId);
    return detail === undefined ? undefined : processLost(execId, detail);
  }

  private async adoptSurvivors(stored: StoredExec[]): Promise<number> {
    const byContainer = new Map<string, StoredExec[]>();
    for (const e of stored) byContainer.set(e.containerId, [...(byContainer.get(e.containerId) ?? []), e]);
    let adopted = 0;
    for (const [containerId, execs] of byContainer) {
      try {
        const target = await this.targets.resolve(containerId, '', undefined, execs[0]!.socketPath);
        const living = new Map((target.agent ? await target.agent.living : []).map((l) => [l.execId, l]));
        const alive = execs.some((e) => !living.has(e.execId)) ? new Set(await survivingExecIds(target.engine, containerId)) : new Set();
        for (const e of execs) {
          const l = living.get(e.execId);
          const kind = e.kind ?? 'process';
          if (this.execs.has(e.execId)) continue;
          if (!l && NEEDS_STDIN.has(kind)) {
            this.unrecoverable.set(
              e.execId,
              `the ${kind}'s shell was not held by the container's agent (it ran as an engine exec, or the agent ended): its stdin went with the daemon that was stopped`,
            );
            continue;
          }
          if (!l && !alive.has(e.execId)) {
            this.unrecoverable.set(e.execId, 'it ended while no daemon ran, and no agent kept its exit code');
            continue;
          }
          const { agent } = target;
          await this.adoptOne(e, kind, target, (sink, log) =>
            l && agent ? AgentRun.adopt(agent, l, { ...target, sink, log }) : new SurvivorRun(target.engine, containerId, e.execId),
          );
          adopted++;
        }
      } catch (err) {
        // Its container is gone or stopped: so are its processes.
        const reason = (err as Error).message;
        this.log.info({ containerId, reason }, 'execs of the previous daemon did not survive');
        for (const e of execs) this.unrecoverable.set(e.execId, `its container did not survive the daemon that was stopped (${reason})`);
      }
    }
    if (stored.length) this.log.info({ recorded: stored.length, adopted }, 'execs of the previous daemon found again');
    await this.persist();
    return adopted;
  }

  private async adoptOne(
    e: StoredExec,
    kind: ExecKind,
    target: ExecTarget,
    run: (sink: DemuxSink, log: Logger) => CommandRun,
  ): Promise<void> {
    const resumed = await this.resumers.get(kind)?.(e, target);
    const log = this.log.child({ execId: e.execId, containerId: e.containerId });
    const exec = new ManagedExec({
      id: e.execId,
      containerRef: e.container ?? e.containerId,
      target,
      log,
      timeoutMs: undefined,
      maxOutput: Infinity,
      bufferSize: DEFAULTS.bufferSize,
      collect: false,
      budget: this.budget,
      ...(resumed && { io: resumed.io }),
    });
    exec.adopt((sink) => run(sink, log));
    this.execs.set(e.execId, Promise.resolve(exec));
    this.started.set(exec, { command: e.command ?? '', kind, startedAt: e.startedAt ?? new Date().toISOString() });
    resumed?.resumed(exec);
    if (e.owner !== undefined) for (const fn of this.adoptedHooks) fn(e.owner, kind, exec);
    void this.track(e, exec, RETAIN_MS);
  }

  /**
   * Starts an exec, or returns the one registered under `execId`. `attach` is called before the
   * command starts (or on the existing exec), so a subscriber it adds misses nothing.
   */
  start(req: StartRequest, attach?: (exec: ManagedExec) => void): Promise<ManagedExec> {
    const id = req.execId ?? randomUUID();
    const existing = this.execs.get(id);
    if (existing) {
      return existing.then((exec) => {
        if (req.container !== exec.containerRef && req.container !== exec.containerId) {
          throw invalidParams('execId', `"${id}" already names an exec in container ${exec.containerRef}`);
        }
        attach?.(exec);
        return exec;
      });
    }
    const starting = this.launch(id, req, attach);
    this.execs.set(id, starting);
    starting.catch(() => {
      if (this.execs.get(id) === starting) this.execs.delete(id);
    });
    return starting;
  }

  /**
   * Runs a command to completion (container.run), registered like any exec. `held`: the caller's
   * connection, and how long the exec outlives it with nobody else waiting (stopWhenForsaken).
   */
  async run(req: StartRequest, held?: { closed: AbortSignal; graceMs: number }): Promise<ExecResult> {
    const exec = await this.start({ ...req, collect: true });
    if (held) exec.stopWhenForsaken(held.closed, held.graceMs);
    await exec.done;
    await this.recorded.get(exec);
    return exec.outcome();
  }

  /** The execs of a container (by its id) still registered, oldest first, optionally of one kind. */
  async list(containerId: string, kind?: ExecKind): Promise<ExecSummary[]> {
    const settled = await Promise.allSettled(this.execs.values());
    const out: ExecSummary[] = [];
    for (const s of settled) {
      const about = s.status === 'fulfilled' ? this.started.get(s.value) : undefined;
      if (!about || s.status !== 'fulfilled' || s.value.containerId !== containerId || (kind && about.kind !== kind)) continue;
      out.push({ ...s.value.state(), ...about });
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The daemon stopped or restarted the container: its next command finds it as it is now. */
  containerStopped(containerId: string): void {
    this.targets.forget(containerId);
  }

  /** The daemon removed the container: its execs are forgotten, the finished ones now, the others as they end. */
  containerRemoved(containerId: string): void {
    this.targets.removed(containerId);
    for (const exec of this.ofContainer.get(containerId) ?? []) void exec.done.then(() => this.forgetters.get(exec)?.());
  }

  /** Calls `fn` with the bytes of output each exec held when it is forgotten (the daemon's quiet collection takes them back). */
  onFreed(fn: (bytes: number) => void): void {
    this.budget.onGive(fn);
  }

  /** Calls `fn` with the id of each exec the registry forgets. */
  onForget(fn: (execId: string) => void): void {
    this.forgotten.push(fn);
  }

  /** How a container's commands run: through its agent, or as engine execs and why. */
  via(container: string, socketPath?: string): Promise<ExecVia> {
    return this.targets.via(container, socketPath);
  }

  get(execId: string): Promise<ManagedExec> {
    return (
      this.execs.get(execId) ??
      this.recovering.then(() => this.execs.get(execId) ?? Promise.reject(this.lostError(execId) ?? processLost(execId)))
    );
  }

  /**
   * What keeps a blocking result (a session's sendAndWait too): at most limits.maxRunOutput bytes per
   * stream, refused up front beyond that, taken from the execs' buffer budget as it arrives.
   */
  collector(maxOutput = DEFAULTS.maxOutput): OutputCollector {
    this.checkResultSize(maxOutput);
    return new OutputCollector(maxOutput, this.budget);
  }

  private checkResultSize(maxOutput: number): void {
    if (maxOutput > this.limits.maxRunOutput) {
      throw invalidParams(
        'maxOutput',
        `must be at most ${this.limits.maxRunOutput} for a blocking run (its result is built in memory): stream or detach the command to follow more output`,
      );
    }
  }

  /**
   * Refuses what cannot start: a command longer than the kernel takes, a blocking run keeping more
   * than its result may (one string per stream, capped before anything starts), and any exec while
   * the execs' buffers together hold the whole budget (BufferBudget: real bytes, not what they may grow to).
   */
  private admit(req: StartRequest): void {
    const size = Buffer.byteLength(req.command);
    if (size > MAX_COMMAND_BYTES) {
      throw invalidParams(
        'command',
        `is ${size} bytes; the kernel takes at most ${MAX_COMMAND_BYTES} in one argument: write the script to a file (writeFile) and run the file`,
      );
    }
    if (req.collect) this.checkResultSize(req.maxOutput ?? DEFAULTS.maxOutput);
    const first = 2 * Math.min(INITIAL_RING_BYTES, req.bufferSize ?? DEFAULTS.bufferSize);
    if (this.budget.used + first > this.budget.max) {
      throw invalidRequest(
        `the daemon's exec buffers are full (${this.budget.used} of ${this.budget.max} bytes held): wait for execs to end, or read or kill the ones whose output piles up`,
      );
    }
  }

  private async launch(id: string, req: StartRequest, attach?: (exec: ManagedExec) => void): Promise<ManagedExec> {
    this.admit(req);
    const target = await this.targets.resolve(req.container, req.command, req.lang, req.socketPath);
    const detach = req.detach ?? false;
    const timeout = req.timeout ?? (detach ? undefined : target.timeout);
    const kind = req.kind ?? (req.collect ? 'run' : detach ? 'process' : 'stream');
    // A project's detached process writes its output to the instance's logs/ too (auto_log); a
    // session's or terminal's shell is logged as the session, by what it ran.
    const logged = kind === 'process' && target.handle.dataPath;
    const log = await projectLogger(this.log, target.handle.dataPath, { execId: id, containerId: target.containerId });
    const exec = new ManagedExec({
      id,
      containerRef: req.container,
      target,
      log,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      maxOutput: req.maxOutput ?? (detach ? Infinity : DEFAULTS.maxOutput),
      bufferSize: req.bufferSize ?? DEFAULTS.bufferSize,
      collect: req.collect ?? false,
      budget: this.budget,
      stdin: req.stdin ?? false,
      ...((req.io || logged) && {
        io: { ...req.io, ...(logged && processLog(target.handle, id, log)) },
      }),
    });
    attach?.(exec);
    this.started.set(exec, { command: req.command, kind, startedAt: new Date().toISOString() });
    try {
      await exec.start();
    } catch (err) {
      exec.dispose();
      exec.release();
      throw err;
    }
    if (req.history !== false)
      this.recorded.set(
        exec,
        exec.done.then((r) =>
          recordCommand(
            target.handle,
            {
              kind: req.collect ? 'run' : 'process',
              command: req.command,
              exitCode: r.exitCode,
              durationMs: r.durationMs,
              timedOut: r.timedOut,
            },
            this.log,
          ),
        ),
      );
    const stored: StoredExec = {
      execId: id,
      containerId: target.containerId,
      socketPath: target.engine.socketPath,
      container: req.container,
      command: req.command,
      kind,
      startedAt: this.started.get(exec)!.startedAt,
      ...(req.owner !== undefined && { owner: req.owner }),
    };
    await this.track(detach ? stored : undefined, exec, retainOf(req));
    return exec;
  }

  /**
   * Forgets an exec RETAIN_MS after it ended, giving its buffers back; a detached one is on disk while it runs (the start is
   * answered once it is), so that a daemon killed meanwhile finds it again.
   */
  private async track(stored: StoredExec | undefined, exec: ManagedExec, retainMs: number): Promise<void> {
    const mine = this.ofContainer.get(exec.containerId) ?? new Set();
    this.ofContainer.set(exec.containerId, mine.add(exec));
    void exec.done.then(() => {
      const forget = () => {
        if (!this.forgetters.delete(exec)) return;
        clearTimeout(timer);
        this.execs.delete(exec.id);
        exec.release();
        mine.delete(exec);
        if (!mine.size && this.ofContainer.get(exec.containerId) === mine) this.ofContainer.delete(exec.containerId);
        for (const fn of this.forgotten) fn(exec.id);
      };
      const timer = setTimeout(forget, retainMs).unref();
      this.forgetters.set(exec, forget);
      if (stored && this.detached.delete(stored.execId)) void this.persist();
    });
    if (stored && exec.running) {
      this.detached.set(stored.execId, stored);
      await this.persist();
    }
  }

  private async persist(): Promise<void> {
    await this.store?.saveOrLog(this.log);
  }
}
