/**
 * Terminal: a program on a pseudo-terminal in a container, for people — the CLI's `shell`, a
 * dashboard. Bytes typed go in with write() ("\x03" is Ctrl-C), terminal output comes out to
 * onData listeners from the first byte, resize() changes the size (the program gets SIGWINCH).
 * It is an exec on the daemon: `id` works with attachProcess, exec.* and other clients.
 */
import type { ContainerTarget, ExecResult } from '@pocketdock/protocol';
import type { RpcTransport } from './channel.js';
import { execRouter, type ExecSubscription } from './exec-router.js';

export interface TerminalOptions {
  /** Run by sh -c; default: a login shell (bash when the image has it). */
  command?: string;
  rows?: number;
  cols?: number;
  /** More environment; TERM defaults to xterm-256color. */
  env?: Record<string, string>;
  /** The terminal's exec id; default a fresh one. */
  terminalId?: string;
  /** Keep the program running when this client disconnects (default: it gets SIGHUP, as when a terminal window closes). */
  keep?: boolean;
}

/** Without Buffer, so that the terminal runs in browsers too (input is a few bytes at a time). */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export class Terminal implements AsyncDisposable {
  /** Resolves with the program's result when it ends. */
  readonly exited: Promise<ExecResult>;
  private readonly listeners = new Set<(data: string) => void>();
  private readonly early: string[] = [];
  private readonly output: ExecSubscription;
  private settle!: (r: ExecResult) => void;

  private constructor(
    private readonly transport: RpcTransport,
    readonly id: string,
  ) {
    this.exited = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.output = execRouter(transport).add(id, {
      output: (n) => {
        if (!n.data) return;
        if (this.listeners.size === 0) this.early.push(n.data);
        for (const fn of this.listeners) fn(n.data);
      },
      exit: (n) => this.settle(n.result),
    });
  }

  /** @internal Opens a terminal; its output is subscribed to before the program starts. */
  static async open(transport: RpcTransport, target: ContainerTarget, opts: TerminalOptions): Promise<Terminal> {
    const terminalId = opts.terminalId ?? crypto.randomUUID();
    const t = new Terminal(transport, terminalId);
    try {
      await transport.call('terminal.open', {
        ...target,
        terminalId,
        rows: opts.rows ?? 24,
        cols: opts.cols ?? 80,
        subscribe: true,
        subscription: t.output.id,
        ...(opts.command !== undefined && { command: opts.command }),
        ...(opts.env && { env: opts.env }),
        ...(opts.keep && { keep: true }),
      });
    } catch (err) {
      t.output.close();
      throw err;
    }
    return t;
  }

  /** Calls `fn` with the terminal's output; the first listener also gets what arrived before it. */
  onData(fn: (data: string) => void): () => void {
    this.listeners.add(fn);
    for (const data of this.early.splice(0)) fn(data);
    return () => this.listeners.delete(fn);
  }

  /** Types `data`: a string as UTF-8, bytes as they are. */
  async write(data: string | Uint8Array): Promise<void> {
    const params =
      typeof data === 'string' ? { terminalId: this.id, data } : { terminalId: this.id, data: base64(data), encoding: 'base64' as const };
    await this.transport.call('terminal.input', params);
  }

  async resize(rows: number, cols: number): Promise<void> {
    await this.transport.call('terminal.resize', { terminalId: this.id, rows, cols });
  }

  /** Sends a signal (default SIGHUP, as a closing terminal does) to the program and everything it started. */
  async kill(signal = 1): Promise<void> {
    await this.transport.call('exec.kill', { execId: this.id, signal });
  }

  /** Hangs up (if still running) and waits for the program to end. */
  async close(): Promise<ExecResult> {
    await this.kill().catch(() => undefined);
    return this.exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
