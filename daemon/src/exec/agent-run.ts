/**
 * A command run by the container's agent (agents.ts). The agent keeps everything the command
 * starts in one tree, however it detaches (a subreaper shim per command), so a timeout or a kill
 * reaches all of it, and "nothing is left" is an event (`gone`) rather than a guess. The rules are
 * an engine exec's under its shim (exec.ts): once a signal meant to end the command was sent, the
 * run ends only when the tree is gone; 137 when SIGKILL had to end part of it; `timedOut` only once
 * nothing is left.
 */
import { randomUUID } from 'node:crypto';
import type { AgentClient, AgentCommand, Living } from '@pocketdock/agent';
import type { Logger } from '../log.js';
import { containerFault } from './fault.js';
import { armTimeout, KILLED_EXIT, runLog, STOP_GRACE_MS, UNKNOWN_EXIT, type CommandRun, type ExecOutcome, type ExecStart } from './run.js';
import { settlesWithin } from './settle.js';
import { EXEC_MARKER } from './signal.js';

const SIGKILL = 9;
/**
 * How long a tree SIGKILLed (the agent repeats it every 10 ms) may take to be gone before the run is
 * given up on: 512 tasks of a fork bomb on a loaded 2-core machine took more than a second.
 */
const KILL_PATIENCE_MS = 5_000;
const SIGTERM = 15;
/** Signals that end a process by default: after one, the run waits for the whole tree. */
const ENDING = new Set([1, 2, 3, SIGKILL, SIGTERM]);

export class AgentRun implements CommandRun {
  readonly finished: Promise<ExecOutcome>;
  private stopping: Promise<boolean> | undefined;
  private timedOut = false;
  /** A signal meant to end the command was sent: the run ends once nothing of the tree is left. */
  private held = false;
  /** SIGKILL ended some of the tree. */
  private killed = false;
  /** Signals in flight: the outcome waits for them, since they decide the exit code. */
  private readonly signalling = new Set<Promise<unknown>>();
  private limit: number;
  /** Set when the tree outlived SIGKILL: the run ends without waiting for the command. */
  private giveUp!: () => void;
  private gaveUp = false;

  private constructor(
    readonly id: string,
    private readonly cmd: AgentCommand,
    private readonly log: Logger,
    timeoutMs: number | undefined,
    limit: number,
    /** Output bytes that arrived, both streams: what the agent counts against the limit. */
    private readonly output: { received: number },
    private readonly where: Pick<ExecStart, 'engine' | 'containerId'>,
  ) {
    const started = Date.now();
    this.limit = limit;
    const timer = armTimeout(timeoutMs, log, () => {
      this.timedOut = true;
      void this.stop();
    });
    const abandoned = new Promise<number>((resolve) => {
      this.giveUp = () => resolve(UNKNOWN_EXIT);
    });
    this.finished = Promise.race([cmd.exited, abandoned]).then(
      async (code) => {
        if (this.held) await Promise.race([cmd.gone.catch(() => undefined), abandoned]);
        clearTimeout(timer);
        const gone = this.timedOut && (await this.stopping!);
        // A run given up on waits for no signal's answer: the agent may never give one (a hung engine).
        await Promise.race([Promise.allSettled([...this.signalling]), abandoned]);
        const ours = (this.killed || this.timedOut) && !this.gaveUp;
        const fault = ours ? undefined : await containerFault(this.where.engine, this.where.containerId, code);
        if (fault) throw fault;
        const exitCode = this.killed && code !== UNKNOWN_EXIT ? KILLED_EXIT : code;
        const outcome = { exitCode, durationMs: Date.now() - started, timedOut: gone };
        this.log.debug(outcome, 'exec done');
        return outcome;
      },
      (err: unknown) => {
        clearTimeout(timer);
        return this.lost(err as Error, started);
      },
    );
  }

  static start(agent: AgentClient, s: ExecStart): AgentRun {
    const id = s.id ?? randomUUID();
    const log = runLog(s, id);
    const env = [`${EXEC_MARKER}=${id}`, ...(s.env ?? [])];
    const limit = s.room ?? Infinity;
    const output = { received: 0 };
    const cmd = agent.spawn({ argv: s.argv, env, cwd: '', stdin: s.stdin ?? false, limit }, counted(output, s.sink));
    log.debug({ argv: s.argv, agentId: cmd.id }, 'exec started by the agent');
    return new AgentRun(id, cmd, log, s.timeoutMs, limit, output, s);
  }

  /**
   * A command of an earlier daemon that the agent outlived it with (AgentClient.living): its output
   * from now on, its stdin, signals and real exit code, as if this daemon had started it.
   */
  static adopt(agent: AgentClient, living: Living, s: Pick<ExecStart, 'engine' | 'containerId' | 'sink' | 'log'>): AgentRun {
    const output = { received: living.sent };
    const cmd = agent.adopt(living, counted(output, s.sink));
    output.received += cmd.dropped;
    s.log.debug({ agentId: cmd.id }, 'exec of an earlier daemon taken over from the agent');
    return new AgentRun(living.execId, cmd, s.log, undefined, Infinity, output, s);
  }

  /**
   * The agent's stream ended under the command: the container's fault when it stopped, went or lost
   * its engine (containerFault), else the agent was killed and the exit code is unknown.
   */
  private async lost(err: Error, started: number): Promise<ExecOutcome> {
    this.log.warn({ reason: err.message }, 'the agent ended under the command');
    const fault = await containerFault(this.where.engine, this.where.containerId, UNKNOWN_EXIT);
    if (fault) throw fault;
    return { exitCode: UNKNOWN_EXIT, durationMs: Date.now() - started, timedOut: false };
  }

  /** To every process of the tree; a SIGKILL is repeated until nothing of it is left. */
  async signal(signal: number): Promise<void> {
    if (ENDING.has(signal)) this.held = true;
    const sent = this.cmd.signal(signal).catch(() => 0);
    this.signalling.add(sent);
    try {
      if (signal === SIGKILL && (await sent) > 0) this.killed = true;
    } finally {
      this.signalling.delete(sent);
    }
  }

  async signalShell(signal: number): Promise<void> {
    await this.cmd.signalMain(signal).catch(() => 0);
  }

  note(marker: string): void {
    this.cmd.note(marker);
  }

  async signalMarked(marker: string, signal: number): Promise<void> {
    await this.cmd.signalMarked(signal, marker).catch(() => 0);
  }

  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      await this.signal(SIGTERM);
      return this.sweep(graceMs);
    })();
    return this.stopping.then(() => undefined);
  }

  /**
   * As an absolute limit: what is in flight between agent and daemon already counts against it. A
   * limit never goes down; a raise smaller than `step` waits for the agent to reach its limit, when
   * the bytes that arrive call this again.
   */
  allow(room: number, step: number): void {
    const received = this.output.received;
    const limit = received + room;
    if (limit > this.limit && (limit - this.limit >= step || this.limit <= received)) this.raise(limit);
  }

  private raise(limit: number): void {
    this.limit = limit;
    this.cmd.allow(limit);
  }

  write(data: string | Buffer): void {
    this.cmd.write(typeof data === 'string' ? Buffer.from(data) : data);
  }

  resize(): Promise<void> {
    return Promise.reject(new Error('an agent command has no terminal'));
  }

  /** SIGKILL to what is left after the grace; true once nothing of the tree is left. */
  private async sweep(graceMs = STOP_GRACE_MS): Promise<boolean> {
    if (await this.goneWithin(graceMs)) return true;
    // The agent answers a signal over the engine's stream: one that hangs must not hang the stop.
    await settlesWithin(this.signal(SIGKILL), graceMs);
    if (await this.goneWithin(Math.max(graceMs, KILL_PATIENCE_MS))) return true;
    this.log.warn('the command outlived SIGKILL, or the agent no longer answers: giving up on it');
    this.gaveUp = true;
    this.giveUp();
    return false;
  }

  /** Whether the agent says, within `ms`, that nothing of the tree is left (an agent that died cannot say so). */
  private async goneWithin(ms: number): Promise<boolean> {
    return (
      (await settlesWithin(this.cmd.gone, ms)) &&
      this.cmd.gone.then(
        () => true,
        () => false,
      )
    );
  }
}

/** The sink, counting what arrives: the agent's output limit counts the same bytes. */
function counted(output: { received: number }, sink: ExecStart['sink']): ExecStart['sink'] {
  return (stream, data) => {
    output.received += data.length;
    sink(stream, data);
  };
}
