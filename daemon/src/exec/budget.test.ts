import { describe, expect, it } from 'vitest';
import { BufferBudget } from './budget.js';
import { OutputCollector } from './collector.js';
import { INITIAL_RING_BYTES, RingBuffer } from './ring-buffer.js';

const KiB = 1024;

describe('BufferBudget', () => {
  it('charges a ring what it really allocates, as it grows, and takes it back on release', () => {
    const budget = new BufferBudget(1024 * KiB);
    const r = new RingBuffer(512 * KiB, budget);
    expect(budget.used).toBe(0);
    r.append(Buffer.alloc(10));
    expect(budget.used).toBe(INITIAL_RING_BYTES);
    r.append(Buffer.alloc(100 * KiB));
    expect(budget.used).toBe(2 * INITIAL_RING_BYTES);
    r.append(Buffer.alloc(1024 * KiB));
    expect([budget.used, r.allocated]).toEqual([512 * KiB, 512 * KiB]);
    r.release();
    expect([budget.used, r.size]).toEqual([0, 0]);
  });

  it('a ring the budget cannot grow keeps its storage, evicts sooner and reports the loss', () => {
    const budget = new BufferBudget(192 * KiB);
    const other = new RingBuffer(1024 * KiB, budget);
    other.append(Buffer.alloc(100 * KiB));
    const r = new RingBuffer(1024 * KiB, budget);
    r.append(Buffer.from('a'.repeat(INITIAL_RING_BYTES)));
    r.append(Buffer.from('bcd'));
    expect([r.allocated, r.size, r.dropped, r.end]).toEqual([INITIAL_RING_BYTES, INITIAL_RING_BYTES, 3, INITIAL_RING_BYTES + 3]);
    expect(r.read(0)).toMatchObject({ offset: 3, lost: 3 });
    expect(r.read(INITIAL_RING_BYTES).data.toString()).toBe('bcd');
    expect(budget.used).toBe(192 * KiB);
  });

  it('a ring with no storage to be had holds nothing and counts everything as lost', () => {
    const r = new RingBuffer(1024, new BufferBudget(10));
    r.append(Buffer.from('hello'));
    expect([r.size, r.dropped, r.end]).toEqual([0, 5, 5]);
    expect(r.read(0)).toEqual({ offset: 5, data: Buffer.alloc(0), lost: 5 });
  });

  it('a run keeps what the budget allows, then nothing more, and says truncated', () => {
    const budget = new BufferBudget(8);
    const c = new OutputCollector(100, budget);
    c.cut('stdout', Buffer.from('12345'));
    expect(c.truncated).toBe(false);
    c.cut('stdout', Buffer.from('6789'));
    c.cut('stderr', Buffer.from('x'));
    expect([c.text('stdout'), c.text('stderr'), c.truncated, budget.used]).toEqual(['12345', '', true, 5]);
    c.release();
    expect(budget.used).toBe(0);
  });
});
