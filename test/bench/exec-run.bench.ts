/**
 * Running commands through client + daemon (the in-container agent) against dockerode's exec,
 * interleaved in the same run, on every engine that answers:
 * - one `true` at a time (ms; target p50 ≤ 5 ms and ≤ 0.1x raw, i.e. 10x faster),
 * - 100 concurrent runs across 10 sandboxes (ms per batch; target ≤ 1.11x raw, i.e. ≥ 0.9x its throughput),
 * - 20 concurrent 100 MB streams across the same 10 (aggregate MB/s, median of five rounds; target ≥ 0.9x raw),
 * and the daemon's RSS right after start, after all of it, and once it holds still (target: ≤ 60 MB idle,
 * back within 10 MB). And the machine's own floor for the first, in the same rounds: a shell on the host
 * spawning `true` and waiting for it, no container (what a command costs at least moves with the machine's
 * load: 2.3-12 ms on one shared day).
 */
import { execFileSync } from 'node:child_process';
import type { Container } from '../../client/src/index.js';
import { startDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';
import { MB, generate, mbps, median, rawExec } from './raw-exec.js';
import { print, printSettled, report, reportAlone, sample } from './stats.js';

const SANDBOXES = 10;
const RUNS = 100;
const STREAMS = 20;
const STREAM_BYTES = 100 * MB;

async function streamAll(c: Container): Promise<void> {
  let bytes = 0;
  for await (const ch of c.run(generate(STREAM_BYTES), { stream: true, maxOutput: STREAM_BYTES, timeout: 600 })) bytes += ch.data.length;
  if (bytes !== STREAM_BYTES) throw new Error(`streamed ${bytes} bytes, expected ${STREAM_BYTES}`);
}

/** How long node's spawn of a shell that spawns `true` `n` times in a row, waiting for each, takes (ms). */
function shellLoop(n: number): number {
  const t = process.hrtime.bigint();
  execFileSync('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done`]);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * What spawning `true` and waiting for it costs a small process on the host, no container (ms each, of
 * `n` in a row from a shell): the floor of any command on this machine at that moment. Not node's own
 * spawn, which copies the whole process's page tables (7-11 ms here, more than a sandbox's run): the
 * shell's own start, by node, is taken off by timing an empty loop too.
 */
function hostTrue(n: number): number {
  return (shellLoop(n) - shellLoop(0)) / n;
}

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const idle = d.rssKiB();
  const pd = await d.client();
  for (const e of await availableEngines()) {
    const cs = await Promise.all(Array.from({ length: SANDBOXES }, () => pd.createNewContainer({ socketPath: e.socketPath })));
    try {
      await Promise.all(cs.map((c) => c.run('true'))); // each sandbox's agent starts on its first command
      const [c] = cs as [Container];
      const ours: number[] = [];
      const raw: number[] = [];
      const host: number[] = [];
      for (let i = 0; i < 10; i++) {
        ours.push(...(await sample(10, () => c.run('true'))));
        raw.push(...(await sample(3, () => rawExec(e.docker, c.containerId, 'true'))));
        host.push(hostTrue(10));
      }
      reportAlone(`${e.name}: the machine meanwhile, a shell on the host spawning true and waiting for it (ms each, 10 in a row)`, host);
      report(`${e.name}: run true, one at a time (ms; target p50 ≤ 5 ms and 10× faster than raw)`, ours, raw, 0.1);

      const batchOurs: number[] = [];
      const batchRaw: number[] = [];
      for (let i = 0; i < 5; i++) {
        batchOurs.push(...(await sample(1, () => Promise.all(Array.from({ length: RUNS }, (_, k) => cs[k % SANDBOXES]!.run('echo x'))))));
        batchRaw.push(
          ...(await sample(1, () =>
            Promise.all(Array.from({ length: RUNS }, (_, k) => rawExec(e.docker, cs[k % SANDBOXES]!.containerId, 'echo x'))),
          )),
        );
      }
      report(`${e.name}: ${RUNS} concurrent runs across ${SANDBOXES} sandboxes (ms per batch)`, batchOurs, batchRaw, 1.11);

      const streamsOurs: number[] = [];
      const streamsRaw: number[] = [];
      for (let i = 0; i < 5; i++) {
        streamsOurs.push(...(await sample(1, () => Promise.all(Array.from({ length: STREAMS }, (_, k) => streamAll(cs[k % SANDBOXES]!))))));
        streamsRaw.push(
          ...(await sample(1, () =>
            Promise.all(
              Array.from({ length: STREAMS }, async (_, k) => {
                const bytes = await rawExec(e.docker, cs[k % SANDBOXES]!.containerId, generate(STREAM_BYTES));
                if (bytes !== STREAM_BYTES) throw new Error(`raw exec gave ${bytes} bytes`);
              }),
            ),
          )),
        );
      }
      const o = mbps(STREAMS * STREAM_BYTES, median(streamsOurs));
      const r = mbps(STREAMS * STREAM_BYTES, median(streamsRaw));
      print({
        bench: `${e.name}: ${STREAMS} concurrent 100 MB streams (aggregate MB/s)`,
        n: streamsOurs.length,
        mbps: o,
        rawMbps: r,
        ratio: Math.round((o / r) * 100) / 100,
        target: 0.9,
      });
    } finally {
      await Promise.all(cs.map((c) => c.shutdown({ force: true })));
    }
  }
  await printSettled(`${RUNS} concurrent runs and ${STREAMS} concurrent 100 MB streams (five rounds) on each engine`, idle, () =>
    d.rssKiB(),
  );
  await pd.close();
  await d.stop();
}
