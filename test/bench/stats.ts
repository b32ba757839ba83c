/** Shared by every benchmark: timing samples, percentiles, and one JSON line per figure. */
export async function sample(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

/**
 * Ours and the raw engine's timed once per round, in the same rounds; which of the two goes first
 * alternates from one round to the next, so that neither always runs right after the other's work
 * (the engine still busy with a write, a cache the other warmed).
 */
export class Interleaved {
  readonly ours: number[] = [];
  readonly raw: number[] = [];

  async round(ours: () => Promise<unknown>, raw: () => Promise<unknown>): Promise<void> {
    if (this.ours.length % 2 === 0) {
      this.ours.push(...(await sample(1, ours)));
      this.raw.push(...(await sample(1, raw)));
    } else {
      this.raw.push(...(await sample(1, raw)));
      this.ours.push(...(await sample(1, ours)));
    }
  }
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** p50 and p90 of samples in ms. */
const spread = (xs: number[]) => ({ n: xs.length, p50: round(percentile(xs, 50)), p90: round(percentile(xs, 90)) });

/** Prints a figure that has no raw counterpart (what the machine itself takes): p50/p90 in ms. */
export function reportAlone(bench: string, xs: number[]): void {
  console.log(JSON.stringify({ bench, ...spread(xs) }));
}

/** Prints ours next to the raw engine's: p50/p90 in ms and the p50 ratio against its target. */
export function report(bench: string, ours: number[], raw: number[], target: number): void {
  const line = {
    bench,
    ...spread(ours),
    rawP50: round(percentile(raw, 50)),
    rawP90: round(percentile(raw, 90)),
    ratio: round(percentile(ours, 50) / percentile(raw, 50)),
    target,
  };
  console.log(JSON.stringify(line));
}

export function print(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

/**
 * Readings a second apart that must all agree (within STILL_KIB) for resident memory to count as
 * settled: longer than the daemon stays flat before and between its quiet collections (10 readings
 * took a daemon not yet quiet 9 s after the exec-run bench for settled, at 283 MB).
 */
const STILL_READINGS = 20;
const STILL_KIB = 512;
const SETTLE_LIMIT_MS = 90_000;

/**
 * The daemon's resident memory once it holds still, read each second while the daemon is left alone:
 * its quiet collections come 5 and 11 quiet seconds after the work (daemon/src/quiet-collection.ts), and
 * how soon the daemon counts as quiet depends on what the machine is doing, so no fixed wait reads the
 * same moment twice. Gives up after 90 s and returns what it reads then, with the seconds it waited.
 */
export async function settledRssKiB(rssKiB: () => number): Promise<{ kib: number; seconds: number }> {
  const t0 = Date.now();
  const readings: number[] = [rssKiB()];
  while (Date.now() - t0 < SETTLE_LIMIT_MS) {
    await new Promise((r) => setTimeout(r, 1000));
    readings.push(rssKiB());
    const last = readings.slice(-STILL_READINGS);
    if (last.length === STILL_READINGS && Math.max(...last) - Math.min(...last) <= STILL_KIB) break;
  }
  return { kib: readings.at(-1)!, seconds: Math.round((Date.now() - t0) / 1000) };
}

/**
 * One line for the daemon's resident memory idle (read right after it started), right after `what`, and
 * settled (target: idle ≤ 60 MB, settled back within 10 MB of idle).
 */
export async function printSettled(what: string, idle: number, rssKiB: () => number): Promise<void> {
  const afterBenches = rssKiB();
  const settled = await settledRssKiB(rssKiB);
  print({
    bench: `daemon RSS idle, after ${what}, and settled (KiB)`,
    idle,
    afterBenches,
    settled: settled.kib,
    settledAfterSeconds: settled.seconds,
    targetIdle: 60 * 1024,
    targetBack: 10 * 1024,
  });
}
