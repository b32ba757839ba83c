import { describe, expect, it } from 'vitest';
import { QUIET_CHECKS, SHRINK_CHECKS, afterCollection, check, started, type Quiet } from './quiet-collection.js';

const MB = 1024 * 1024;
const BUSY = 500_000;
const IDLE = 1_000;
type Check = [cpuMicros: number, held: number, freed?: number];

const busy = (held: number): Check[] => [[BUSY, held]];
const quiet = (n: number, held: number): Check[] => Array.from({ length: n }, () => [IDLE, held]);

/** Runs the checks from `start`; returns the index of each check that collected, and of each that collected again to shrink. */
function passes(start: Quiet, checks: Check[]): { collected: number[]; shrunk: number[] } {
  let state = start;
  const collected: number[] = [];
  const shrunk: number[] = [];
  checks.forEach(([cpu, held, freed], i) => {
    const { collect, shrink, ...next } = check(state, cpu, held, freed);
    state = collect || shrink ? afterCollection(20 * MB, collect) : next;
    if (collect) collected.push(i);
    if (shrink) shrunk.push(i);
  });
  return { collected, shrunk };
}

const run = (start: Quiet, checks: Check[]) => passes(start, checks).collected;

describe('a collection when the daemon goes quiet', () => {
  const start: Quiet = started(24 * MB);

  it('comes on the last of QUIET_CHECKS quiet checks after work that grew the heap, and once', () => {
    const checks = [...busy(60 * MB), ...busy(90 * MB), ...quiet(QUIET_CHECKS, 90 * MB), ...quiet(5, 21 * MB)];
    expect(run(start, checks)).toEqual([1 + QUIET_CHECKS]);
  });

  it('waits while the daemon works, however much it holds, and through shorter pauses', () => {
    const pause = quiet(QUIET_CHECKS - 1, 95 * MB);
    expect(run(start, [...busy(90 * MB), ...pause, ...busy(95 * MB), ...pause, ...busy(99 * MB)])).toEqual([]);
  });

  it('never comes to an idle daemon, nor to one that grew by less than 8 MB', () => {
    expect(run(start, quiet(3 * QUIET_CHECKS, 24 * MB))).toEqual([]);
    expect(run(start, [...busy(31 * MB), ...quiet(3 * QUIET_CHECKS, 31 * MB)])).toEqual([]);
  });

  it('measures growth from the least the daemon held, not from where it started', () => {
    // V8 shrank the heap on its own to 16 MB: 26 MB later is 10 MB of growth.
    expect(run(start, [...quiet(1, 16 * MB), ...busy(26 * MB), ...quiet(QUIET_CHECKS, 26 * MB)])).toEqual([1 + QUIET_CHECKS]);
  });

  it('comes after the daemon freed 8 MB, though nothing grew, and once', () => {
    // What finished streams kept stayed live through the last collection; their sandbox went since.
    const settled = [...busy(90 * MB), ...quiet(QUIET_CHECKS, 90 * MB), ...quiet(SHRINK_CHECKS, 20 * MB)];
    const freed: Check[] = [
      [BUSY, 20 * MB, 5 * MB],
      [BUSY, 20 * MB, 3 * MB],
    ];
    expect(run(start, [...settled, ...freed, ...quiet(3 * QUIET_CHECKS, 20 * MB)])).toEqual([
      QUIET_CHECKS,
      settled.length + freed.length + QUIET_CHECKS - 1,
    ]);
    expect(run(start, [...settled, [BUSY, 20 * MB, 7 * MB], ...quiet(3 * QUIET_CHECKS, 20 * MB)])).toEqual([QUIET_CHECKS]);
  });

  it('collects once more SHRINK_CHECKS quiet checks after a collection (V8 then shrinks its young generation), and not again', () => {
    const checks = [...busy(90 * MB), ...quiet(QUIET_CHECKS, 90 * MB), ...quiet(3 * SHRINK_CHECKS, 21 * MB)];
    expect(passes(start, checks)).toEqual({ collected: [QUIET_CHECKS], shrunk: [QUIET_CHECKS + SHRINK_CHECKS] });
  });

  it('waits for the quiet to last, and never shrinks a daemon that did not collect', () => {
    const pause = quiet(SHRINK_CHECKS - 1, 30 * MB);
    const checks = [...busy(90 * MB), ...quiet(QUIET_CHECKS, 90 * MB), ...pause, ...busy(30 * MB), ...pause, ...busy(30 * MB)];
    expect(passes(start, checks).shrunk).toEqual([]);
    expect(passes(start, [...busy(31 * MB), ...quiet(3 * SHRINK_CHECKS, 31 * MB)])).toEqual({ collected: [], shrunk: [] });
  });
});
