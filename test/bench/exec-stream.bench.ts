/**
 * Exec output through client + daemon against dockerode directly, interleaved in the same run, on
 * every engine that answers:
 * - stream throughput of a 100 MB output (MB/s, the median of five; target ≥ 0.8x raw),
 * - round trip of 20 concurrent runs on one container (ms per batch; target 1.5x raw),
 * - daemon RSS before, at peak and after a 1 GB detached flood nobody reads (should stay flat),
 * and its RSS idle, right after all of it and settled (stats.ts).
 */
import { startDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';
import { MB, generate, mbps, median, rawExec } from './raw-exec.js';
import { print, printSettled, report, sample } from './stats.js';

const STREAM_BYTES = 100 * MB;
const FLOOD_BYTES = 1_000_000_000;

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const idle = d.rssKiB();
  const pd = await d.client();
  for (const e of await availableEngines()) {
    const c = await pd.createNewContainer({ socketPath: e.socketPath });
    try {
      const ours: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < 5; i++) {
        ours.push(
          ...(await sample(1, async () => {
            let bytes = 0;
            for await (const ch of c.run(generate(STREAM_BYTES), { stream: true, maxOutput: STREAM_BYTES, timeout: 300 }))
              bytes += ch.data.length;
            if (bytes !== STREAM_BYTES) throw new Error(`streamed ${bytes} bytes, expected ${STREAM_BYTES}`);
          })),
        );
        raw.push(
          ...(await sample(1, async () => {
            const bytes = await rawExec(e.docker, c.containerId, generate(STREAM_BYTES));
            if (bytes !== STREAM_BYTES) throw new Error(`raw exec gave ${bytes} bytes`);
          })),
        );
      }
      const oursMBps = mbps(STREAM_BYTES, median(ours));
      const rawMBps = mbps(STREAM_BYTES, median(raw));
      print({
        bench: `${e.name}: stream 100 MB (MB/s)`,
        n: ours.length,
        mbps: oursMBps,
        rawMbps: rawMBps,
        ratio: Math.round((oursMBps / rawMBps) * 100) / 100,
        target: 0.8,
      });

      const batch = 20;
      const oursRt: number[] = [];
      const rawRt: number[] = [];
      for (let i = 0; i < 10; i++) {
        oursRt.push(...(await sample(1, () => Promise.all(Array.from({ length: batch }, () => c.run('true'))))));
        rawRt.push(...(await sample(1, () => Promise.all(Array.from({ length: batch }, () => rawExec(e.docker, c.containerId, 'true'))))));
      }
      report(`${e.name}: ${batch} concurrent runs on one container (ms per batch)`, oursRt, rawRt, 1.5);

      const before = d.rssKiB();
      const started = Date.now();
      const p = await c.run(`yes | head -c ${FLOOD_BYTES}`, { detach: true });
      let peak = before;
      while (await p.isRunning()) {
        peak = Math.max(peak, d.rssKiB());
        await new Promise((r) => setTimeout(r, 100));
      }
      const info = await p.info();
      print({
        bench: `${e.name}: daemon RSS around a 1 GB detached flood (KiB)`,
        rssBefore: before,
        rssPeak: peak,
        rssAfter: d.rssKiB(),
        growth: peak - before,
        floodMBps: mbps(FLOOD_BYTES, Date.now() - started),
        bufferOverflow: info.bufferOverflow,
        produced: info.offsets.stdout,
      });
    } finally {
      await c.shutdown({ force: true });
    }
  }
  await printSettled('100 MB streams, runs and a 1 GB detached flood on each engine', idle, () => d.rssKiB());
  await pd.close();
  await d.stop();
}
