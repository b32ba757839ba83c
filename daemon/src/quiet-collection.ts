/**
 * A full garbage collection when the daemon goes quiet after work. The daemon runs with a roomy old
 * generation (young-generation.ts, for streams), and each chunk that went through it holds a malloc'd
 * ArrayBuffer freed only once its wrapper is collected: after 20 concurrent 100 MB streams V8 held a
 * 78 MB heap (16 MB live) and 40 MB of buffers, and still did 10 s later (measured; V8's memory reducer
 * comes when it comes). Nothing here knows about streams or transfers: the daemon is quiet when it used
 * almost no CPU for QUIET_CHECKS checks in a row, and it collects only when its resident memory has
 * grown by GROWTH over the least it was since the last collection, or when the daemon freed GROWTH
 * since then (`freed`: the exec output a forgotten exec held), which grows nothing: after the exec-run
 * bench its sandboxes' finished streams kept 228 MB of buffers live through the last collection, and
 * when the sandboxes went the daemon stayed at 290 MB resident. An idle daemon never collects, and one
 * that grew or freed collects once. After each collection it gives back what the C heap then holds
 * free (malloc-trim.ts). Resident memory, not V8's heap and external figures: V8 may have freed the buffers
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
  /** Bytes the daemon said it freed since the last collection. */
  readonly freed: number;
  /** A collection came and the one that lets V8 shrink its young generation has not yet. */
  readonly collected: boolean;
}

/** Where the checks start, holding `held`. */
export const started = (held: number): Quiet => ({ quietChecks: 0, floor: held, freed: 0, collected: false });

/** The state a collection (`collected`) or the pass that shrinks (not `collected`) leaves, holding `held` after it. */
export const afterCollection = (held: number, collected: boolean): Quiet => ({ quietChecks: 0, floor: held, freed: 0, collected });

/**
 * One check, given the CPU time used since the last one, the resident bytes now and the bytes freed
 * since the last check: the state it leaves, and whether to collect (two passes) or shrink (one pass,
 * after a collection).
 */
export function check(state: Quiet, cpuMicros: number, held: number, freed = 0): Quiet & { collect: boolean; shrink: boolean } {
  const quietChecks = cpuMicros < QUIET_CPU_MICROS ? state.quietChecks + 1 : 0;
  const floor = Math.min(state.floor, held);
  const allFreed = state.freed + freed;
  const collect = quietChecks >= QUIET_CHECKS && (held >= floor + GROWTH || allFreed >= GROWTH);
  const shrink = !collect && state.collected && quietChecks >= SHRINK_CHECKS;
  return { quietChecks, floor, freed: allFreed, collected: state.collected, collect, shrink };
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
async function giveBack(log: Logger, msg: string, figures: Record<string, number>, rssBefore: number): Promise<void> {
  const trimmed = await trimMalloc();
  log.debug({ ...figures, trimmed, rssBefore, rssAfter: process.memoryUsage.rss() }, msg);
}

/** V8's gc() as --expose-gc makes it: with options, a collection of the kind they name. */
type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface QuietCollection {
  /** `bytes` the daemon no longer uses: a collection would give them back, though nothing grew. */
  freed(bytes: number): void;
}

/** Starts the checks, on an unref'd timer: they never keep the daemon alive. */
export function collectWhenQuiet(log: Logger): QuietCollection {
  // gc() lives in a context made after --expose-gc is set: made on the first collection, it costs a
  // daemon that never collects nothing.
  let gc: Gc | undefined;
  let state = started(heldBytes());
  let cpu = process.cpuUsage();
  let freed = 0;
  const tick = async (): Promise<void> => {
    const used = process.cpuUsage(cpu);
    const { collect, shrink, ...next } = check(state, used.user + used.system, heldBytes(), freed);
    freed = 0;
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
      await giveBack(log, 'quiet: collected', { liveBefore, liveAfter: liveBytes() }, rssBefore);
      state = afterCollection(heldBytes(), true);
    } else if (shrink) {
      const heldBefore = v8Bytes();
      const rssBefore = process.memoryUsage.rss();
      // As V8 collects when memory runs out: it also hands back the pages it pools for reuse, which a
      // plain collection leaves to its memory reducer, 7-8 s later (3 MB after the exec-run bench's streams).
      gc!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      await giveBack(log, 'quiet: collected again, for V8 to shrink its young generation', { heldBefore, heldAfter: v8Bytes() }, rssBefore);
      state = afterCollection(heldBytes(), false);
    }
    // Read after the collection and the trim: their own CPU time is not work.
    cpu = process.cpuUsage();
  };
  // Each check is armed once the last is over (a collection and its trim may take longer than CHECK_MS);
  // one that failed is logged, and the checks go on: memory housekeeping must never end the daemon.
  const next = (): void => {
    setTimeout(() => {
      tick()
        .catch((err: unknown) => log.warn({ err }, 'quiet: a check failed'))
        .finally(next);
    }, CHECK_MS).unref();
  };
  next();
  return {
    freed: (bytes) => {
      freed += bytes;
    },
  };
}
