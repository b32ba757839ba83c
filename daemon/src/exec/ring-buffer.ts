/**
 * The last `capacity` bytes of one output stream, addressed by absolute offsets: offset N is the
 * N-th byte the stream ever produced, whatever was evicted or consumed since. Storage grows by
 * doubling up to the capacity, so a quiet process costs little; with a budget, each growth is taken
 * from it, and a ring the budget cannot grow keeps the storage it has (evicting sooner).
 */
import type { BufferBudget } from './budget.js';

/** A ring's first storage (or its capacity, if smaller). */
export const INITIAL_RING_BYTES = 64 * 1024;

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

  constructor(
    readonly capacity: number,
    private readonly budget?: BufferBudget,
  ) {
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

  /** Bytes of storage allocated now (what the budget holds for this ring). */
  get allocated(): number {
    return this.buf.length;
  }

  append(data: Buffer): void {
    if (data.length === 0) return;
    const total = this.total + data.length;
    this.grow(Math.min(total - this.first, this.capacity));
    const room = this.buf.length;
    const first = Math.max(this.first, total - room);
    this.evicted += first - this.first;
    this.first = first;
    this.total = total;
    const keep = data.length > room ? data.subarray(data.length - room) : data;
    if (keep.length) this.copyIn(total - keep.length, keep);
  }

  /** Gives the storage back to the budget; the ring holds nothing after. */
  release(): void {
    this.budget?.give(this.buf.length);
    this.buf = Buffer.alloc(0);
    this.first = this.total;
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

  /** Makes room for `needed` bytes if the budget allows, keeping the held bytes at their offsets modulo the new size. */
  private grow(needed: number): void {
    if (needed <= this.buf.length) return;
    let size = Math.max(this.buf.length, INITIAL_RING_BYTES);
    while (size < needed) size *= 2;
    size = Math.min(size, this.capacity);
    if (this.budget && !this.budget.take(size - this.buf.length)) return;
    const old = this.buf;
    this.buf = Buffer.allocUnsafe(size);
    if (old.length === 0) return;
    for (let o = this.first; o < this.total;) {
      const at = o % old.length;
      const n = Math.min(old.length - at, this.total - o);
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
