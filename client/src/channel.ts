/**
 * The platform-neutral half of a connection to the daemon: JSON-RPC calls matched to their
 * responses, notifications handed to listeners, typed errors. A transport (Node's `ws` in
 * transport.ts, the browser's WebSocket in browser-transport.ts) only moves the messages, so the
 * proxies built on RpcTransport (ExecStream, Process, Session, Terminal) run in both.
 */
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import type { MethodName, NotificationName, NotificationParams, ParamsOf, ResultOf } from '@pocketdock/protocol';
import { DaemonClosedError, InvalidParams, errorFromWire } from './errors.js';
import { Replay } from './replay.js';

/** `bytes`: the raw UTF-8 of the params' `data` when it came as a binary frame's payload (exec.output). */
export type NotificationListener<N extends NotificationName> = (params: NotificationParams<N>, bytes?: Uint8Array) => void;

/** What the client's proxies need from a connection, whatever carries it. */
export interface RpcTransport {
  readonly url: string;
  /** Aborted, with the DaemonClosedError as reason, when the connection is lost or closed. */
  readonly signal: AbortSignal;
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Listens to a notification method; returns the function that stops listening. */
  on<N extends NotificationName>(method: N, fn: NotificationListener<N>): () => void;
  /**
   * Called when the connection drops and the transport seeks a new one; what it returns runs on the
   * new connection before the calls that waited for it (re-subscriptions). Returns the function that
   * stops it.
   */
  resumable(hook: ResumeHook): () => void;
  close(): Promise<void>;
}

/** What a re-subscription needs on the new connection. */
export interface Resumption {
  /** The daemon answering is not the one that was (it restarted): offsets it gave are void, ids it kept are not. */
  restarted: boolean;
  /** A call on the new connection, ahead of the calls that wait for it. */
  call: RpcTransport['call'];
}

/** See RpcTransport.resumable; it may return nothing when it has nothing to resume. */
export type ResumeHook = () => ((r: Resumption) => Promise<void>) | undefined;

const utf8 = new TextDecoder();

/**
 * A request's JSON text. What JSON cannot carry (a BigInt, a cycle, nesting deep enough to exhaust
 * the stack) is the caller's mistake, said as such: json-rpc-2.0 would report a sender's throw as a
 * lost connection. So is a message past the daemon's `max` bytes, which would close the connection
 * under every call and stream on it.
 */
function serialized(request: { params: unknown }, max: number | undefined): string {
  let text: string;
  try {
    text = JSON.stringify(request);
  } catch (err) {
    throw unsendable(`cannot be sent as JSON: ${(err as Error).message}`);
  }
  // Counted only when it may be too large: a UTF-16 unit is at most 3 bytes of UTF-8.
  if (max !== undefined && text.length * 3 > max) {
    const bytes = new TextEncoder().encode(text).byteLength;
    if (bytes > max) throw unsendable(`make a message of ${bytes} bytes, past the ${max} the daemon reads (limits.maxMessageBytes)`);
  }
  return text;
}

const unsendable = (detail: string) => new InvalidParams(`invalid params: params ${detail}`, { field: 'params', detail });

export class RpcCore {
  /** Its client params are the request's JSON text, made before the call so that a failure is the caller's. */
  private readonly rpc: JSONRPCClient<string>;
  private readonly listeners = new Map<string, Set<(params: never, bytes?: Uint8Array) => void>>();
  private readonly closing = new AbortController();
  private readonly hooks = new Set<ResumeHook>();
  private readonly replay = new Replay();
  private nextId = 1;
  private closedError: DaemonClosedError | undefined;
  /** Set while the connection is down and another is sought: calls wait for it to settle. */
  private outage: { over: Promise<void>; end: () => void; resumes: ((r: Resumption) => Promise<void>)[] } | undefined;

  /** `hold(±1)` is told when a call or a listener starts and stops needing the connection. */
  constructor(
    send: (text: string) => void,
    private readonly hold: (delta: number) => void = () => undefined,
  ) {
    this.rpc = new JSONRPCClient<string>((_request, text) => {
      if (this.closedError) throw this.closedError;
      send(text);
    });
  }

  get signal(): AbortSignal {
    return this.closing.signal;
  }

  /** The lease grace the daemon announced in the connection's hello, in ms: how long a reconnect is worth trying. */
  get leaseGraceMs(): number | undefined {
    return this.replay.leaseGraceMs;
  }

  /** A call; while the connection is being re-established it waits for that (or for the transport to give up). */
  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.closedError) throw this.closedError;
    this.hold(+1);
    try {
      while (this.outage && !this.closedError) await this.outage.over;
      return await this.request(method, params);
    } finally {
      this.hold(-1);
    }
  }

  private async request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.closedError) throw this.closedError;
    const request = { jsonrpc: '2.0', id: this.nextId++, method, params } as const;
    const response = await this.rpc.requestAdvanced(request as never, serialized(request, this.replay.maxMessageBytes));
    if (response.error) {
      // json-rpc-2.0 answers its own failures (connection gone) with code 0.
      if (response.error.code === 0) throw this.closedError ?? new DaemonClosedError(response.error.message);
      throw errorFromWire(response.error);
    }
    this.replay.record(method, params, response.result);
    return response.result as ResultOf<M>;
  }

  on<N extends NotificationName>(method: N, fn: NotificationListener<N>): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(fn);
    this.hold(+1);
    return () => {
      if (set.delete(fn)) this.hold(-1);
    };
  }

  resumable(hook: ResumeHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** One message from the daemon: a frame's header text, and its payload when it came binary. */
  receive(text: string, payload?: Uint8Array): void {
    let msg: { id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.method !== undefined && msg.id === undefined) {
      // A notification's payload is its `data` text: listeners see the same params as over JSON.
      const params = payload ? { ...msg.params, data: utf8.decode(payload) } : (msg.params ?? {});
      // The daemon sends what its NOTIFICATIONS table declares (validated in its tests).
      for (const fn of this.listeners.get(msg.method) ?? []) fn(params as never, payload);
      return;
    }
    this.rpc.receive(msg as JSONRPCResponse);
  }

  /**
   * The connection dropped and the transport seeks another: calls in flight fail with
   * DaemonClosedError (they are not replayed: a command may have run), later ones wait.
   */
  interrupted(message: string): void {
    if (this.closedError) return;
    this.rpc.rejectAllPendingRequests(message);
    if (this.outage) return; // a new connection dropped while it was being set up: the same outage goes on
    let end!: () => void;
    const over = new Promise<void>((resolve) => {
      end = resolve;
    });
    const resumes = [...this.hooks].flatMap((hook) => hook() ?? []);
    this.outage = { over, end, resumes };
  }

  /**
   * A new connection is open: it says the same hello as the last one, watches again, and runs what
   * the disconnect hooks returned; then the calls that waited go. Rejects (a DaemonClosedError) when
   * the new connection drops meanwhile: the transport tries again, with the same outage.
   */
  async resume(): Promise<{ restarted: boolean }> {
    const outage = this.outage;
    if (!outage) return { restarted: false };
    const call = this.request.bind(this) as RpcTransport['call'];
    const restarted = await this.replay.replay(call);
    for (const fn of outage.resumes) await fn({ restarted, call });
    this.outage = undefined;
    outage.end();
    return { restarted };
  }

  /** The connection is gone: every call in flight and every later one fails with DaemonClosedError. */
  closed(message: string): void {
    if (this.closedError) return;
    this.closedError = new DaemonClosedError(message);
    this.rpc.rejectAllPendingRequests(this.closedError.message);
    this.outage?.end();
    this.closing.abort(this.closedError);
  }
}

/** A transport's calls and listeners, which are its RpcCore's: a transport adds only how messages move. */
export abstract class CoreTransport implements RpcTransport {
  abstract readonly url: string;
  protected abstract readonly core: RpcCore;

  get signal(): AbortSignal {
    return this.core.signal;
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.core.call(method, params);
  }

  on<N extends NotificationName>(method: N, fn: NotificationListener<N>): () => void {
    return this.core.on(method, fn);
  }

  resumable(hook: ResumeHook): () => void {
    return this.core.resumable(hook);
  }

  abstract close(): Promise<void>;
}
