/**
 * A session: one long-lived shell in a container (shell.ts says what a command may do to it), fed
 * one command at a time from a queue, so that concurrent callers — from any client — never
 * interleave. The shell is a registered exec: its output, with the end-of-command marks stripped by
 * `filter`, fills the exec's ring buffers (exec.subscribe/poll on the session's id follow it), and
 * each piece also goes to the command that produced it: a sendAndWait command's output is its
 * result; a send command's output, and anything printed between commands, waits for read().
 */
import { randomBytes } from 'node:crypto';
import { DEFAULTS, type ContainerHandle, type ExecResult, type StreamName } from '@pocketdock/protocol';
import { invalidParams, sessionClosed } from '../errors.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { appendLog, logSource, recordCommand } from '../project/index.js';
import { OutputCollector, RingBuffer, STOP_GRACE_MS, completeUtf8Length, settlesWithin, type ManagedExec } from '../exec/index.js';
import { SentinelScanner, type Mark } from './sentinel.js';
import { INTERRUPT_SIGNAL, PROBE_COMMAND, SHELL_INIT, commandLine } from './shell.js';

export interface SessionTarget {
  engine: Engine;
  containerId: string;
  handle: ContainerHandle;
}

export interface CommandOptions {
  /** Milliseconds; undefined for none. */
  timeoutMs?: number | undefined;
  maxOutput?: number | undefined;
}

export interface SessionRead {
  output: string;
  /** Bytes that were evicted from the read buffer since the last read. */
  lost: number;
}

interface Command {
  readonly text: string;
  readonly nonce: string;
  /** POCKETDOCK_EXEC of every process the command starts. */
  readonly marker: string;
  /** A sendAndWait command's output is its result; a send command's waits for read(). */
  readonly claimed: boolean;
  readonly timeoutMs: number | undefined;
  readonly output: OutputCollector;
  readonly marks: Partial<Record<StreamName, Mark>>;
  readonly done: Promise<ExecResult>;
  resolve(r: ExecResult): void;
  reject(err: unknown): void;
  settled: boolean;
  started: number;
  timer: NodeJS.Timeout | undefined;
  timedOut: boolean;
  /** The interruption's signals in flight: the next command waits for them, so they cannot hit it. */
  signalling: Promise<void>;
}

/** A log file stem from a session id (which a client may choose). */

export class Session {
  private readonly scanners: Record<StreamName, SentinelScanner> = { stdout: new SentinelScanner(), stderr: new SentinelScanner() };
  /** Set once: the first reason the session stopped accepting commands. */
  private reason: string | undefined;
  private shellName = 'sh';
  private exec: ManagedExec | undefined;
  private readonly queue: Command[] = [];
  private current: Command | undefined;
  private count = 0;
  private readonly unclaimed = new RingBuffer(DEFAULTS.bufferSize);
  private readCursor = 0;
  private records: Promise<unknown> = Promise.resolve();
  private ended: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly containerRef: string,
    private readonly target: SessionTarget,
    private readonly log: Logger,
    /** What keeps a command's output (Processes.collector: capped, from the exec budget). */
    private readonly collect: (maxOutput: number | undefined) => OutputCollector,
  ) {}

  get containerId(): string {
    return this.target.containerId;
  }

  /** The container's exec timeout in seconds: a sendAndWait's default. */
  get defaultTimeout(): number {
    return this.target.handle.timeout;
  }

  /** Output the shell printed, given to the exec's buffers without the marks (ManagedExec's filter). */
  readonly filter = (stream: StreamName, data: Buffer): Buffer => {
    const kept: Buffer[] = [];
    for (const piece of this.scanners[stream].push(data)) {
      if ('mark' in piece) {
        this.marked(stream, piece.mark);
        continue;
      }
      kept.push(piece.data);
      const cmd = this.current;
      if (cmd && !cmd.marks[stream]) {
        cmd.output.cut(stream, piece.data);
        if (cmd.claimed) continue;
      }
      this.unclaimed.append(piece.data);
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  };

  /** Binds the started shell: defines the session's functions and waits until the shell answers. */
  async begin(exec: ManagedExec, timeoutMs: number): Promise<void> {
    this.bind(exec);
    exec.write(SHELL_INIT);
    await this.probe(timeoutMs);
  }

  /**
   * Binds the shell of a session that outlived the daemon that opened it (its functions are
   * defined already); the probe that learns its name is queued first, so callers wait behind it.
   */
  resume(exec: ManagedExec, timeoutMs: number): void {
    this.bind(exec);
    void this.probe(timeoutMs).catch(() => undefined);
  }

  private bind(exec: ManagedExec): void {
    this.exec = exec;
    void exec.done.then((r) => this.end(`the shell ended (exit code ${r.exitCode})`));
  }

  private async probe(timeoutMs: number): Promise<void> {
    // The name comes last: a shell taken over in the middle of a command prints that command's rest first.
    const said = /(bash|sh)$/.exec((await this.sendAndWait(PROBE_COMMAND, { timeoutMs })).stdout)?.[1];
    this.shellName = said ?? this.shellName;
  }

  get open(): boolean {
    return this.reason === undefined;
  }

  get closedReason(): string | undefined {
    return this.reason;
  }

  /** "bash" or "sh": which shell the image gave. */
  get shell(): string {
    return this.shellName;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues a command whose output goes to read(); its end goes to the history only. */
  send(text: string): void {
    void this.enqueue(text, false, {}).catch(() => undefined);
  }

  /** Queues a command and resolves with its result once it has run. */
  sendAndWait(text: string, opts: CommandOptions): Promise<ExecResult> {
    return this.enqueue(text, true, opts);
  }

  /** What send commands and background jobs printed since the last read, both streams as they came. */
  read(): SessionRead {
    this.assertOpen();
    const r = this.unclaimed.read(this.readCursor);
    const len = completeUtf8Length(r.data);
    this.readCursor = r.offset + len;
    this.unclaimed.consume(this.readCursor);
    return { output: r.data.toString('utf8', 0, len), lost: r.lost };
  }

  /** Ends the session: queued commands fail with SessionClosed; resolves once the shell has gone and its history is written. */
  async close(reason = 'closed by a client'): Promise<void> {
    this.end(reason);
    await this.ended;
    await this.records;
  }

  assertOpen(): void {
    if (this.reason !== undefined) throw sessionClosed(this.id, this.reason);
  }

  private enqueue(text: string, claimed: boolean, opts: CommandOptions): Promise<ExecResult> {
    this.assertOpen();
    // A shell drops NUL bytes from what it reads: the command would not be the one sent.
    if (text.includes('\0')) throw invalidParams('command', 'contains a NUL byte');
    let resolve!: (r: ExecResult) => void, reject!: (err: unknown) => void;
    const done = new Promise<ExecResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const cmd: Command = {
      text,
      claimed,
      done,
      resolve,
      reject,
      nonce: randomBytes(12).toString('hex'),
      marker: `${this.id}.${++this.count}`,
      timeoutMs: opts.timeoutMs,
      output: this.collect(opts.maxOutput),
      marks: {},
      settled: false,
      started: 0,
      timer: undefined,
      timedOut: false,
      signalling: Promise.resolve(),
    };
    this.queue.push(cmd);
    this.next();
    // A timed-out command's result waits for the sweep of what it left: nothing of it is left then.
    return done.then((r) => cmd.signalling.then(() => r));
  }

  private next(): void {
    // A shell whose output has ended cannot take input; end() follows as soon as its exit code is known.
    if (this.current || !this.exec?.running || this.reason !== undefined) return;
    const cmd = this.queue.shift();
    if (!cmd) return;
    this.current = cmd;
    for (const s of Object.values(this.scanners)) s.arm(cmd.nonce);
    cmd.started = Date.now();
    this.exec.note(cmd.marker);
    if (cmd.timeoutMs !== undefined) cmd.timer = setTimeout(() => void this.interrupt(cmd), cmd.timeoutMs);
    this.exec.write(commandLine(cmd.nonce, cmd.marker, cmd.text));
  }

  private marked(stream: StreamName, mark: Mark): void {
    const cmd = this.current;
    if (!cmd) return;
    cmd.marks[stream] = mark;
    if (!cmd.marks.stdout || !cmd.marks.stderr) return;
    clearTimeout(cmd.timer);
    if (mark.shellExited) {
      this.end(`the shell exited with status ${mark.status} (\`exit\` in a command ends the session)`);
      return;
    }
    const result: ExecResult = {
      exitCode: mark.status,
      stdout: cmd.output.text('stdout'),
      stderr: cmd.output.text('stderr'),
      durationMs: Date.now() - cmd.started,
      timedOut: cmd.timedOut,
      truncated: cmd.output.truncated,
      ok: mark.status === 0 && !cmd.timedOut,
    };
    cmd.output.release();
    cmd.settled = true;
    cmd.resolve(result);
    this.record(cmd, result);
    void cmd.signalling.then(() => {
      if (this.current === cmd) this.current = undefined;
      this.next();
    });
  }

  /**
   * A command past its timeout: SIGTERM to its processes and USR1 to the shell (which abandons a
   * loop of builtins); after a grace period SIGKILL to whatever is left of it, also when the shell
   * has returned from it (a TERM-ignoring child outlives its command). A command that survives
   * both leaves the shell unusable, so the session ends. The next command waits for all of it, so
   * the signals cannot hit it.
   */
  private async interrupt(cmd: Command): Promise<void> {
    cmd.timedOut = true;
    this.log.info({ command: cmd.text, timeoutMs: cmd.timeoutMs }, 'session command timed out: interrupting it');
    let signalled!: () => void;
    cmd.signalling = new Promise((resolve) => {
      signalled = resolve;
    });
    try {
      await this.signalCommand(cmd, 15);
      const returned = await settlesWithin(cmd.done, STOP_GRACE_MS);
      await this.signalCommand(cmd, 9, !returned);
      if (returned || (await settlesWithin(cmd.done, STOP_GRACE_MS))) return;
    } finally {
      signalled();
    }
    this.end('a timed-out command could not be interrupted');
  }

  /**
   * USR1 first: the shell, waiting for a foreground child, runs its trap as soon as that child ends,
   * before it could go on to the command's next step.
   */
  private async signalCommand(cmd: Command, signal: number, interrupt = true): Promise<void> {
    try {
      if (interrupt && this.exec) await this.exec.signalShell(INTERRUPT_SIGNAL);
      await this.exec?.signalMarked(cmd.marker, signal);
    } catch (err) {
      this.log.warn({ err }, 'could not signal a session command');
    }
  }

  /** Closes for `reason` (the first one given wins): fails what is pending, then stops the shell. */
  private end(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.log.info({ reason }, 'session closed');
    const err = sessionClosed(this.id, reason);
    const pending = [...(this.current && !this.current.settled ? [this.current] : []), ...this.queue.splice(0)];
    for (const cmd of pending) {
      clearTimeout(cmd.timer);
      cmd.output.release();
      cmd.reject(err);
    }
    const running = this.current;
    for (const s of Object.values(this.scanners)) s.flush();
    this.ended = this.stopShell(running);
  }

  /** Asks the shell to exit (a running command is killed first); stops it by signals if it does not. */
  private async stopShell(running: Command | undefined): Promise<void> {
    const exec = this.exec;
    if (!exec?.running) return;
    const exited = running?.marks.stdout?.shellExited ?? false;
    if (running && !exited) await this.signalCommand(running, 9, false);
    if (!exited && exec.running) exec.write('exit\n');
    if (!(await settlesWithin(exec.done, STOP_GRACE_MS))) await exec.stop();
  }

  /** The command's line in the project's history and its output in logs/ (no-ops outside a project). */
  private record(cmd: Command, r: ExecResult): void {
    if (!this.target.handle.dataPath || cmd.text === PROBE_COMMAND) return; // the common case costs nothing
    const { handle } = this.target;
    this.records = this.records.then(() =>
      Promise.all([
        recordCommand(
          handle,
          { kind: 'session', command: cmd.text, exitCode: r.exitCode, durationMs: r.durationMs, timedOut: r.timedOut },
          this.log,
        ),
        appendLog(handle, logSource('session', this.id), `$ ${cmd.text}\n${r.stdout}${r.stderr}`, this.log),
      ]),
    );
  }
}
