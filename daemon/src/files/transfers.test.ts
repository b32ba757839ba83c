import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { CallContext } from '../rpc/context.js';
import { Transfers, type Transfer } from './transfers.js';

class Probe implements Transfer {
  closed: Error | undefined;
  close(reason: Error): void { this.closed = reason; }
}

const ctx = (signal: AbortSignal, websocket: boolean): CallContext => ({
  connectionId: 'c', transport: 'unix', log: pino({ level: 'silent' }), signal,
  notify: websocket ? () => undefined : undefined,
});

describe('Transfers', () => {
  it('closes a WebSocket caller\'s transfers when its connection closes', () => {
    const t = new Transfers();
    const conn = new AbortController();
    const probe = new Probe();
    const id = t.add('up', probe, ctx(conn.signal, true));
    expect(t.get(id, Probe, 'uploadId')).toBe(probe);
    conn.abort();
    expect(probe.closed?.message).toMatch(/connection closed/);
    expect(() => t.get(id, Probe, 'uploadId')).toThrow(/not an open transfer/);
  });

  it('listens once per connection however many transfers it opens', () => {
    const t = new Transfers();
    const conn = new AbortController();
    const probes = Array.from({ length: 20 }, () => new Probe());
    for (const p of probes) t.add('down', p, ctx(conn.signal, true));
    expect(getEventListeners(conn.signal, 'abort')).toHaveLength(1);
    conn.abort();
    expect(probes.every((p) => p.closed !== undefined)).toBe(true);
    expect(t.size).toBe(0);
  });

  it('keeps a plain HTTP caller\'s transfer past its request, until it sits idle', async () => {
    const t = new Transfers(30);
    const request = new AbortController();
    const probe = new Probe();
    const id = t.add('down', probe, ctx(request.signal, false));
    request.abort();
    expect(t.get(id, Probe, 'downloadId')).toBe(probe);
    await new Promise((r) => setTimeout(r, 60));
    expect(probe.closed?.message).toMatch(/idle/);
    expect(t.size).toBe(0);
  });

  it('tells the kinds apart and ignores unknown ids on close', () => {
    class Other extends Probe {}
    const t = new Transfers();
    const id = t.add('up', new Probe(), ctx(new AbortController().signal, true));
    expect(() => t.get(id, Other, 'downloadId')).toThrow(/downloadId/);
    t.close('nope', new Error('x'));
    expect(t.size).toBe(1);
  });
});
