import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { DIRECT, Transfers, type Inbound, type Outbound } from './transfers.js';

class Down implements Outbound {
  readonly chunks = Readable.from([Buffer.from('x')]);
  readonly size = 1;
  closed = 0;
  private release!: () => void;
  readonly released = new Promise<void>((r) => {
    this.release = r;
  });
  close(): void {
    this.closed++;
    this.release();
  }
}

const up = (): Inbound => ({ receive: async () => ({ bytes: 0 }) });

function refusal(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (err) {
    return err as DaemonError;
  }
  throw new Error('did not throw');
}

describe('Transfers', () => {
  it('hands a transfer out once: a used id answers a typed error naming the field', () => {
    const t = new Transfers();
    const down = new Down();
    const id = t.add('down', down);
    expect(t.claimDownload(id)).toBe(down);
    const err = refusal(() => t.claimDownload(id));
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.data).toMatchObject({ type: 'InvalidParams', field: 'transferId' });
    expect(err.message).toMatch(/not an open transfer/);
    expect(t.size).toBe(0);
  });

  it('refuses the wrong direction without using the id up', () => {
    const t = new Transfers();
    const id = t.add('up', up());
    expect(refusal(() => t.claimDownload(id)).message).toMatch(/an upload: PUT/);
    expect(t.claimUpload(id)).toBeDefined();
    const down = t.add('down', new Down());
    expect(refusal(() => t.claimUpload(down)).message).toMatch(/a download: GET/);
    const local = t.add('down', { run: () => Promise.resolve({ bytes: 0 }), close: () => undefined });
    expect(refusal(() => t.claimDownload(local)).message).toMatch(/local: POST/);
    expect(refusal(() => t.claimUpload(local)).message).toMatch(/local: POST/);
    expect(refusal(() => t.claimLocal(down)).message).toMatch(/a download: GET/);
    expect(t.claimLocal(local)).toBeDefined();
  });

  it('makes ids of 128 random bits', () => {
    const t = new Transfers();
    const ids = new Set(Array.from({ length: 100 }, () => t.add('up', up())));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^up-[0-9a-f]{32}$/);
  });

  it('releases a transfer left unused, and forgets it', async () => {
    const t = new Transfers(30);
    const down = new Down();
    const id = t.add('down', down);
    await down.released;
    expect(down.closed).toBe(1);
    expect(refusal(() => t.claimDownload(id)).data).toMatchObject({ field: 'transferId' });
  });

  it('releases a cancelled download once, and ignores unknown ids', () => {
    const t = new Transfers();
    const down = new Down();
    const id = t.add('down', down);
    t.close(id);
    t.close(id);
    t.close('nope');
    expect(down.closed).toBe(1);
    expect(t.size).toBe(0);
  });

  it('tells when a transfer is over: cancelled unused, or its one request finished', async () => {
    const t = new Transfers();
    const cancelled = t.add('up', up());
    const used = t.add('down', new Down());
    let over = '';
    void t.ended(cancelled).then(() => (over += 'cancelled '));
    void t.ended(used).then(() => (over += 'used'));
    t.close(cancelled);
    t.claimDownload(used);
    await t.ended(cancelled);
    expect(over).toBe('cancelled ');
    t.finish(used);
    await t.ended(used);
    expect(over).toBe('cancelled used');
  });

  it('ends a direct transfer when its caller cancels it, or when left past the idle time (a caller that died); no request claims it', async () => {
    const t = new Transfers(30);
    const cancelled = t.add('up', DIRECT);
    const abandoned = t.add('down', DIRECT);
    for (const id of [cancelled, abandoned]) {
      expect(refusal(() => t.claimUpload(id)).message).toMatch(/direct: .* file.cancel/);
      expect(refusal(() => t.claimDownload(id)).message).toMatch(/direct/);
      expect(refusal(() => t.claimLocal(id)).message).toMatch(/direct/);
    }
    t.close(cancelled);
    await t.ended(cancelled);
    await t.ended(abandoned);
    expect(t.size).toBe(0);
  });
});
