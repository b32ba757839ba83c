/**
 * Splits an exec's attach stream into stdout and stderr. Docker frames non-TTY output with 8-byte
 * headers (stream id, 3 zero bytes, big-endian length); Podman's compat API sometimes sends raw
 * bytes. The first chunk tells which: a raw stream is passed through as stdout.
 */
export type StreamId = 'stdout' | 'stderr';
export type DemuxSink = (stream: StreamId, data: Buffer) => void;

const HEADER = 8;

function looksFramed(chunk: Buffer): boolean {
  return chunk.length >= HEADER && (chunk[0] === 1 || chunk[0] === 2) && chunk[1] === 0 && chunk[2] === 0 && chunk[3] === 0;
}

export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);
  private framed: boolean | undefined;
  private frameLeft = 0;
  private frameStream: StreamId = 'stdout';

  /** `framed: false` for a stream known to be raw (a TTY exec), which must not be sniffed. */
  constructor(
    private readonly sink: DemuxSink,
    framed?: boolean,
  ) {
    this.framed = framed;
  }

  push(chunk: Buffer): void {
    if (this.framed === undefined) {
      if (this.pending.length + chunk.length < HEADER) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      chunk = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.pending = Buffer.alloc(0);
      this.framed = looksFramed(chunk);
    }
    if (!this.framed) {
      this.sink('stdout', chunk);
      return;
    }
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      if (this.frameLeft > 0) {
        const n = Math.min(this.frameLeft, buf.length);
        this.sink(this.frameStream, buf.subarray(0, n));
        this.frameLeft -= n;
        buf = buf.subarray(n);
        continue;
      }
      if (buf.length < HEADER) {
        this.pending = Buffer.from(buf);
        return;
      }
      this.frameStream = buf[0] === 2 ? 'stderr' : 'stdout';
      this.frameLeft = buf.readUInt32BE(4);
      buf = buf.subarray(HEADER);
    }
  }

  /** Flushes what a stream shorter than one header left behind (raw output of under 8 bytes). */
  end(): void {
    if (this.framed === undefined && this.pending.length) this.sink('stdout', this.pending);
    this.pending = Buffer.alloc(0);
  }
}
