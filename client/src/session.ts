/**
 * Session: a proxy of one persistent shell owned by the daemon, addressed by id — any client may
 * hold one for the same session (PocketDock.attachSession). Commands run one at a time in the order
 * the daemon receives them; cwd, variables and functions persist. A command's stdin is /dev/null;
 * `exit` ends the session; `set -e` cannot (commands run where errexit is ignored). After close(),
 * or once the shell has died, every call fails with SessionClosed and the reason.
 */
import type { ExecResult, MethodName, ParamsOf, ResultOf, SessionInfo } from '@pocketdock/protocol';
import { SessionClosed } from './errors.js';
import { execRouter, type ExecSubscription } from './exec-router.js';
import type { RpcTransport } from './channel.js';

export interface SendAndWaitOptions {
  /** Seconds; default: the container's timeout. Past it the command is interrupted (`timedOut`) and the session stays usable. */
  timeout?: number;
  /** Bytes kept per stream; default 10 MiB. */
  maxOutput?: number;
}

export type SessionOutputCallback = (data: string) => void;

export class Session implements AsyncDisposable {
  /** Bytes the last read() could not return: evicted from the daemon's 1 MiB read buffer before anyone read them. */
  lost = 0;
  private closedHere: SessionClosed | undefined;
  private readonly callbacks: SessionOutputCallback[] = [];
  private following: Promise<ExecSubscription> | undefined;

  /** @internal `timeout`: the default of sendAndWait (a Container's); else the daemon's, the container's own. */
  constructor(
    private readonly transport: RpcTransport,
    readonly id: string,
    private readonly timeout?: number,
  ) {}

  /** Queues a command and returns at once; its output is kept for read(). */
  async send(command: string): Promise<void> {
    await this.call('session.send', { sessionId: this.id, command });
  }

  /** Queues a command and resolves with its result once it has run. */
  sendAndWait(command: string, opts: SendAndWaitOptions = {}): Promise<ExecResult> {
    const timeout = opts.timeout ?? this.timeout;
    return this.call('session.sendAndWait', { sessionId: this.id, command, ...opts, ...(timeout !== undefined && { timeout }) });
  }

  /** What send() commands and background jobs printed since the last read (any client's), clearing it. */
  async read(): Promise<string> {
    const { output, lost } = await this.call('session.read', { sessionId: this.id });
    this.lost = lost;
    return output;
  }

  /**
   * Calls `fn` with everything the session prints from now on — every command's output, both
   * streams — until the session ends. A slow callback never holds the shell back: output the
   * daemon evicted before sending it is skipped.
   */
  async onOutput(fn: SessionOutputCallback): Promise<void> {
    this.check();
    this.callbacks.push(fn);
    this.following ??= this.follow().catch((err: unknown) => {
      this.following = undefined;
      throw err;
    });
    await this.following;
  }

  private async follow(): Promise<ExecSubscription> {
    const { offsets } = await this.call('exec.info', { execId: this.id });
    const sub = execRouter(this.transport).add(
      this.id,
      {
        output: (n) => {
          if (n.data) for (const cb of this.callbacks) cb(n.data);
        },
      },
      offsets,
    );
    await this.call('exec.subscribe', { execId: this.id, offsets, subscription: sub.id }).catch((err: unknown) => {
      sub.close();
      throw err;
    });
    return sub;
  }

  info(): Promise<SessionInfo> {
    return this.call('session.info', { sessionId: this.id });
  }

  /** Ends the shell (a running command is killed) for every client; resolves once it has gone. */
  async close(): Promise<void> {
    if (this.closedHere) return;
    try {
      await this.transport.call('session.close', { sessionId: this.id });
    } catch (err) {
      if (!(err instanceof SessionClosed)) throw err;
    }
    const reason = 'closed by this client';
    this.closedHere = Object.assign(new SessionClosed(`session ${this.id} is closed: ${reason}`), { sessionId: this.id, reason });
    (await this.following?.catch(() => undefined))?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private check(): void {
    if (this.closedHere) throw this.closedHere;
  }

  private async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    this.check();
    return this.transport.call(method, params);
  }
}
