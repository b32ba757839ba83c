/**
 * One registered exec: an ExecRun whose output goes through one path — cut at maxOutput, appended
 * to a ring buffer per stream, then pumped to subscribers and readers from absolute offsets.
 *
 * Backpressure, per subscriber:
 * - A subscriber's share of daemon memory is its socket queue, held under HIGH_WATER: above it, the
 *   subscriber's output waits for a drain. Its position is an offset into the ring, not a copy.
 * - A `lossless` subscriber (the client streaming a run) may not lose bytes: when it lags by half a
 *   ring, the engine stream is paused (the command blocks on its pipe) until it catches up.
 * - Any other subscriber (an attached client, callbacks) never slows the command: if it lags past
 *   the ring, it skips what was evicted and its next exec.output carries `lost` with the count.
 * So daemon memory per exec is bounded by its two rings plus HIGH_WATER per subscriber.
 */
import { randomUUID } from 'node:crypto';
import {
  MAX_SUBSCRIPTIONS,
  STREAMS,
  type BufferRead,
  type ExecResult,
  type ExecState,
  type Offsets,
  type PolledChunk,
  type SendNotification,
  type StreamName,
} from '@pocketdock/protocol';
import type { DemuxSink } from '../engine/index.js';
import { DaemonError, invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import { OutputCollector, OutputLimit } from './collector.js';
import { UNKNOWN_EXIT, type CommandRun, type ExecOutcome } from './run.js';
import { startRun } from './start-run.js';
import { RingBuffer } from './ring-buffer.js';
import type { BufferBudget } from './budget.js';
import type { ExecTarget } from './target.js';
import { completeUtf8Length } from './utf8.js';

/** Where an exec's notifications go: one client connection. */
export interface Channel {
  /** `payload`: the UTF-8 bytes of a `data` param, read before send returns (the protocol's frames.ts). */
  send: SendNotification;
  /** Bytes handed to send() and not yet written to the connection. */
  queued(): number;
  /** Resolves once the queue has drained to a low mark. */
  drained(): Promise<void>;
  /** Aborted when the connection closes. */
  readonly closed: AbortSignal;
}

export interface ManagedExecOptions {
  id: string;
  /** The container as the starter named it (id or name). */
  containerRef: string;
  target: ExecTarget;
  log: Logger;
  timeoutMs: number | undefined;
  /** Bytes kept per stream; Infinity for no limit. */
  maxOutput: number;
  bufferSize: number;
  /** Keep the first maxOutput bytes of each stream for the result (blocking runs). */
  collect: boolean;
  /** What its rings and kept output take their bytes from (Limits.maxBufferedBytes). */
  budget?: BufferBudget;
  stdin?: boolean;
  io?: ExecIo;
}

/** An exec's I/O beyond plain pipes: a terminal (sessions/ and terminals build on these). */
export interface ExecIo {
  /** A pseudo-terminal: one raw output stream (stdout), resizable. */
  tty?: boolean;
  /** More environment, NAME=value. */
  env?: string[];
  /** Sees the output first and returns what the exec keeps (a session strips its end-of-command marks). */
  filter?: (stream: StreamName, data: Buffer) => Buffer;
  /** Gets what the exec keeps as it arrives (a project's logs/). */
  tee?: (stream: StreamName, data: Buffer) => void;
  /** Resolves once what tee got is stored: the exec ends after it, so its log is whole when wait() returns. */
  flushed?: () => Promise<void>;
}

/**
 * Most bytes of one stream per exec.output notification. Under V8's largest young object (128 KiB),
 * so that the text a client decodes from each is a short-lived young string: 256 KiB pieces made
 * every decoded chunk a large object in the old generation, and a 100 MB stream cost the client
 * 15 full collections instead of 9.
 */
export const OUTPUT_PIECE = 64 * 1024;
/** A subscriber's socket queue above which its output waits for a drain. */
export const HIGH_WATER = 1024 * 1024;
/** Enough bytes to hold one whole character: what "is there something new to read" looks at. */
const ONE_CHAR = 4;

const subscriptionKey = (connectionId: string, subscription: string) => `${connectionId}\0${subscription}`;

/** Bytes [offset, next) of a stream, a view of its ring valid until the next append. */
interface Piece {
  offset: number;
  next: number;
  bytes: Buffer;
  lost: number;
}

/** One subscriber: a connection and the subscription id it chose (or was given). */
export interface Subscriber {
  readonly connectionId: string;
  readonly subscription?: string | undefined;
}

interface Subscription {
  readonly id: string;
  readonly connectionId: string;
  readonly channel: Channel;
  readonly cursor: Record<StreamName, number>;
  readonly lossless: boolean;
  waiting: boolean;
  readonly unlisten: () => void;
}

export class ManagedExec {
  readonly id: string;
  readonly containerId: string;
  readonly containerRef: string;
  readonly done: Promise<ExecResult>;
  private readonly rings: Record<StreamName, RingBuffer>;
  private readonly output: OutputLimit | OutputCollector;
  private readonly subs = new Map<string, Subscription>();
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;
  private run: CommandRun | undefined;
  /** Found again after a daemon restart: its output until then is gone. */
  private lost = false;
  private pumpQueued = false;
  /** Callers waiting on the exec whose connection lives (stopWhenForsaken). */
  private callers = 0;
  private result: ExecResult | undefined;
  /**
   * Why the exec's end is unknown (the engine went away under it): its result says exit code -1,
   * and who waits for it (a blocking run, exec.wait) gets this error instead.
   */
  private failure: DaemonError | undefined;
  private settle!: (r: ExecResult) => void;

  constructor(private readonly o: ManagedExecOptions) {
    this.id = o.id;
    this.containerId = o.target.containerId;
    this.containerRef = o.containerRef;
    this.log = o.log;
    this.rings = { stdout: new RingBuffer(o.bufferSize, o.budget), stderr: new RingBuffer(o.bufferSize, o.budget) };
    this.output = o.collect ? new OutputCollector(o.maxOutput, o.budget) : new OutputLimit(o.maxOutput);
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  async start(): Promise<void> {
    const { engine, containerId, argv, agent } = this.o.target;
    this.attach(
      await startRun({
        engine,
        containerId,
        agent,
        argv,
        id: this.id,
        log: this.log,
        sink: this.sink,
        ...(this.o.timeoutMs !== undefined && { timeoutMs: this.o.timeoutMs }),
        ...(this.o.stdin && { stdin: true }),
        // A terminal's program leads its own session on the pty, as a person's shell expects.
        ...(this.o.io?.tty ? { tty: true } : { supervise: true }),
        ...(this.o.io?.env && { env: this.o.io.env }),
        room: this.room(),
      }),
    );
  }

  /** Takes over an exec that survived a daemon restart: it can be killed and waited on; its output until now is lost. */
  adopt(run: (sink: DemuxSink) => CommandRun): void {
    this.lost = true;
    this.attach(run(this.sink));
  }

  private attach(run: CommandRun): void {
    const started = Date.now();
    this.run = run;
    this.updateFlow();
    void run.finished
      .then(
        (outcome) => outcome,
        (err: unknown): ExecOutcome => {
          const detail = (err as Error).message;
          this.log.warn({ reason: detail }, 'exec ended without an exit code');
          this.failure = err instanceof DaemonError ? err : new DaemonError('InternalError', `internal error: ${detail}`, { detail });
          return { exitCode: UNKNOWN_EXIT, durationMs: Date.now() - started, timedOut: false };
        },
      )
      .then((outcome) => {
        const flushed = this.o.io?.flushed;
        if (flushed) return flushed().then(() => this.finish(outcome));
        this.finish(outcome);
      });
  }

  get running(): boolean {
    return this.result === undefined;
  }

  /**
   * The subscriber gets exec.output from `from` (default: the oldest buffered byte), then exec.exit,
   * each carrying its subscription id. Each subscriber of a connection has its own cursor; subscribing
   * again under the same id moves that one.
   */
  subscribe(who: Subscriber, channel: Channel, from: Offsets = {}, lossless = false): ExecState & { subscription: string } {
    const id = who.subscription ?? randomUUID();
    const key = subscriptionKey(who.connectionId, id);
    this.unsubscribeKey(key);
    const held = [...this.subs.values()].filter((s) => s.connectionId === who.connectionId).length;
    if (held >= MAX_SUBSCRIPTIONS) {
      throw invalidParams('subscription', `this connection already has ${MAX_SUBSCRIPTIONS} subscriptions to exec ${this.id}`);
    }
    if (!channel.closed.aborted) {
      const onClose = () => this.unsubscribeKey(key);
      channel.closed.addEventListener('abort', onClose, { once: true });
      const sub: Subscription = {
        id,
        connectionId: who.connectionId,
        channel,
        lossless,
        waiting: false,
        cursor: { stdout: from.stdout ?? this.rings.stdout.start, stderr: from.stderr ?? this.rings.stderr.start },
        unlisten: () => channel.closed.removeEventListener('abort', onClose),
      };
      this.subs.set(key, sub);
      this.pump(key, sub);
    }
    return { ...this.state(), subscription: id };
  }

  /** Ends one subscription of the connection, or all of them when none is named. */
  unsubscribe(who: Subscriber): void {
    if (who.subscription !== undefined) return this.unsubscribeKey(subscriptionKey(who.connectionId, who.subscription));
    for (const [key, sub] of this.subs) if (sub.connectionId === who.connectionId) this.unsubscribeKey(key);
  }

  private unsubscribeKey(key: string): void {
    const sub = this.subs.get(key);
    if (!sub) return;
    sub.unlisten();
    this.subs.delete(key);
    this.updateFlow();
  }

  /** Output after `from`; waits up to `waitMs` for some when there is none and the exec runs. */
  async poll(
    from: Offsets,
    waitMs: number,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<{ stdout: PolledChunk; stderr: PolledChunk; running: boolean; result: ExecResult | null }> {
    const pos = (s: StreamName) => from[s] ?? this.rings[s].start;
    const fresh = () => STREAMS.some((s) => this.piece(s, pos(s), ONE_CHAR) !== undefined);
    if (waitMs > 0 && this.running && !fresh()) await this.changed(waitMs, signal);
    const read = (s: StreamName): PolledChunk => {
      const p = this.piece(s, pos(s), maxBytes);
      return p
        ? { offset: p.offset, next: p.next, data: p.bytes.toString('utf8'), lost: p.lost }
        : { offset: pos(s), next: pos(s), data: '', lost: 0 };
    };
    return { stdout: read('stdout'), stderr: read('stderr'), running: this.running, result: this.result ?? null };
  }

  /** The result, or null when `timeoutMs` passes first; the failure when the engine lost the exec. */
  async wait(timeoutMs: number | undefined, signal: AbortSignal): Promise<ExecResult | null> {
    const known = (r: ExecResult | null) => {
      if (r && this.failure) throw this.failure;
      return r;
    };
    if (this.result || timeoutMs === 0) return known(this.result ?? null);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return known(
        await Promise.race([
          this.done,
          new Promise<null>((resolve) => {
            if (timeoutMs !== undefined) timer = setTimeout(() => resolve(null), timeoutMs);
            onAbort = () => resolve(null);
            signal.addEventListener('abort', onAbort, { once: true });
          }),
        ]),
      );
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** What is buffered; `consume` clears it (Process.read) rather than leaving it (Process.peek). */
  snapshot(consume: boolean): BufferRead {
    const text = (s: StreamName) => this.rings[s].read(this.rings[s].start).data.toString('utf8');
    const snap = { stdout: text('stdout'), stderr: text('stderr') };
    if (consume) for (const s of STREAMS) this.rings[s].consume();
    const { bufferSize, bufferOverflow } = this.state();
    return { ...snap, bufferSize, bufferOverflow };
  }

  state(): ExecState {
    const { stdout, stderr } = this.rings;
    return {
      execId: this.id,
      containerId: this.containerId,
      running: this.running,
      exitCode: this.result?.exitCode ?? null,
      bufferSize: stdout.size + stderr.size,
      bufferOverflow: stdout.dropped + stderr.dropped > 0,
      offsets: { stdout: stdout.end, stderr: stderr.end },
      dropped: { stdout: stdout.dropped, stderr: stderr.dropped },
      lost: this.lost,
    };
  }

  /** Signals the command and everything it started, inside the container. */
  async kill(signal: number): Promise<void> {
    if (this.running && this.run) await this.run.signal(signal);
  }

  /** Signals the command's own process only (a session's shell). */
  async signalShell(signal: number): Promise<void> {
    if (this.running && this.run) await this.run.signalShell(signal);
  }

  /** Marks the start of a session command, whose processes signalMarked addresses by `marker`. */
  note(marker: string): void {
    this.run?.note(marker);
  }

  /** Signals a session command's processes (those carrying `marker`). */
  async signalMarked(marker: string, signal: number): Promise<void> {
    if (this.running && this.run) await this.run.signalMarked(marker, signal);
  }

  /**
   * A caller that waits on the exec (a blocking run, a streamed run's owner) holds it while
   * `closed` (its connection or request) lives. Once no caller holds it, no connection follows it,
   * and `graceMs` has passed with none back (a client reconnecting within its lease grace
   * subscribes again, or runs the same execId again), it is stopped as its caller's own leaving
   * would: a killed client would otherwise leave it running, and holding the client's slot, until
   * its timeout.
   */
  stopWhenForsaken(closed: AbortSignal, graceMs: number): void {
    this.callers++;
    const check = () => {
      if (!this.running || this.callers > 0 || this.subs.size > 0) return;
      this.log.info({ graceMs }, 'exec stopped: its caller left and nobody followed it');
      void this.stop();
    };
    const left = () => {
      this.callers--;
      if (!this.running) return;
      const timer = setTimeout(check, graceMs);
      timer.unref();
      void this.done.then(() => clearTimeout(timer));
    };
    if (closed.aborted) left();
    else closed.addEventListener('abort', left, { once: true });
    void this.done.then(() => closed.removeEventListener('abort', left));
  }

  /** SIGTERM, SIGKILL after a grace period; resolves once the command has ended. */
  async stop(): Promise<ExecResult> {
    if (this.running && this.run) await this.run.stop();
    return this.done;
  }

  /** Writes to the command's stdin (an exec started with `stdin`, such as a session's shell). */
  write(data: string | Buffer): void {
    this.run?.write(data);
  }

  /** Sets the terminal size of a `tty` exec. */
  async resize(rows: number, cols: number): Promise<void> {
    if (this.running && this.run) await this.run.resize(rows, cols);
  }

  /** The result; the failure when the engine lost the exec. */
  async outcome(): Promise<ExecResult> {
    const result = await this.done;
    if (this.failure) throw this.failure;
    return result;
  }

  /** Drops every subscription (the exec failed to start). */
  dispose(): void {
    for (const key of [...this.subs.keys()]) this.unsubscribeKey(key);
  }

  /** Gives its buffers back to the budget: the registry forgot it, nobody reads them any more. */
  release(): void {
    for (const s of STREAMS) this.rings[s].release();
    if (this.output instanceof OutputCollector) this.output.release();
  }

  private readonly sink = (stream: StreamName, data: Buffer): void => {
    const part = this.output.cut(stream, this.o.io?.filter ? this.o.io.filter(stream, data) : data);
    if (part.length === 0) return;
    this.o.io?.tee?.(stream, part);
    this.rings[stream].append(part);
    this.wake();
    this.updateFlow();
    // Engine frames are small (a few KiB): pumping once per I/O turn sends fewer, larger messages.
    if (!this.pumpQueued && this.subs.size) {
      this.pumpQueued = true;
      setImmediate(() => {
        this.pumpQueued = false;
        for (const [key, sub] of this.subs) this.pump(key, sub);
      });
    }
  };

  private finish(outcome: ExecOutcome): void {
    const text = (s: StreamName) =>
      this.output instanceof OutputCollector ? this.output.text(s) : this.rings[s].read(this.rings[s].start).data.toString('utf8');
    this.result = {
      ...outcome,
      stdout: text('stdout'),
      stderr: text('stderr'),
      truncated: this.output.truncated,
      ok: outcome.exitCode === 0 && !outcome.timedOut,
    };
    this.settle(this.result);
    this.wake();
    for (const [key, sub] of this.subs) this.pump(key, sub);
  }

  /** Sends a subscriber what it has not had yet, as far as its connection takes it; exec.exit last. */
  private pump(key: string, sub: Subscription): void {
    if (sub.waiting) return;
    for (let sent = true; sent;) {
      if (sub.channel.queued() >= HIGH_WATER) {
        sub.waiting = true;
        void sub.channel.drained().then(() => {
          sub.waiting = false;
          if (this.subs.get(key) === sub) this.pump(key, sub);
        });
        this.updateFlow();
        return;
      }
      sent = false;
      for (const s of STREAMS) {
        const c = this.piece(s, sub.cursor[s], OUTPUT_PIECE);
        if (!c) continue;
        sub.channel.send(
          'exec.output',
          { execId: this.id, subscription: sub.id, stream: s, offset: c.offset, next: c.next, ...(c.lost > 0 && { lost: c.lost }) },
          c.bytes,
        );
        sub.cursor[s] = c.next;
        sent = true;
      }
    }
    if (this.result && STREAMS.every((s) => sub.cursor[s] >= this.rings[s].end)) {
      const failure = this.failure && { code: this.failure.code, message: this.failure.message, data: this.failure.data };
      sub.channel.send('exec.exit', { execId: this.id, subscription: sub.id, result: this.result, ...(failure && { error: failure }) });
      this.unsubscribeKey(key);
      return;
    }
    this.updateFlow();
  }

  /**
   * The next piece of a stream from `from`, whole characters only unless it is the stream's last:
   * a piece cut at `max` inside an exited command's output is cut between characters too.
   */
  private piece(s: StreamName, from: number, max: number): Piece | undefined {
    const r = this.rings[s].read(from, max);
    const last = this.result !== undefined && r.offset + r.data.length >= this.rings[s].end;
    const len = last ? r.data.length : completeUtf8Length(r.data);
    if (len === 0 && r.lost === 0) return undefined;
    return { offset: r.offset, next: r.offset + len, bytes: r.data.subarray(0, len), lost: r.lost };
  }

  /** Holds the command back while a lossless subscriber lags by half a ring; lets it go on at a quarter. */
  private updateFlow(): void {
    if (this.run && !this.result) this.run.allow(this.room(), this.o.bufferSize / 4);
  }

  /** Output the command may still produce before a lossless subscriber would lose any (half a ring); Infinity without one. */
  private room(): number {
    let lag = -1;
    for (const sub of this.subs.values()) {
      if (sub.lossless) for (const s of STREAMS) lag = Math.max(lag, this.rings[s].end - sub.cursor[s]);
    }
    return lag < 0 ? Infinity : this.o.bufferSize / 2 - lag;
  }

  private wake(): void {
    for (const fn of this.waiters) fn();
    this.waiters.clear();
  }

  /** Resolves on new output or exit, after `ms`, or when `signal` aborts. */
  private changed(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
