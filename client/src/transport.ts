/**
 * One WebSocket to a daemon carrying JSON-RPC both ways: requests out, responses and notifications
 * in. The socket only keeps the process alive while calls or subscriptions are open, so a script
 * that is done exits without closing its client.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { BINARY_SUBPROTOCOL, decodeFrame } from '@pocketdock/protocol';
import { CoreTransport, RpcCore } from './channel.js';
import { SocketCommunicationError, Unauthorized } from './errors.js';

export type { NotificationListener } from './channel.js';

export interface TransportOptions {
  /** `ws+unix:///path/to.sock:/rpc`, or `ws://127.0.0.1:PORT/rpc`. */
  url: string;
  token?: string;
  /** How long to wait for the socket to open. */
  connectTimeoutMs?: number;
  /** Sees every JSON-RPC message sent ('out') and received ('in'; a binary frame's header). */
  trace?: (direction: 'in' | 'out', message: string) => void;
}

/** Where plain HTTP requests reach the daemon that a Transport talks to, with the same credentials. */
export interface HttpTarget {
  socketPath?: string;
  host?: string;
  port?: number;
  headers: Record<string, string>;
}

export class Transport extends CoreTransport {
  protected readonly core: RpcCore;
  private holds = 0;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
    private readonly token: string | undefined,
    trace: TransportOptions['trace'],
  ) {
    super();
    this.core = new RpcCore(
      (text) => {
        trace?.('out', text);
        ws.send(text);
      },
      (delta) => this.hold(delta),
    );
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const frame = isBinary ? decodeFrame(raw) : undefined;
      const text = frame ? frame.header : raw.toString('utf8');
      trace?.('in', text);
      this.core.receive(text, frame?.payload);
    });
    ws.once('close', (code, reason) => {
      this.core.closed(`connection to the daemon at ${url} closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
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
        generateMask: (mask: Buffer) => {
          mask.fill(0);
        },
      });
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined); // terminate() reports the aborted handshake once more
        ws.terminate();
        reject(err);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve(new Transport(ws, o.url, o.token, o.trace));
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

  /** The daemon's HTTP side, for the transfer channel: the same socket or port, the same token. */
  get http(): HttpTarget {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    const unix = /^ws\+unix:\/\/(.*):\/rpc$/.exec(this.url);
    if (unix) return { socketPath: unix[1]!, headers };
    const { hostname, port } = new URL(this.url);
    return { host: hostname, port: Number(port || 80), headers };
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
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
  }
}
