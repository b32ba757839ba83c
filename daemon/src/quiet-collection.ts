/**
 * A full garbage collection when the daemon goes quiet after work. The daemon runs with a roomy old
 * generation (young-generation.ts, for streams), and each chunk that went through it holds a malloc'd
 * ArrayBuffer freed only once its wrapper is collected: after 20 concurrent 100 MB streams V8 held a
 * 78 MB heap (16 MB live) and 40 MB of buffers, and still did 10 s later (measured; V8's memory reducer
 * comes when it comes). Nothing here knows about streams or transfers: the daemon is quiet when it used
 * almost no CPU for QUIET_CHECKS checks in a row, and it collects only when its resident memory has
 * grown by GROWTH over the least it was since the last collection: an idle daemon never collects, and
 * one that grew collects once. After each collection it gives back what the C heap then holds free
 * (malloc-trim.ts). Resident memory, not V8's heap and external figures: V8 may have freed the buffers
 * already on its own while the C heap still holds their pages (after the exec-run bench: 281 MB
 * resident, 15 s later still 281, with V8's figures back near their floor so nothing was collected).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';
import { trimMalloc } from './malloc-trim.js';

const CHECK_MS = 1_000;
/** CPU time (user + system) under which a check counts as quiet: 2% of one core. */
const QUIET_CPU_MICROS = 20_000;
/**
 * Five quiet seconds: work that comes back within a few (a user's next command, a bench's raw runs in
 * between) finds the heap as the last left it. Collected after two, the next 100 MB stream cost the
 * daemon ~15% more CPU while V8 grew the heap back (interleaved runs, 6 each).
 */
export const QUIET_CHECKS = 5;
/**
 * Quiet checks after a collection before one more: V8 gives back the young generation it grew (16-32 MB
 * after streams) only at a collection after which it measures little allocation over its last five
 * seconds, and what it measures spans the collections: the one the daemon went quiet with counts the
 * tail of the work before it. A collection five seconds later (six checks, for the timer's jitter)
 * measures only the quiet.
 */
export const SHRINK_CHECKS = 6;
const GROWTH = 8 * 1024 * 1024;

export interface Quiet {
  /** Checks in a row that were quiet. */
  readonly quietChecks: number;
  /** The fewest resident bytes seen since the last collection (or the start). */
  readonly floor: number;
  /** A collection came and the one that lets V8 shrink its young generation has not yet. */
  readonly collected: boolean;
}

/**
 * One check, given the CPU time used since the last one and the heap and external bytes now: the state
 * it leaves, and whether to collect (two passes, for what grew) or shrink (one pass, after a collection).
 */
export function check(state: Quiet, cpuMicros: number, held: number): Quiet & { collect: boolean; shrink: boolean } {
  const quietChecks = cpuMicros < QUIET_CPU_MICROS ? state.quietChecks + 1 : 0;
  const floor = Math.min(state.floor, held);
  const collect = quietChecks >= QUIET_CHECKS && held >= floor + GROWTH;
  const shrink = !collect && state.collected && quietChecks >= SHRINK_CHECKS;
  return { quietChecks, floor, collected: state.collected, collect, shrink };
}

/** What the daemon holds: V8's heap with the room it keeps, buffers, and what the C heap keeps of them. */
const heldBytes = () => process.memoryUsage.rss();

/** What V8 holds of it: its heap with the room it keeps, and memory outside it that JS objects own (the log's figures). */
const v8Bytes = () => {
  const m = process.memoryUsage();
  return m.heapTotal + m.external;
};

/** What of it is in use (the log's figures). */
const liveBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

/**
 * Gives back what the C heap holds free once a collection has freed the buffers (malloc-trim.ts), then
 * logs `msg` with the figures and the resident memory before and after.
 */
function giveBack(log: Logger, msg: string, figures: Record<string, number>, rssBefore: number): void {
  void trimMalloc().then((trimmed) => log.debug({ ...figures, trimmed, rssBefore, rssAfter: process.memoryUsage.rss() }, msg));
}

/** V8's gc() as --expose-gc makes it: with options, a collection of the kind they name. */
type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Starts the checks, on an unref'd timer: they never keep the daemon alive. */
export function collectWhenQuiet(log: Logger): void {
  // gc() lives in a context made after --expose-gc is set: made on the first collection, it costs a
  // daemon that never collects nothing.
  let gc: Gc | undefined;
  let state: Quiet = { quietChecks: 0, floor: heldBytes(), collected: false };
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    const { collect, shrink, ...next } = check(state, used.user + used.system, heldBytes());
    state = next;
    if (collect) {
      if (!gc) {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as Gc;
      }
      const liveBefore = liveBytes();
      const rssBefore = process.memoryUsage.rss();
      // A second pass: the buffers whose wrappers the first one collected are freed on the next.
      gc();
      gc();
      state = { quietChecks: 0, floor: heldBytes(), collected: true };
      giveBack(log, 'quiet: collected', { liveBefore, liveAfter: liveBytes() }, rssBefore);
    } else if (shrink) {
      const heldBefore = v8Bytes();
      const rssBefore = process.memoryUsage.rss();
      // As V8 collects when memory runs out: it also hands back the pages it pools for reuse, which a
      // plain collection leaves to its memory reducer, 7-8 s later (3 MB after the exec-run bench's streams).
      gc!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      state = { quietChecks: 0, floor: heldBytes(), collected: false };
      giveBack(log, 'quiet: collected again, for V8 to shrink its young generation', { heldBefore, heldAfter: v8Bytes() }, rssBefore);
    }
    // Read after the collection: its own CPU time is not work.
    cpu = process.cpuUsage();
  }, CHECK_MS).unref();
}
