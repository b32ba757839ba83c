/**
 * The daemon-wide registry of execs by id: blocking runs, streamed runs, detached processes (and,
 * later, session shells) all start here and share ManagedExec's output path. An id names one exec
 * for good: starting again with the same id returns the existing exec instead of running the
 * command twice. A finished exec stays addressable for RETAIN_MS so that late clients can still read
 * its output and result.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULTS, type ExecKind, type ExecResult, type ExecSummary, type Lang } from '@pocketdock/protocol';
import { invalidParams, processLost } from '../errors.js';
import type { Logger } from '../log.js';
import { recordCommand } from '../project/index.js';
import { ManagedExec, type ExecIo } from './managed-exec.js';
import type { ExecTargets } from './target.js';

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
}

/** What exec.list tells of an exec besides its state. */
interface Started {
  command: string;
  kind: ExecKind;
  startedAt: string;
}

export class Processes {
  private readonly execs = new Map<string, Promise<ManagedExec>>();
  /** Each exec's history line in its project's instance dir, written once it ends (project/records.ts). */
  private readonly recorded = new WeakMap<ManagedExec, Promise<void>>();
  private readonly started = new WeakMap<ManagedExec, Started>();

  constructor(private readonly targets: ExecTargets, private readonly log: Logger) {}

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
    starting.catch(() => { if (this.execs.get(id) === starting) this.execs.delete(id); });
    return starting;
  }

  /** Runs a command to completion (container.run), registered like any exec. */
  async run(req: StartRequest): Promise<ExecResult> {
    const exec = await this.start({ ...req, collect: true });
    const result = await exec.done;
    await this.recorded.get(exec);
    return result;
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

  get(execId: string): Promise<ManagedExec> {
    return this.execs.get(execId) ?? Promise.reject(processLost(execId));
  }

  private async launch(id: string, req: StartRequest, attach?: (exec: ManagedExec) => void): Promise<ManagedExec> {
    const target = await this.targets.resolve(req.container, req.command, req.lang, req.socketPath);
    const detach = req.detach ?? false;
    const timeout = req.timeout ?? (detach ? undefined : target.timeout);
    const exec = new ManagedExec({
      id,
      containerRef: req.container,
      target,
      log: this.log.child({ execId: id, containerId: target.containerId }),
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      maxOutput: req.maxOutput ?? (detach ? Infinity : DEFAULTS.maxOutput),
      bufferSize: req.bufferSize ?? DEFAULTS.bufferSize,
      collect: req.collect ?? false,
      stdin: req.stdin ?? false,
      ...(req.io && { io: req.io }),
    });
    attach?.(exec);
    const kind = req.kind ?? (req.collect ? 'run' : detach ? 'process' : 'stream');
    this.started.set(exec, { command: req.command, kind, startedAt: new Date().toISOString() });
    try {
      await exec.start();
    } catch (err) {
      exec.dispose();
      throw err;
    }
    if (req.history !== false) this.recorded.set(exec, exec.done.then((r) => recordCommand(target.handle, {
      kind: req.collect ? 'run' : 'process', command: req.command, exitCode: r.exitCode, durationMs: r.durationMs, timedOut: r.timedOut,
    }, this.log)));
    // A blocking run nobody named has had its one reader: its (possibly large) result need not linger.
    const retainMs = req.collect && req.execId === undefined ? 0 : RETAIN_MS;
    void exec.done.then(() => setTimeout(() => this.execs.delete(id), retainMs).unref());
    return exec;
  }
}
