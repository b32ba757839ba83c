import { describe, expect, it } from 'vitest';
import { check, type Quiet } from './quiet-collection.js';

const MB = 1024 * 1024;
const BUSY = 500_000;
const IDLE = 1_000;

/** Runs checks of (cpu µs, held bytes) from `start`; returns the index of each check that collected. */
function run(start: Quiet, checks: [number, number][]): number[] {
  let state = start;
  const collected: number[] = [];
  checks.forEach(([cpu, held], i) => {
    const { collect, ...next } = check(state, cpu, held);
    state = collect ? { quietChecks: 0, floor: held / 4 } : next;
    if (collect) collected.push(i);
  });
  return collected;
}

describe('a collection when the daemon goes quiet', () => {
  const start: Quiet = { quietChecks: 0, floor: 24 * MB };

  it('comes on the second quiet check after work that grew the heap, and once', () => {
    expect(
      run(start, [
        [BUSY, 60 * MB],
        [BUSY, 90 * MB],
        [IDLE, 90 * MB],
        [IDLE, 90 * MB],
        [IDLE, 23 * MB],
        [IDLE, 23 * MB],
      ]),
    ).toEqual([3]);
  });

  it('waits while the daemon works, however much it holds', () => {
    expect(
      run(start, [
        [BUSY, 90 * MB],
        [IDLE, 90 * MB],
        [BUSY, 95 * MB],
        [IDLE, 95 * MB],
        [BUSY, 99 * MB],
      ]),
    ).toEqual([]);
  });

  it('never comes to an idle daemon, nor to one that grew by less than 8 MB', () => {
    expect(
      run(
        start,
        Array.from({ length: 10 }, () => [IDLE, 24 * MB] as [number, number]),
      ),
    ).toEqual([]);
    expect(
      run(start, [
        [BUSY, 31 * MB],
        [IDLE, 31 * MB],
        [IDLE, 31 * MB],
        [IDLE, 31 * MB],
      ]),
    ).toEqual([]);
  });

  it('measures growth from the least the daemon held, not from where it started', () => {
    // V8 shrank the heap on its own to 16 MB: 26 MB later is 10 MB of growth.
    expect(
      run(start, [
        [IDLE, 16 * MB],
        [BUSY, 26 * MB],
        [IDLE, 26 * MB],
        [IDLE, 26 * MB],
      ]),
    ).toEqual([3]);
  });
});
