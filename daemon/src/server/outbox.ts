/**
 * Notifications to one WebSocket, with a count of the bytes handed to it and not yet written out:
 * what lets exec output wait for a slow client instead of piling up in the daemon. A connection
 * that opted in to binary frames (the protocol's BINARY_SUBPROTOCOL) gets a notification's bytes
 * raw, as a frame's payload; any other gets them as the `data` string of plain JSON-RPC.
 */
import { encodeFrame, type SendNotification } from '@pocketdock/protocol';
import { OUTPUT_PIECE } from '../exec/index.js';
import type { NotifyQueue } from '../rpc/index.js';

interface Sendable {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string | Uint8Array, cb: (err?: Error) => void): void;
}

/** Queue size at which waiting output is released again. */
const LOW_WATER = 256 * 1024;
/**
 * Binary frames are written into reused buffers of this size (a header and one piece of exec output
 * fit): a new buffer per frame is outside V8's heap, and allocating them at streaming rates made V8
 * run full collections over and over (half the daemon's CPU in a 100 MB stream).
 */
const FRAME_BUFFER = OUTPUT_PIECE + 4 * 1024;
/** Buffers kept for reuse per connection, beyond those in flight. */
const SPARE_BUFFERS = 4;

export class Outbox implements NotifyQueue {
  private bytes = 0;
  private waiters: (() => void)[] = [];
  private readonly spare: Uint8Array[] = [];

  constructor(
    private readonly socket: Sendable,
    private readonly binary: boolean,
  ) {}

  get queued(): number {
    return this.bytes;
  }

  /** `payload`: the UTF-8 bytes of the `data` param, read before this returns. */
  readonly notify: SendNotification = (method, params, payload) => {
    if (payload && this.binary) {
      const buffer = this.spare.pop() ?? new Uint8Array(FRAME_BUFFER);
      const frame = encodeFrame(JSON.stringify({ jsonrpc: '2.0', method, params }), payload, buffer);
      this.send(frame, frame.buffer === buffer.buffer ? buffer : undefined);
      return;
    }
    const data = payload && Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    this.send(JSON.stringify({ jsonrpc: '2.0', method, params: data === undefined ? params : { ...params, data } }));
  };

  /** `buffer`: what `message` was written in, free again once the socket is done with it. */
  private send(message: string | Uint8Array, buffer?: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const n = message.length;
    this.bytes += n;
    // Called once the frame is written, or with an error when the socket closes: both free it.
    this.socket.send(message, () => {
      this.bytes -= n;
      if (buffer && this.spare.length < SPARE_BUFFERS) this.spare.push(buffer);
      if (this.bytes <= LOW_WATER && this.waiters.length) {
        const ws = this.waiters;
        this.waiters = [];
        for (const fn of ws) fn();
      }
    });
  }

  drained(): Promise<void> {
    if (this.bytes <= LOW_WATER) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
