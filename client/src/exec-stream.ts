/**
 * ExecStream: a command's output as an AsyncIterable of chunks, arriving while it runs, with
 * `.result` once iteration has ended: the daemon's result, whose stdout and stderr are what it still
 * buffers of each stream (the last `bufferSize` bytes), so that a stream keeps none of its chunks
 * once they are yielded; with `keepOutput` it keeps every byte it received for `.result` instead
 * (a blocking run's whole text). run({ stream: true }) subscribes losslessly (the daemon
 * pauses the command rather than drop what this client has not received), so it starts at offset 0
 * and misses nothing. It ends on exec.exit. Breaking out of the loop or aborting `signal` stops the
 * command when the stream started it (run: its owner leaves), and only unsubscribes when it
 * follows a process (Process.stream: killing is kill()). When the connection drops, the transport
 * reconnects and the stream goes on from its offsets; a connection lost for good ends it with
 * DaemonClosedError, an exec a restarted daemon does not know with ProcessLost. `offsets` says how far it got, so another connection can resume from there
 * (Process.stream({ from })).
 */
import type { ExecExit, ExecOutput, ExecResult, StreamChunk, StreamName } from '@pocketdock/protocol';
import { errorFromWire, PocketDockError } from './errors.js';
import { execRouter, type ExecSubscription, type Offsets } from './exec-router.js';
import type { RpcTransport } from './channel.js';

export type { Offsets } from './exec-router.js';

export interface ExecChunk extends StreamChunk {
  /** Absolute byte offset of `data` in its stream. */
  offset: number;
  /** Bytes the daemon evicted before this client could receive them, just before `offset`. */
  lost?: number;
}

/** The state one stream's consumer and the notifications share; ExecStream objects are views of it. */
class StreamCore {
  result: ExecResult | undefined;
  started: Promise<void> = Promise.resolve();
  private readonly queue: ExecChunk[] = [];
  private head = 0;
  /**
   * With `keep`, what the result's stdout and stderr are made of, kept as the bytes they came in
   * where they came so: text kept as strings would be copied by every collection that finds it still
   * alive. Decoded only when the result is read. Without, nothing: 100 MB kept for a result nobody
   * reads cost the client a third of its CPU in collections.
   */
  private readonly received: Record<StreamName, Array<string | Uint8Array>> | undefined;
  private error: unknown;
  private wake: (() => void) | undefined;
  private iterated = false;
  private leaving: Promise<unknown> | undefined;
  private readonly sub: ExecSubscription;
  private readonly unlisten: (() => void)[] = [];

  /**
   * `owner`: the stream started the command, so leaving early stops it; a follower only unsubscribes.
   * `keep`: the result's text is what this stream received, all of it, rather than the daemon's buffers.
   */
  constructor(
    private readonly transport: RpcTransport,
    readonly execId: string,
    from: Partial<Offsets>,
    private readonly owner: boolean,
    { lossless, keep, signal }: StreamOptions,
  ) {
    if (keep) this.received = { stdout: [], stderr: [] };
    const listener = {
      output: (n: ExecOutput, bytes?: Uint8Array) => this.output(n, bytes),
      exit: (n: ExecExit) => this.exit(n),
      fail: (err: unknown) => this.fail(err),
    };
    this.sub = execRouter(transport).add(execId, listener, from, lossless);
    const closed = () => this.fail(transport.signal.reason);
    transport.signal.addEventListener('abort', closed, { once: true });
    this.unlisten.push(() => transport.signal.removeEventListener('abort', closed));
    if (signal) {
      const aborted = () => {
        this.fail(signal.reason);
        void this.leave();
      };
      if (signal.aborted) queueMicrotask(aborted);
      else {
        signal.addEventListener('abort', aborted, { once: true });
        this.unlisten.push(() => signal.removeEventListener('abort', aborted));
      }
    }
    if (transport.signal.aborted) this.fail(transport.signal.reason);
  }

  get offsets(): Offsets {
    return { ...this.sub.offsets };
  }

  /** The id the call that subscribes this stream names. */
  get subscription(): string {
    return this.sub.id;
  }

  /** Ties the stream to the call that starts or subscribes it: its failure ends the stream. */
  begin(call: Promise<unknown>): void {
    this.started = call.then(
      () => undefined,
      (err: unknown) => {
        this.fail(err);
        this.sub.close(); // not subscribed: nothing to resume after a reconnect
        throw err;
      },
    );
    this.started.catch(() => undefined); // surfaced through iteration or `await`
  }

  async *iterate(): AsyncGenerator<ExecChunk, void, undefined> {
    if (this.iterated) throw new PocketDockError(`exec ${this.execId}: a stream can be iterated only once`);
    this.iterated = true;
    try {
      for (;;) {
        while (this.head < this.queue.length) {
          const chunk = this.queue[this.head]!;
          this.queue[this.head++] = undefined as never;
          yield chunk;
        }
        this.queue.length = this.head = 0;
        if (this.result) return;
        if (this.error !== undefined) throw this.error;
        await new Promise<void>((r) => {
          this.wake = r;
        });
      }
    } finally {
      if (!this.result) await this.leave();
      this.close();
    }
  }

  private output(n: ExecOutput, bytes: Uint8Array | undefined): void {
    if (n.data === '' && !n.lost) return;
    this.received?.[n.stream].push(bytes ?? n.data);
    this.queue.push({ stream: n.stream, data: n.data, offset: n.offset, ...(n.lost && { lost: n.lost }) });
    this.notify();
  }

  private exit(n: ExecExit): void {
    if (n.error) {
      this.fail(errorFromWire(n.error));
      this.close();
      return;
    }
    this.result = this.received ? withText(n.result, this.received) : n.result;
    this.close();
    this.notify();
  }

  private fail(err: unknown): void {
    if (this.result || this.error !== undefined) return;
    this.error = err ?? new PocketDockError(`exec ${this.execId}: stream ended`);
    this.notify();
  }

  /** Break or abort: the owner stops the command, a follower unsubscribes; nothing to do once the connection is gone. */
  private leave(): Promise<unknown> {
    if (this.result || this.transport.signal.aborted) return Promise.resolve();
    this.leaving ??= this.started
      .then(() => (this.owner ? this.transport.call('exec.stop', { execId: this.execId }) : this.sub.unsubscribe()))
      .catch(() => undefined);
    return this.leaving;
  }

  private close(): void {
    this.sub.close();
    for (const fn of this.unlisten.splice(0)) fn();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** `result` whose stdout and stderr are `received`, decoded when first read (once), never when nobody reads them. */
function withText(result: ExecResult, received: Record<StreamName, Array<string | Uint8Array>>): ExecResult {
  const out = { ...result };
  for (const s of ['stdout', 'stderr'] as const) {
    let text: string | undefined;
    Object.defineProperty(out, s, {
      enumerable: true,
      get: () => (text ??= join(received[s].splice(0))),
    });
  }
  return out;
}

function join(parts: Array<string | Uint8Array>): string {
  if (!parts.every((p) => typeof p !== 'string')) return parts.map((p) => (typeof p === 'string' ? p : utf8.decode(p))).join('');
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return utf8.decode(all);
}

const utf8 = new TextDecoder();

/** How a stream follows its exec. */
export interface StreamOptions {
  /** Pause the command rather than skip what this stream has not received. */
  lossless: boolean;
  /** Keep every byte received for `.result` (see StreamCore). */
  keep: boolean;
  signal: AbortSignal | undefined;
}

export class ExecStream implements AsyncIterable<ExecChunk> {
  /** @internal */
  constructor(protected readonly core: StreamCore) {}

  /** @internal Starts `command` with a lossless subscription from offset 0. */
  static start(
    transport: RpcTransport,
    execId: string,
    params: Record<string, unknown>,
    { keep, signal }: Omit<StreamOptions, 'lossless'>,
  ): StartingExecStream {
    const core = new StreamCore(transport, execId, {}, true, { lossless: true, keep, signal });
    core.begin(
      transport.call('exec.start', { ...params, execId, subscribe: true, subscription: core.subscription, lossless: true } as never),
    );
    return new StartingExecStream(core);
  }

  /** @internal Follows an existing exec from `from` (default: the oldest byte still buffered). */
  static follow(transport: RpcTransport, execId: string, from: Partial<Offsets>, o: StreamOptions): StartingExecStream {
    const core = new StreamCore(transport, execId, from, false, o);
    core.begin(transport.call('exec.subscribe', { execId, offsets: from, lossless: o.lossless, subscription: core.subscription }));
    return new StartingExecStream(core);
  }

  get execId(): string {
    return this.core.execId;
  }

  /**
   * The ExecResult, once iteration has ended. Its stdout and stderr: what the daemon still buffers
   * of each stream (the last `bufferSize` bytes, 1 MiB by default: all of it when it was shorter);
   * with `keepOutput`, all that this stream received.
   */
  get result(): ExecResult | undefined {
    return this.core.result;
  }

  /** The next byte offset of each stream: where another subscription would resume. */
  get offsets(): Offsets {
    return this.core.offsets;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExecChunk> {
    return this.core.iterate();
  }
}

/**
 * What run({ stream: true }) returns: iterable at once, and awaitable — `await` resolves, once the
 * command has started, to a plain ExecStream over the same output (a thenable cannot resolve to
 * itself), or rejects with the start's error.
 */
export class StartingExecStream extends ExecStream implements PromiseLike<ExecStream> {
  then<T = ExecStream, E = never>(
    onfulfilled?: ((s: ExecStream) => T | PromiseLike<T>) | null,
    onrejected?: ((reason: unknown) => E | PromiseLike<E>) | null,
  ): PromiseLike<T | E> {
    return this.core.started.then(() => new ExecStream(this.core)).then(onfulfilled, onrejected);
  }
}
