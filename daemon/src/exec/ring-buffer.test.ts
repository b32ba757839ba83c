import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

const bytes = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));

describe('RingBuffer', () => {
  it('keeps everything below capacity, addressed by absolute offsets', () => {
    const r = new RingBuffer(100);
    r.append(Buffer.from('hello '));
    r.append(Buffer.from('world'));
    expect([r.start, r.end, r.size, r.dropped]).toEqual([0, 11, 11, 0]);
    expect(r.read(6).data.toString()).toBe('world');
    expect(r.read(0, 5)).toEqual({ offset: 0, data: Buffer.from('hello'), lost: 0 });
    expect(r.read(11).data.length).toBe(0);
  });

  it('evicts the oldest bytes, counts them and reports the gap to a reader behind', () => {
    const r = new RingBuffer(10);
    r.append(Buffer.from('0123456789'));
    r.append(Buffer.from('abcd'));
    expect([r.start, r.end, r.size, r.dropped]).toEqual([4, 14, 10, 4]);
    expect(r.read(0)).toEqual({ offset: 4, data: Buffer.from('456789abcd'), lost: 4 });
    expect(r.read(6, 3)).toEqual({ offset: 6, data: Buffer.from('678'), lost: 0 });
  });

  it('keeps only the tail of a write larger than the capacity', () => {
    const r = new RingBuffer(4);
    r.append(Buffer.from('ab'));
    r.append(Buffer.from('0123456789'));
    expect([r.start, r.end, r.dropped]).toEqual([8, 12, 8]);
    expect(r.read(8).data.toString()).toBe('6789');
  });

  it('grows its storage across the wrap point without reordering bytes', () => {
    const cap = 300 * 1024;
    const r = new RingBuffer(cap);
    let written = 0;
    for (const n of [50_000, 70_000, 1, 99_999, 200_000, 33_333, 400_000, 12]) {
      r.append(bytes(written, n));
      written += n;
      const held = Math.min(written, cap);
      expect(r.size).toBe(held);
      expect(r.read(0).data.equals(bytes(written - held, held))).toBe(true);
      expect(r.dropped).toBe(written - held);
    }
  });

  it('consume() drops read bytes without counting them as overflow', () => {
    const r = new RingBuffer(10);
    r.append(Buffer.from('abcdef'));
    r.consume();
    expect([r.size, r.dropped, r.start]).toEqual([0, 0, 6]);
    r.append(Buffer.from('ghijklmnop'));
    expect([r.size, r.dropped]).toEqual([10, 0]);
    r.append(Buffer.from('q'));
    expect(r.dropped).toBe(1);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});
