/**
 * Process: a proxy of a detached command, addressed by id — any client may hold one for the same
 * process (PocketDock.attachProcess). The daemon buffers its output (a ring per stream) whether or
 * not anyone is attached. `bufferSize` and `bufferOverflow` are awaited: each read asks the daemon,
 * so the answer is never a stale copy.
 */
import type { BufferSnapshot, ExecResult, ExecState } from '@pocketdock/protocol';
import { ExecStream, type Offsets } from './exec-stream.js';
import type { RpcTransport } from './channel.js';

export interface FollowOptions {
  /** Offsets to resume from (e.g. a previous stream's `offsets`); default: the oldest buffered byte. */
  from?: Partial<Offsets>;
  /** Pause the process rather than skip what this client has not received (default false). */
  lossless?: boolean;
  /** Keep all the output this stream receives for its `.result` (default: `.result` holds what the daemon still buffers). */
  keepOutput?: boolean;
  signal?: AbortSignal;
}

export class Process {
  constructor(
    private readonly transport: RpcTransport,
    readonly id: string,
  ) {}

  /** Bytes buffered now, both streams: `await p.bufferSize`. */
  get bufferSize(): Promise<number> {
    return this.info().then((s) => s.bufferSize);
  }

  /** Whether output was ever evicted from the buffer before it was read: `await p.bufferOverflow`. */
  get bufferOverflow(): Promise<boolean> {
    return this.info().then((s) => s.bufferOverflow);
  }

  /** The process's state in the daemon: running, exit code, buffer fill and overflow, offsets, bytes dropped. */
  info(): Promise<ExecState> {
    return this.transport.call('exec.info', { execId: this.id });
  }

  async isRunning(): Promise<boolean> {
    return (await this.info()).running;
  }

  /** Sends a signal (default SIGTERM) to the process and everything it started, in the container. */
  async kill(signal = 15): Promise<void> {
    await this.transport.call('exec.kill', { execId: this.id, signal });
  }

  /** Waits for the process to end; rejects with a TimeoutError DOMException after `timeout` seconds. */
  async wait(opts: { timeout?: number } = {}): Promise<ExecResult> {
    const result = await this.transport.call('exec.wait', { execId: this.id, ...opts });
    if (result === null) throw new DOMException(`process ${this.id} still running after ${opts.timeout} s`, 'TimeoutError');
    return result;
  }

  /** What is buffered, clearing it. */
  read(): Promise<BufferSnapshot> {
    return this.snapshot('exec.read');
  }

  /** What is buffered, leaving it. */
  peek(): Promise<BufferSnapshot> {
    return this.snapshot('exec.peek');
  }

  /**
   * Follows the output live: what is buffered (or from `from`), then new output until exit.
   * Breaking out of the loop or aborting `signal` stops following; the process keeps running.
   */
  stream(opts: FollowOptions = {}): ExecStream {
    const { from = {}, lossless = false, keepOutput = false, signal } = opts;
    return ExecStream.follow(this.transport, this.id, from, { lossless, keep: keepOutput, signal });
  }

  private async snapshot(method: 'exec.read' | 'exec.peek'): Promise<BufferSnapshot> {
    const { stdout, stderr } = await this.transport.call(method, { execId: this.id });
    return { stdout, stderr };
  }
}
