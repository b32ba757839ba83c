/**
 * The browser's connection to a daemon: its own WebSocket carrying the same JSON-RPC as Node's
 * transport. A browser cannot send an Authorization header on a WebSocket, so the page relies on
 * the daemon's sign-in cookie, which the browser adds to same-origin requests itself.
 */
import { BINARY_SUBPROTOCOL, decodeFrame } from '@pocketdock/protocol';
import { CoreTransport, RpcCore } from './channel.js';
import { SocketCommunicationError } from './errors.js';

export class BrowserTransport extends CoreTransport {
  protected readonly core: RpcCore;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
  ) {
    super();
    this.core = new RpcCore((text) => ws.send(text));
    ws.addEventListener('message', (ev: { data: unknown }) => {
      if (typeof ev.data === 'string') return this.core.receive(ev.data);
      const frame = decodeFrame(new Uint8Array(ev.data as ArrayBuffer));
      if (frame) this.core.receive(frame.header, frame.payload);
    });
    ws.addEventListener('close', (ev) => {
      this.core.closed(`connection to the daemon at ${url} closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
    });
  }

  /** Opens `url`, e.g. ws://127.0.0.1:7117/rpc for a page served by that daemon. */
  static open(url: string): Promise<BrowserTransport> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [BINARY_SUBPROTOCOL]);
      ws.binaryType = 'arraybuffer';
      const opened = () => {
        ws.removeEventListener('close', refused);
        resolve(new BrowserTransport(ws, url));
      };
      // The browser hides why a handshake failed (a 401 looks like any close); the page asks
      // over plain HTTP first when it needs the reason.
      const refused = (ev: { code: number }) => {
        ws.removeEventListener('open', opened);
        const detail = `could not open a WebSocket to ${url} (${ev.code})`;
        reject(new SocketCommunicationError(detail, { detail }));
      };
      ws.addEventListener('open', opened, { once: true });
      ws.addEventListener('close', refused, { once: true });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.addEventListener('close', () => resolve(), { once: true });
      this.ws.close(1000, 'client closed');
    });
  }
}
