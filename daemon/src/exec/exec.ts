/**
 * One command running in a container: started through the engine, its output demultiplexed to a
 * sink as it arrives, stoppable from outside (timeout, kill) inside the container.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Demuxer, type DemuxSink, type Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { EXEC_MARKER, signalExec } from './signal.js';

export interface ExecOutcome {
  exitCode: number;
  durationMs: number;
  /** True when the command ended after pocketdock stopped it for running past its timeout. */
  timedOut: boolean;
}

/** The exit code reported when the engine could not tell one (the command could not be stopped, or its container went away). */
export const UNKNOWN_EXIT = -1;

/** How long a stopped command gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 1000;

export interface ExecStart {
  engine: Engine;
  containerId: string;
  argv: string[];
  sink: DemuxSink;
  log: Logger;
  id?: string;
  timeoutMs?: number;
  /** Keep the command's stdin open for write(). */
  stdin?: boolean;
  /** A pseudo-terminal: raw output, all of it on stdout. */
  tty?: boolean;
  /** More environment, NAME=value. */
  env?: string[];
}

/** What a managed exec drives: a command it started (ExecRun), or one that survived a daemon restart (survivors.ts). */
export interface Run {
  readonly finished: Promise<ExecOutcome>;
  signal(signal: number): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  write(data: string | Buffer): void;
  resize(rows: number, cols: number): Promise<void>;
}

export class ExecRun implements Run {
  readonly finished: Promise<ExecOutcome>;
  private stopping: Promise<void> | undefined;
  private timedOut = false;
  private ended = false;
  /** Set when the attach stream had to be cut because even SIGKILL did not end it. */
  private abandoned = false;

  private constructor(
    readonly id: string,
    private readonly engine: Engine,
    readonly containerId: string,
    private readonly engineExecId: string,
    private readonly stream: Duplex,
    sink: DemuxSink,
    private readonly log: Logger,
    timeoutMs: number | undefined,
    started: number,
    tty: boolean,
  ) {
    const demux = new Demuxer(sink, tty ? false : undefined);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      this.timedOut = true;
      this.log.info({ timeoutMs }, 'exec timed out: stopping it');
      void this.stop();
    }, timeoutMs);
    this.finished = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    }).then(async () => {
      this.ended = true;
      clearTimeout(timer);
      demux.end();
      const exitCode = this.abandoned ? UNKNOWN_EXIT : await this.exitCode();
      const outcome = { exitCode, durationMs: Date.now() - started, timedOut: this.timedOut && !this.abandoned };
      this.log.debug(outcome, 'exec done');
      return outcome;
    }, (err: unknown) => {
      clearTimeout(timer);
      this.log.warn({ err }, 'exec stream failed');
      throw err;
    });
  }

  static async start(s: ExecStart): Promise<ExecRun> {
    const id = s.id ?? randomUUID();
    const log = s.log.child({ execId: id, containerId: s.containerId });
    const started = Date.now();
    const tty = s.tty ?? false;
    const env = [`${EXEC_MARKER}=${id}`, ...(s.env ?? [])];
    const { execId, stream } = await s.engine.exec(s.containerId, { cmd: s.argv, env, stdin: s.stdin ?? false, tty });
    log.debug({ argv: s.argv }, 'exec started');
    return new ExecRun(id, s.engine, s.containerId, execId, stream, s.sink, log, s.timeoutMs, started, tty);
  }

  /** Sends a signal to the command and everything it started, inside the container. */
  signal(signal: number): Promise<void> {
    return signalExec(this.engine, this.containerId, this.id, signal);
  }

  /**
   * SIGTERM, then SIGKILL after a grace period unless the command has ended. Should the output
   * stream still be open a grace period after SIGKILL (a process that escaped the marker holds it),
   * the stream is cut so that the run ends with UNKNOWN_EXIT instead of hanging.
   */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      await this.signal(15);
      if (await this.endsWithin(graceMs)) return;
      await this.signal(9);
      if (await this.endsWithin(graceMs)) return;
      this.log.warn('exec still holds its output after SIGKILL: detaching from it');
      this.abandoned = true;
      this.stream.destroy();
    })().catch((err: unknown) => this.log.warn({ err }, 'stopping exec failed'));
    return this.stopping;
  }

  /** Stops reading output, so the command blocks once the pipe is full (backpressure). */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Writes to the command's stdin (started with `stdin: true`). */
  write(data: string | Buffer): void {
    this.stream.write(data);
  }

  /** Sets the terminal size of a `tty` exec. */
  resize(rows: number, cols: number): Promise<void> {
    return this.engine.resizeExec(this.engineExecId, rows, cols);
  }

  private endsWithin(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(true);
    return Promise.race([
      this.finished.then(() => true, () => true),
      new Promise<false>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
  }

  private async exitCode(): Promise<number> {
    // The attach stream can close a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt++) {
      const info = await this.engine.execInspect(this.engineExecId);
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 10));
    }
    return -1;
  }
}
