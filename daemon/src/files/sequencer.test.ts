import { TRANSFER_WINDOW } from '@pocketdock/protocol';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { Sequencer } from './sequencer.js';

describe('Sequencer', () => {
  it('runs calls in seq order whatever order they arrive in, one at a time', async () => {
    const s = new Sequencer();
    const order: number[] = [];
    let running = 0;
    const call = (seq: number) => s.run(seq, async () => {
      running++;
      expect(running).toBe(1);
      await new Promise((r) => setImmediate(r));
      order.push(seq);
      running--;
      return seq;
    });
    expect(await Promise.all([call(2), call(0), call(3), call(1)])).toEqual([2, 0, 3, 1]);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('refuses a repeated seq and one beyond the window', async () => {
    const s = new Sequencer();
    await s.run(0, async () => undefined);
    await expect(s.run(0, async () => undefined)).rejects.toThrow(/already sent/);
    await expect(s.run(1 + TRANSFER_WINDOW, async () => undefined)).rejects.toThrow(/ahead/);
  });

  it('fails waiting and later calls with the failure', async () => {
    const s = new Sequencer();
    const waiting = s.run(1, async () => 'never');
    const err = new DaemonError('PocketDockError', 'gone');
    s.fail(err);
    await expect(waiting).rejects.toBe(err);
    await expect(s.run(0, async () => 'never')).rejects.toBe(err);
  });
});
