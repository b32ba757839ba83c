/**
 * The last `capacity` bytes of one output stream, addressed by absolute offsets: offset N is the
 * N-th byte the stream ever produced, whatever was evicted or consumed since. Storage grows by
 * doubling up to the capacity, so a quiet process costs little.
 */
const INITIAL = 64 * 1024;

export interface RingRead {
  /** Absolute offset of the first byte of `data`. */
  offset: number;
  /** A view of the ring when the bytes are contiguous in it: valid until the next append. */
  data: Buffer;
  /** Bytes between the requested offset and `offset` that are no longer buffered. */
  lost: number;
}

export class RingBuffer {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset of the oldest byte still held. */
  private first = 0;
  private total = 0;
  /** Bytes pushed out by newer output (not counting what was consumed on purpose). */
  private evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
  }

  /** Absolute offset of the oldest byte still buffered. */
  get start(): number {
    return this.first;
  }
  /** Absolute offset just past the newest byte: the stream's total length. */
  get end(): number {
    return this.total;
  }
  /** Bytes held now. */
  get size(): number {
    return this.total - this.first;
  }
  /** Bytes lost to eviction so far. */
  get dropped(): number {
    return this.evicted;
  }

  append(data: Buffer): void {
    if (data.length === 0) return;
    const keep = data.length > this.capacity ? data.subarray(data.length - this.capacity) : data;
    const total = this.total + data.length;
    const first = Math.max(this.first, total - this.capacity);
    this.grow(total - first, first, this.total);
    this.evicted += first - this.first;
    this.first = first;
    this.total = total;
    this.copyIn(total - keep.length, keep);
  }

  /** Up to `max` bytes from absolute offset `from` (clamped to what is held). */
  read(from: number, max = Infinity): RingRead {
    const offset = Math.min(Math.max(from, this.first), this.total);
    const lost = Math.max(0, Math.min(this.first, this.total) - from);
    const n = Math.min(this.total - offset, max);
    return { offset, data: this.copyOut(offset, n), lost };
  }

  /** Drops everything before `offset` without counting it as evicted (a reader consumed it). */
  consume(offset = this.total): void {
    this.first = Math.min(Math.max(this.first, offset), this.total);
  }

  /** Makes room for `needed` bytes, keeping held bytes [from, to) at their offsets modulo the new size. */
  private grow(needed: number, from: number, to: number): void {
    if (needed <= this.buf.length) return;
    let size = Math.max(this.buf.length, INITIAL);
    while (size < needed) size *= 2;
    const old = this.buf;
    this.buf = Buffer.allocUnsafe(Math.min(size, this.capacity));
    if (old.length === 0) return;
    for (let o = from; o < to;) {
      const at = o % old.length;
      const n = Math.min(old.length - at, to - o);
      this.copyIn(o, old.subarray(at, at + n));
      o += n;
    }
  }

  private copyIn(offset: number, data: Buffer): void {
    const size = this.buf.length;
    const at = offset % size;
    const n = Math.min(size - at, data.length);
    data.copy(this.buf, at, 0, n);
    if (n < data.length) data.copy(this.buf, 0, n);
  }

  private copyOut(offset: number, n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const size = this.buf.length;
    const at = offset % size;
    const m = Math.min(size - at, n);
    if (m === n) return this.buf.subarray(at, at + n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, at, at + m);
    if (m < n) this.buf.copy(out, m, 0, n - m);
    return out;
  }
}
