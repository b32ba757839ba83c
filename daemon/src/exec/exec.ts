/**
 * One command running in a container: started through the engine, its output demultiplexed to a
 * sink as it arrives, stoppable from outside (timeout, kill) inside the container.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { DaemonError } from '../errors.js';
import { Demuxer, engineMessage, mapEngineError, type DemuxSink, type Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { containerFault } from './fault.js';
import { KILL_AFTER, supervised } from './shim.js';
import type { CommandRun, ExecOutcome, ExecStart } from './run.js';
import { armTimeout, KILLED_EXIT, runLog, STOP_GRACE_MS, UNKNOWN_EXIT } from './run.js';
import { EXEC_MARKER, signalExec } from './signal.js';

export class ExecRun implements CommandRun {
  readonly finished: Promise<ExecOutcome>;
  private readonly streamEnded: Promise<void>;
  private stopping: Promise<void> | undefined;
  /** Signals in flight: the outcome waits for them, since they decide the exit code. */
  private readonly signalling = new Set<Promise<unknown>>();
  private timedOut = false;
  private ended = false;
  /** SIGKILL ended some of the tree: the exit code says so whatever the main process died of. */
  private killed = false;
  /** Set when the attach stream had to be cut because even SIGKILL did not end it. */
  private abandoned = false;
  private paused = false;
  /** The session command noted last, and when it started: signalMarked takes what started since. */
  private noted: { marker: string; at: number } | undefined;

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
    const timer = armTimeout(timeoutMs, log, () => {
      this.timedOut = true;
      void this.stop();
    });
    this.streamEnded = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    });
    this.finished = this.streamEnded.then(
      async () => {
        this.ended = true;
        clearTimeout(timer);
        demux.end();
        await this.stopping;
        await Promise.allSettled([...this.signalling]);
        const code = this.abandoned
          ? UNKNOWN_EXIT
          : await this.exitCode().catch(async (err: unknown) => {
              throw (await containerFault(engine, this.containerId, UNKNOWN_EXIT)) ?? err;
            });
        const ours = (this.killed || this.timedOut) && !this.abandoned;
        const fault = ours ? undefined : await containerFault(engine, this.containerId, code);
        if (fault) throw fault;
        const exitCode = this.killed && code !== UNKNOWN_EXIT ? KILLED_EXIT : code;
        const outcome = { exitCode, durationMs: Date.now() - started, timedOut: this.timedOut && !this.abandoned };
        this.log.debug(outcome, 'exec done');
        return outcome;
      },
      (err: unknown) => {
        clearTimeout(timer);
        this.log.warn({ err: engineMessage(err) }, 'exec stream failed');
        throw mapEngineError(err, { socketPath: engine.socketPath });
      },
    );
  }

  static async start(s: ExecStart): Promise<ExecRun> {
    const id = s.id ?? randomUUID();
    const log = runLog(s, id);
    const started = Date.now();
    const tty = s.tty ?? false;
    // The shim's own deadline is when stop() would send SIGKILL: it acts should no helper exec be able to.
    const deadline = s.supervise && s.timeoutMs !== undefined ? [`${KILL_AFTER}=${Math.ceil((s.timeoutMs + STOP_GRACE_MS) / 1000)}`] : [];
    const env = [`${EXEC_MARKER}=${id}`, ...deadline, ...(s.env ?? [])];
    const cmd = s.supervise ? supervised(s.argv) : s.argv;
    const { execId, stream } = await s.engine.exec(s.containerId, { cmd, env, stdin: s.stdin ?? false, tty });
    log.debug({ argv: s.argv }, 'exec started');
    return new ExecRun(id, s.engine, s.containerId, execId, stream, s.sink, log, s.timeoutMs, started, tty);
  }

  /** Sends a signal to the command and everything it started, inside the container. */
  async signal(signal: number): Promise<void> {
    await this.send(signal);
  }

  /** signal(), answering whether the exec's shim was found. */
  private async send(signal: number): Promise<boolean> {
    const sent = signalExec(this.engine, this.containerId, { marker: this.id }, signal);
    this.signalling.add(sent);
    try {
      const { count, shim } = await sent;
      if (signal === 9 && count > 0) this.killed = true;
      return shim;
    } finally {
      this.signalling.delete(sent);
    }
  }

  /** The processes carrying the exec's own marker, nothing below them: for a session, its shell. */
  async signalShell(signal: number): Promise<void> {
    await signalExec(this.engine, this.containerId, { marker: this.id, exact: true }, signal);
  }

  note(marker: string): void {
    this.noted = { marker, at: Date.now() };
  }

  /** A session command's processes: its marker, and what below the shell's shim has none and started since note(). */
  async signalMarked(marker: string, signal: number): Promise<void> {
    const since = this.noted?.marker === marker ? this.noted.at : Date.now();
    await signalExec(this.engine, this.containerId, { marker, root: this.id, sinceMs: Date.now() - since }, signal);
  }

  /**
   * SIGTERM, then after a grace period SIGKILL to whatever is left — also when the main process
   * has ended, unless its shim did (which means nothing of the tree is left). Should the output
   * stream still be open a grace period after SIGKILL (a process that escaped every handle holds
   * it), the stream is cut so that the run ends with UNKNOWN_EXIT instead of hanging.
   */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      // A signal the engine cannot deliver (it went away or hangs) still leads to the detach below.
      const shim = await this.send(15).catch(() => false);
      if ((await this.endsWithin(graceMs)) && shim) return;
      await this.send(9).catch(() => false);
      if (await this.endsWithin(graceMs)) return;
      this.log.warn('exec still holds its output after SIGKILL, or the engine did not take the signal: detaching from it');
      this.abandoned = true;
      this.stream.destroy();
    })().catch((err: unknown) => this.log.warn({ err }, 'stopping exec failed'));
    return this.stopping;
  }

  /** Stops reading the attach stream when there is no room, so the command blocks once its pipe is full; resumes at `step`. */
  allow(room: number, step: number): void {
    if (room <= 0 && !this.paused) {
      this.paused = true;
      this.stream.pause();
    } else if (this.paused && room >= step) {
      this.paused = false;
      this.stream.resume();
    }
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
      this.streamEnded.then(
        () => true,
        () => true,
      ),
      new Promise<false>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
  }

  /**
   * The exit code the engine recorded. An engine that went away fails the inspection with its own
   * typed error; one that still says "running" long after the output stream closed lost that stream.
   */
  private async exitCode(): Promise<number> {
    // The attach stream can close a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt++) {
      const info = await this.engine.execInspect(this.engineExecId);
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 10));
    }
    const detail = `the engine at ${this.engine.socketPath} closed the command's output while it still runs: its exit code is unknown`;
    throw new DaemonError('SocketCommunicationError', `engine communication failed: ${detail}`, { detail });
  }
}
