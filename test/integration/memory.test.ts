// Nothing a sandbox's work leaves in the daemon outlives it: heap snapshots of a real daemon (through its
// inspector) after a warm-up and after 100 cycles of create, run, stream, detach, files, session and
// shutdown hold no more of any kind of object for the cycles in between. A failure names each kind that
// grew and the chain of references that holds its newest object. POCKETDOCK_MEMORY_CYCLES=20 runs it shorter.
// And what a stream held is given back once the daemon goes quiet, young generation and C heap included, and what finished
// streams kept for late readers once their sandbox goes (daemon/src/quiet-collection.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PocketDock } from '../../client/src/index.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { grown, inspect, type HeapCensus, type HeapSnapshot, type Inspector } from '../helpers/heap.js';

const WARM_UP = 8;
const CYCLES = Number(process.env.POCKETDOCK_MEMORY_CYCLES ?? 100);
/** Cycles at once: sandboxes side by side, as a daemon serves them. */
const AT_ONCE = 4;

let d: TestDaemon;
let pd: PocketDock;
let inspector: Inspector;
const local = mkdtempSync(join(tmpdir(), 'pd-memory-'));

beforeAll(async () => {
  d = await startDaemon({ node: ['--inspect=127.0.0.1:0'] });
  pd = await d.client();
  inspector = await inspect(d);
  writeFileSync(join(local, 'in.txt'), 'pushed\n'.repeat(10_000));
});

afterAll(async () => {
  await inspector?.close();
  await pd?.close();
  await d?.stop();
  rmSync(local, { recursive: true, force: true });
});

/** One sandbox's life, touching each kind of handle the daemon keeps: execs, streams, processes, transfers, sessions. */
async function cycle(i: number): Promise<void> {
  const c = await pd.createNewContainer();
  try {
    expect((await c.run('echo ran')).stdout).toBe('ran\n');
    let streamed = '';
    for await (const ch of c.run('seq 1 2000', { stream: true })) streamed += ch.data;
    expect(streamed.length).toBe(8893);
    const p = await c.run('echo detached', { detach: true });
    expect((await p.wait()).stdout).toBe('detached\n');
    await c.writeFile('/tmp/f', `file ${i}\n`.repeat(1000));
    expect((await c.readFile('/tmp/f')).length).toBe(`file ${i}\n`.length * 1000);
    await c.push(join(local, 'in.txt'), '/tmp/in.txt');
    await c.pull('/tmp/in.txt', join(local, `out-${i}.txt`));
    const s = await c.session();
    expect(await s.sendAndWait('echo $((6*7))')).toMatchObject({ stdout: '42\n' });
    await s.close();
  } finally {
    await c.shutdown({ force: true });
  }
}

/** Each kind that grew, by how much, and what holds its newest object. */
const report = (g: Record<string, number>, before: HeapCensus, after: HeapSnapshot) =>
  Object.entries(g)
    .sort(([, a], [, b]) => b - a)
    .map(
      ([kind, more]) =>
        `${kind}: ${before.counts.get(kind) ?? 0} → ${after.counts.get(kind)} (+${more}), held by ${after.retainedBy(kind)}`,
    )
    .join('\n');

async function cycles(n: number): Promise<void> {
  for (let i = 0; i < n; i += AT_ONCE) await Promise.all(Array.from({ length: Math.min(AT_ONCE, n - i) }, (_, j) => cycle(i + j)));
}

it(
  `holds no more objects of any kind after ${CYCLES} create/run/stream/files/session/shutdown cycles than after ${WARM_UP}`,
  { timeout: 20 * 60_000 },
  async () => {
    await cycles(WARM_UP);
    const before = await inspector.snapshot();
    await cycles(CYCLES);
    const after = await inspector.snapshot();
    // A leak of one object per cycle shows as CYCLES more; what the daemon caches or tunes on its own
    // (compiled code, a few more pino or fastify objects) stays far below half of that.
    const g = grown(before, after, CYCLES / 2);
    console.log(report(grown(before, after, 10), before, after));
    console.log(`heap ${(before.total / 2 ** 20).toFixed(1)} MB → ${(after.total / 2 ** 20).toFixed(1)} MB`);
    expect(report(g, before, after)).toBe('');
  },
);

/** What a daemon logged with message `msg` (or one it begins), once it logged more than `seen` such lines. */
type Logged = <T>(msg: string, seen?: number) => Promise<T[]>;

/** Runs `fn` against a daemon of its own, logging at debug level, where each collection says what it gave back. */
async function withLoggingDaemon(fn: (client: PocketDock, logged: Logged) => Promise<void>): Promise<void> {
  const q = await startDaemon({ args: ['--log-level', 'debug'] });
  const client = await q.client();
  const lines = <T>(msg: string) =>
    q
      .log()
      .split('\n')
      .filter((l) => l.includes(`"msg":"${msg}`))
      .map((l) => JSON.parse(l) as T);
  const logged: Logged = async <T>(msg: string, seen = 0) => {
    await expect.poll(() => lines(msg).length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(seen);
    return lines<T>(msg);
  };
  try {
    await fn(client, logged);
  } finally {
    await client.close();
    await q.stop();
  }
}

it(
  'collects what a 100 MB stream left once the daemon is quiet, trims the C heap, then lets V8 shrink its young generation',
  { timeout: 120_000 },
  () =>
    withLoggingDaemon(async (client, logged) => {
      const c = await client.createNewContainer();
      let bytes = 0;
      for await (const ch of c.run(`head -c ${100 * 2 ** 20} /dev/zero | tr '\\0' x`, { stream: true, maxOutput: 100 * 2 ** 20 }))
        bytes += ch.data.length;
      expect(bytes).toBe(100 * 2 ** 20);
      await c.shutdown({ force: true });
      const [collected] = await logged<{ liveBefore: number; liveAfter: number; trimmed: boolean; rssBefore: number; rssAfter: number }>(
        'quiet: collected"',
      );
      // An idle daemon's heap and buffers hold ~20 MB; the stream's chunks are gone.
      expect(collected!.liveAfter).toBeLessThan(40 * 2 ** 20);
      expect(collected!.liveAfter).toBeLessThan(collected!.liveBefore);
      // And the C heap gave back the pages the chunks' buffers had (glibc's malloc_trim, through koffi).
      expect(collected!.trimmed).toBe(true);
      expect(collected!.rssAfter).toBeLessThan(collected!.rssBefore);
      // What V8 holds, room included: an idle daemon's ~21 MB, not a young generation grown by 16-32 MB on top.
      const [again] = await logged<{ heldBefore: number; heldAfter: number }>('quiet: collected again');
      expect(again!.heldAfter).toBeLessThan(40 * 2 ** 20);
    }),
);

it('collects what finished streams kept for late readers once their sandbox goes, though nothing grew', { timeout: 180_000 }, () =>
  withLoggingDaemon(async (client, logged) => {
    const c = await client.createNewContainer();
    // Each finished stream keeps its last MiB (bufferSize) for a late reader, RETAIN_MS long: 24 MiB.
    const bytes = 2 * 2 ** 20;
    for (let i = 0; i < 24; i++) {
      let n = 0;
      for await (const ch of c.run(`head -c ${bytes} /dev/zero | tr '\\0' x`, { stream: true, maxOutput: bytes })) n += ch.data.length;
      expect(n).toBe(bytes);
    }
    // What the daemon grew by is collected; what the streams kept stays, live.
    const kept = await logged<{ liveAfter: number }>('quiet: collected"');
    await c.shutdown({ force: true });
    const after = await logged<{ liveAfter: number }>('quiet: collected"', kept.length);
    expect(after.at(-1)!.liveAfter).toBeLessThan(kept.at(-1)!.liveAfter - 16 * 2 ** 20);
  }),
);
