/**
 * One WebSocket to a daemon carrying JSON-RPC both ways: requests out, responses and notifications
 * in. The socket only keeps the process alive while calls or subscriptions are open, so a script
 * that is done exits without closing its client.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import {
  BINARY_SUBPROTOCOL, decodeFrame, type MethodName, type NotificationName, type NotificationParams, type ParamsOf, type ResultOf,
} from '@pocketdock/protocol';
import { DaemonClosedError, SocketCommunicationError, Unauthorized, errorFromWire } from './errors.js';

export type NotificationListener<N extends NotificationName> = (params: NotificationParams<N>) => void;

export interface TransportOptions {
  /** `ws+unix:///path/to.sock:/rpc`, or `ws://127.0.0.1:PORT/rpc`. */
  url: string;
  token?: string;
  /** How long to wait for the socket to open. */
  connectTimeoutMs?: number;
}

/** Where plain HTTP requests reach the daemon that a Transport talks to, with the same credentials. */
export interface HttpTarget {
  socketPath?: string;
  host?: string;
  port?: number;
  headers: Record<string, string>;
}

export class Transport {
  private readonly rpc: JSONRPCClient;
  private readonly listeners = new Map<string, Set<(params: never) => void>>();
  private readonly closing = new AbortController();
  private holds = 0;
  private nextId = 1;
  private closedError: DaemonClosedError | undefined;

  private constructor(private readonly ws: WebSocket, readonly url: string, private readonly token: string | undefined) {
    this.rpc = new JSONRPCClient((request) => {
      if (this.closedError) throw this.closedError;
      ws.send(JSON.stringify(request));
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const frame = isBinary ? decodeFrame(raw) : undefined;
      this.onMessage(frame ? frame.header : raw.toString('utf8'), frame?.payload);
    });
    ws.once('close', (code, reason) => {
      this.closedError = new DaemonClosedError(`connection to the daemon at ${url} closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
      this.rpc.rejectAllPendingRequests(this.closedError.message);
      this.closing.abort(this.closedError);
    });
    ws.on('error', () => undefined); // 'close' follows and carries the outcome
    this.updateRef();
  }

  static open(o: TransportOptions): Promise<Transport> {
    return new Promise((resolve, reject) => {
      // The subprotocol opts in to exec output as binary frames: no JSON string around its bytes.
      const ws = new WebSocket(o.url, [BINARY_SUBPROTOCOL], {
        headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
        handshakeTimeout: o.connectTimeoutMs ?? 5000,
        maxPayload: 256 * 1024 * 1024,
        perMessageDeflate: false,
        // Masking guards browsers' traffic through proxies; for this client it only costs a pass
        // over every byte sent, and a zero mask lets both ends skip it.
        generateMask: (mask: Buffer) => { mask.fill(0); },
      });
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined); // terminate() reports the aborted handshake once more
        ws.terminate();
        reject(err);
      };
      ws.once('open', () => { ws.removeAllListeners(); resolve(new Transport(ws, o.url, o.token)); });
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        const message = `daemon at ${o.url} refused the connection: HTTP ${status}`;
        fail(status === 401 ? new Unauthorized(`${message} (missing or wrong token?)`, { detail: message })
          : new SocketCommunicationError(message, { detail: message }));
      });
    });
  }

  /** Aborted, with the DaemonClosedError as reason, when the connection is lost or closed. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  /** The daemon's HTTP side, for the transfer channel: the same socket or port, the same token. */
  get http(): HttpTarget {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const unix = /^ws\+unix:\/\/(.*):\/rpc$/.exec(this.url);
    if (unix) return { socketPath: unix[1]!, headers };
    const { hostname, port } = new URL(this.url);
    return { host: hostname, port: Number(port || 80), headers };
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.closedError) throw this.closedError;
    this.hold(+1);
    let response: JSONRPCResponse;
    try {
      response = await this.rpc.requestAdvanced({ jsonrpc: '2.0', id: this.nextId++, method, params } as never);
    } finally {
      this.hold(-1);
    }
    if (response.error) {
      // json-rpc-2.0 answers its own failures (connection gone) with code 0.
      if (response.error.code === 0) throw this.closedError ?? new DaemonClosedError(response.error.message);
      throw errorFromWire(response.error);
    }
    return response.result as ResultOf<M>;
  }

  /** Listens to a notification method; returns the function that stops listening. */
  on<N extends NotificationName>(method: N, fn: NotificationListener<N>): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(fn);
    this.hold(+1);
    return () => { if (set.delete(fn)) this.hold(-1); };
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'client closed');
    });
  }

  private onMessage(text: string, payload: Uint8Array | undefined): void {
    let msg: { id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.method !== undefined && msg.id === undefined) {
      // A notification's payload is its `data` text: listeners see the same params as over JSON.
      const params = payload ? { ...msg.params, data: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8') } : msg.params ?? {};
      // The daemon sends what its NOTIFICATIONS table declares (validated in its tests).
      for (const fn of this.listeners.get(msg.method) ?? []) fn(params as never);
      return;
    }
    this.rpc.receive(msg as JSONRPCResponse);
  }

  private hold(delta: number): void {
    this.holds += delta;
    this.updateRef();
  }

  private updateRef(): void {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (this.holds > 0) socket?.ref(); else socket?.unref();
  }
}
