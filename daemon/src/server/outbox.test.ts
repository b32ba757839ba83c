import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@pocketdock/protocol';
import { Outbox } from './outbox.js';

/** A socket that holds what it is sent until `flush()`, like a WebSocket whose peer reads slowly. */
function socket() {
  const sent: (string | Uint8Array)[] = [];
  const pending: (() => void)[] = [];
  return {
    sent,
    readyState: 1,
    OPEN: 1,
    send(data: string | Uint8Array, cb: () => void) {
      sent.push(data);
      pending.push(cb);
    },
    flush() {
      for (const cb of pending.splice(0)) cb();
    },
  };
}

const params = { execId: 'e1', subscription: 's1', stream: 'stdout' as const, offset: 3, next: 8 };
const bytes = Buffer.from('héll', 'utf8'); // 5 bytes: next - offset

describe('Outbox', () => {
  it('sends a payload as a binary frame to a connection that opted in: header without data, UTF-8 bytes after it', () => {
    const s = socket();
    new Outbox(s, true).notify('exec.output', params, bytes);
    const frame = decodeFrame(s.sent[0] as Uint8Array);
    expect(JSON.parse(frame!.header)).toEqual({ jsonrpc: '2.0', method: 'exec.output', params });
    expect(Buffer.from(frame!.payload).equals(bytes)).toBe(true);
  });

  it('sends the same notification as JSON text with data as a string to any other connection', () => {
    const s = socket();
    new Outbox(s, false).notify('exec.output', params, bytes);
    expect(JSON.parse(s.sent[0] as string)).toEqual({
      jsonrpc: '2.0',
      method: 'exec.output',
      params: { ...params, data: bytes.toString('utf8') },
    });
  });

  it('sends notifications without a payload as JSON text either way', () => {
    const s = socket();
    new Outbox(s, true).notify('image.progress', { buildId: 'b1', profile: 'dev', line: 'x' });
    expect(s.sent[0]).toBe('{"jsonrpc":"2.0","method":"image.progress","params":{"buildId":"b1","profile":"dev","line":"x"}}');
  });

  it("reuses a frame's buffer only once the socket has written it", () => {
    const s = socket();
    const box = new Outbox(s, true);
    box.notify('exec.output', params, Buffer.from('first'));
    box.notify('exec.output', params, Buffer.from('second'));
    const [a, b] = s.sent as Uint8Array[];
    expect(a!.buffer).not.toBe(b!.buffer);
    s.flush();
    box.notify('exec.output', params, Buffer.from('third'));
    expect([a!.buffer, b!.buffer]).toContain((s.sent[2] as Uint8Array).buffer);
    expect(Buffer.from(decodeFrame(s.sent[2] as Uint8Array)!.payload).toString()).toBe('third');
  });

  it('counts what the socket has not written and releases waiters once it drains', async () => {
    const s = socket();
    const box = new Outbox(s, true);
    const big = Buffer.alloc(300 * 1024, 'x');
    box.notify('exec.output', params, big);
    expect(box.queued).toBeGreaterThan(big.length);
    let drained = false;
    const waiting = box.drained().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    s.flush();
    await waiting;
    expect(box.queued).toBe(0);
  });
});
