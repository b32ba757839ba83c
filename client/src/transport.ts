/**
 * One WebSocket to a daemon carrying JSON-RPC both ways: requests out, responses and notifications
 * in. The socket only keeps the process alive while calls or subscriptions are open, so a script
 * that is done exits without closing its client. When the socket drops without close() (the daemon
 * restarted, the socket was cut) and `reconnect` is on, a new one is sought (reconnect.ts) and the
 * connection goes on there: same hello, same subscriptions from their cursors.
 */
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { BINARY_SUBPROTOCOL, decodeFrame } from '@pocketdock/protocol';
import { CoreTransport, RpcCore } from './channel.js';
import { SocketCommunicationError, Unauthorized, type DaemonClosedError } from './errors.js';
import { reconnectLoop, type ReconnectOptions } from './reconnect.js';

export type { NotificationListener } from './channel.js';

export interface TransportOptions {
  /** `ws+unix:///path/to.sock:/rpc`, or `ws://127.0.0.1:PORT/rpc`. */
  url: string;
  token?: string;
  /** How long to wait for the socket to open. */
  connectTimeoutMs?: number;
  /** Sees every JSON-RPC message sent ('out') and received ('in'; a binary frame's header). */
  trace?: (direction: 'in' | 'out', message: string) => void;
  /** Seek a new connection when this one drops without close() (default: not; connect() turns it on). */
  reconnect?: ReconnectOptions | false;
}

/** What a program can watch of the connection itself. */
export interface ConnectionEvents {
  /** The socket dropped without close(): calls in flight failed, later ones wait while a new one is sought. */
  disconnect: { reason: string };
  /** A new socket is open and everything is subscribed again; `restarted`: another daemon process answers. */
  reconnect: { attempts: number; restarted: boolean };
  /** The connection is over for good (close(), reconnecting is off, or it gave up): every call fails with `error`. */
  close: { error: DaemonClosedError };
}
export type ConnectionEvent = keyof ConnectionEvents;

/** Where plain HTTP requests reach the daemon that a Transport talks to, with the same credentials. */
export interface HttpTarget {
  socketPath?: string;
  host?: string;
  port?: number;
  headers: Record<string, string>;
}

export class Transport extends CoreTransport {
  protected readonly core: RpcCore;
  readonly url: string;
  private ws: WebSocket;
  private holds = 0;
  private closedHere = false;
  private reconnecting: { stop(): void } | undefined;
  private waiting: NodeJS.Timeout | undefined;
  private readonly events: { [E in ConnectionEvent]: Set<(e: ConnectionEvents[E]) => void> } = {
    disconnect: new Set(),
    reconnect: new Set(),
    close: new Set(),
  };

  private constructor(
    ws: WebSocket,
    private readonly o: TransportOptions,
  ) {
    super();
    this.url = o.url;
    this.ws = ws;
    this.core = new RpcCore(
      (text) => {
        o.trace?.('out', text);
        this.ws.send(text);
      },
      (delta) => this.hold(delta),
    );
    // Every stream, callback and session of the connection listens to it: 20 streams at once are no
    // leak, and must not print Node's MaxListenersExceededWarning on the user's stderr.
    setMaxListeners(0, this.core.signal);
    this.core.signal.addEventListener('abort', () => this.emit('close', { error: this.core.signal.reason as DaemonClosedError }), {
      once: true,
    });
    this.attach(ws);
  }

  static async open(o: TransportOptions): Promise<Transport> {
    return new Transport(await openSocket(o, true), o);
  }

  /** Tells `fn` of `event` (see ConnectionEvents); returns the function that stops telling it. */
  onConnection<E extends ConnectionEvent>(event: E, fn: (e: ConnectionEvents[E]) => void): () => void {
    const set = this.events[event] as Set<typeof fn>;
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit<E extends ConnectionEvent>(event: E, e: ConnectionEvents[E]): void {
    for (const fn of this.events[event] as Set<(e: ConnectionEvents[E]) => void>) fn(e);
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const frame = isBinary ? decodeFrame(raw) : undefined;
      const text = frame ? frame.header : raw.toString('utf8');
      this.o.trace?.('in', text);
      this.core.receive(text, frame?.payload);
    });
    ws.once('close', (code, reason) => {
      if (ws !== this.ws) return;
      const message = `connection to the daemon at ${this.url} closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
      if (this.closedHere || this.o.reconnect === undefined || this.o.reconnect === false) return this.core.closed(message);
      this.core.interrupted(message);
      if (!this.reconnecting) this.seek(message);
    });
    ws.on('error', () => undefined); // 'close' follows and carries the outcome
    this.updateRef();
  }

  /** Looks for a new socket until one takes everything over, or gives up (then the connection is closed). */
  private seek(reason: string): void {
    this.emit('disconnect', { reason });
    const loop = reconnectLoop({
      ...(this.o.reconnect || {}),
      grace: this.core.leaseGraceMs,
      attempt: async (timeoutMs) => {
        const ws = await openSocket({ ...this.o, connectTimeoutMs: timeoutMs }, false);
        if (this.closedHere) {
          ws.terminate();
          return false;
        }
        this.attach(ws);
        return this.core.resume().catch((err: unknown) => {
          ws.terminate(); // the next attempt opens another
          throw err;
        });
      },
    });
    this.reconnecting = loop;
    this.updateRef();
    void loop.done.then((outcome) => {
      this.reconnecting = undefined;
      this.updateRef();
      if ('restarted' in outcome) this.emit('reconnect', outcome);
      else if ('gaveUp' in outcome) this.core.closed(`${reason}; no daemon took the connection back (${outcome.gaveUp})`);
      else this.core.closed(`connection to the daemon at ${this.url} closed by this client`);
    });
  }

  /** The daemon's HTTP side, for the transfer channel: the same socket or port, the same token. */
  get http(): HttpTarget {
    const headers: Record<string, string> = this.o.token ? { authorization: `Bearer ${this.o.token}` } : {};
    const unix = /^ws\+unix:\/\/(.*):\/rpc$/.exec(this.url);
    if (unix) return { socketPath: unix[1]!, headers };
    const { hostname, port } = new URL(this.url);
    return { host: hostname, port: Number(port || 80), headers };
  }

  close(): Promise<void> {
    this.closedHere = true;
    this.reconnecting?.stop();
    if (this.ws.readyState === WebSocket.CLOSED) {
      this.core.closed(`connection to the daemon at ${this.url} closed by this client`);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'client closed');
    });
  }

  private hold(delta: number): void {
    this.holds += delta;
    this.updateRef();
  }

  private updateRef(): void {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (this.holds > 0) socket?.ref();
    else socket?.unref();
    // While a new socket is sought there is none to hold the process for whoever waits: a timer does.
    const waiting = this.holds > 0 && this.reconnecting !== undefined;
    if (waiting && !this.waiting) this.waiting = setInterval(() => undefined, 1 << 30);
    if (!waiting && this.waiting) {
      clearInterval(this.waiting);
      this.waiting = undefined;
    }
  }
}

/**
 * Opens a WebSocket to the daemon. `keepAlive` false (a reconnect): the handshake does not keep the
 * process alive by itself, so that a finished script is not held open by it (updateRef holds it for
 * whoever waits).
 */
function openSocket(o: TransportOptions, keepAlive: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // The subprotocol opts in to exec output as binary frames: no JSON string around its bytes.
    const ws = new WebSocket(o.url, [BINARY_SUBPROTOCOL], {
      headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
      handshakeTimeout: o.connectTimeoutMs ?? 5000,
      maxPayload: 256 * 1024 * 1024,
      perMessageDeflate: false,
      // Masking guards browsers' traffic through proxies; for this client it only costs a pass
      // over every byte sent, and a zero mask lets both ends skip it.
      generateMask: (mask: Buffer) => {
        mask.fill(0);
      },
    });
    if (!keepAlive)
      (ws as unknown as { _req?: { once(e: 'socket', fn: (s: Socket) => void): void } })._req?.once('socket', (s) => s.unref());
    const fail = (err: Error) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined); // terminate() reports the aborted handshake once more
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      ws.removeAllListeners();
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      const message = `daemon at ${o.url} refused the connection: HTTP ${status}`;
      fail(
        status === 401
          ? new Unauthorized(`${message} (missing or wrong token?)`, { detail: message })
          : new SocketCommunicationError(message, { detail: message }),
      );
    });
  });
}
