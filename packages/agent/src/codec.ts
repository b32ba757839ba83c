/**
 * Frames to and from the agent (src/frame.h). Decoding hands output payloads on as views of the
 * chunks they arrived in — a 100 MB stream is never copied here — and gathers only the small
 * control frames.
 */
import { Ev, FRAME_MAX, HEADER, LIVE_EXITED, LIVE_GONE, LIVE_STDIN, SPAWN_STDIN } from './codes.js';

export interface FrameSink {
  /** A piece of a command's stdout or stderr (a frame may come in several pieces). */
  output(id: number, stream: 'stdout' | 'stderr', data: Buffer): void;
  /** Any other frame, whole. */
  control(type: string, id: number, payload: Buffer): void;
}

export class FrameDecoder {
  private readonly head = Buffer.alloc(HEADER);
  private have = 0;
  private type = '';
  private id = 0;
  private left = 0;
  private parts: Buffer[] = [];

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.left === 0 && this.have < HEADER) {
        const n = Math.min(HEADER - this.have, chunk.length - at);
        chunk.copy(this.head, this.have, at, at + n);
        this.have += n;
        at += n;
        if (this.have < HEADER) return;
        this.type = String.fromCharCode(this.head[0]!);
        this.id = this.head.readUInt32LE(1);
        this.left = this.head.readUInt32LE(5);
        if (this.left > FRAME_MAX) throw new Error(`agent frame of ${this.left} bytes`);
        if (this.left === 0) this.complete();
        continue;
      }
      const n = Math.min(this.left, chunk.length - at);
      const piece = chunk.subarray(at, at + n);
      at += n;
      this.left -= n;
      if (this.type === Ev.stdout || this.type === Ev.stderr) {
        this.sink.output(this.id, this.type === Ev.stdout ? 'stdout' : 'stderr', piece);
        if (this.left === 0) this.have = 0;
      } else {
        this.parts.push(piece);
        if (this.left === 0) this.complete();
      }
    }
  }

  private complete(): void {
    const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.have = 0;
    this.sink.control(this.type, this.id, payload);
  }
}

export function frame(type: string, id: number, payload: Buffer = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = type.charCodeAt(0);
  out.writeUInt32LE(id, 1);
  out.writeUInt32LE(payload.length, 5);
  payload.copy(out, HEADER);
  return out;
}

const EMPTY = Buffer.alloc(0);

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export interface SpawnSpec {
  argv: string[];
  /** NAME=value, laid over the agent's own environment. */
  env: string[];
  /** '' for the agent's working directory (the container's). */
  cwd: string;
  stdin: boolean;
  /** Output bytes (both streams) the command may send before an allow() lets it send more; default: no limit. */
  limit?: number;
}

/** No limit on a command's output. */
const UNLIMITED = 0xffff_ffff_ffff_ffffn;

export function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(Number.isFinite(n) ? BigInt(Math.max(0, Math.floor(n))) : UNLIMITED);
  return b;
}

export function spawnPayload(s: SpawnSpec): Buffer {
  const head = Buffer.allocUnsafe(12);
  head.writeUInt32LE(s.stdin ? SPAWN_STDIN : 0, 0);
  head.writeUInt32LE(s.argv.length, 4);
  head.writeUInt32LE(s.env.length, 8);
  return Buffer.concat([head, u64(s.limit ?? Infinity), Buffer.from([...s.argv, ...s.env, s.cwd].map((x) => `${x}\0`).join(''))]);
}

/** A command an agent runs when a daemon takes it over (EV_LIST). */
export interface Living {
  /** The agent's id of it: what the daemon that started it chose. */
  id: number;
  /** Its POCKETDOCK_EXEC: the daemon's exec id. */
  execId: string;
  stdin: boolean;
  /** Its exit code once its own process has ended. */
  exitCode: number | undefined;
  /** Nothing of it is left: it ended while no daemon listened, and the agent kept its exit code. */
  gone: boolean;
  /** Output bytes it sent so far, both streams: what its output limit counts from. */
  sent: number;
}

export function parseList(payload: Buffer): Living[] {
  const out: Living[] = [];
  for (let at = 0; at + 20 < payload.length; ) {
    const end = payload.indexOf(0, at + 20);
    if (end < 0) throw new Error('agent list: a record without its end');
    const flags = payload.readUInt32LE(at + 4);
    out.push({
      id: payload.readUInt32LE(at),
      stdin: (flags & LIVE_STDIN) !== 0,
      exitCode: flags & LIVE_EXITED ? payload.readInt32LE(at + 8) : undefined,
      gone: (flags & LIVE_GONE) !== 0,
      sent: Number(payload.readBigUInt64LE(at + 12)),
      execId: payload.toString('utf8', at + 20, end),
    });
    at = end + 1;
  }
  return out;
}
