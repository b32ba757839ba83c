import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { answerWithin, closeLate } from './deadline.js';

/** Resolves with `value` once `ms` pass: an engine answering then. */
const answerAfter = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('answerWithin', () => {
  it('fails typed past the deadline, and hands what is answered later to discard', async () => {
    const stream = new PassThrough();
    let discard!: (late: PassThrough) => void;
    const discarded = new Promise<PassThrough>((resolve) => (discard = resolve));
    const err = await answerWithin(answerAfter(30, stream), 5, '/e.sock', 'exec', discard).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as Error).message).toBe('the engine at /e.sock did not answer (exec) within 0.005 s');
    const late = await discarded;
    expect(late).toBe(stream);
    closeLate(late);
    expect(late.destroyed).toBe(true);
    late.emit('error', new Error('ECONNRESET')); // heard by nobody, and no crash
  });

  it('answers in time without discarding anything', async () => {
    const discarded: unknown[] = [];
    expect(await answerWithin(answerAfter(1, 'ok'), 1000, '/e.sock', 'exec', (late) => discarded.push(late))).toBe('ok');
    expect(discarded).toEqual([]);
  });
});
