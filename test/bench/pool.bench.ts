/**
 * Warm pool: createNewContainer served from the pool, against a cold create the pool cannot serve
 * (persistent, same image and network) and against the raw engine's create+start (dockerode), in the
 * same run on Docker; each also until its first run("true") has answered (a usable sandbox). Target:
 * a pool hit ≤ 15 ms p50, at least 12× faster than cold.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PocketDock } from '../../client/src/index.js';
import { startDaemon } from '../helpers/daemon.js';
import { docker } from '../helpers/engines.js';
import { report, sample } from './stats.js';

const N = 12;

/** Resolves once the pool has a ready container again (the previous hit's refill is done). */
async function ready(pd: PocketDock): Promise<void> {
  while ((await pd.poolStatus()).pools[0]!.ready === 0) await new Promise((r) => setTimeout(r, 50));
}

export default async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-pool-'));
  writeFileSync(join(dir, 'pocketdockd.yaml'), 'pool:\n  minimal-python: 2\n');
  const d = await startDaemon({ args: ['--config', join(dir, 'pocketdockd.yaml')] });
  const pd = await d.client();
  const hit: number[] = [],
    hitRun: number[] = [],
    cold: number[] = [],
    coldRun: number[] = [],
    raw: number[] = [];
  for (let i = 0; i < N; i++) {
    await ready(pd);
    const t0 = performance.now();
    const h = await pd.createNewContainer({ profile: 'minimal-python' });
    hit.push(performance.now() - t0);
    await h.run('true');
    hitRun.push(performance.now() - t0);
    await h.shutdown();

    const t1 = performance.now();
    const c = await pd.createNewContainer({ profile: 'minimal-python', persist: true });
    cold.push(performance.now() - t1);
    await c.run('true');
    coldRun.push(performance.now() - t1);
    await pd.destroyContainer(c.name);

    raw.push(
      ...(await sample(1, async () => {
        const r = await docker.createContainer({
          Image: 'pocketdock/minimal-python',
          Cmd: ['sleep', 'infinity'],
          Labels: { 'pocketdock.bench': 'true' },
          HostConfig: { NetworkMode: 'none' },
        });
        await r.start();
        await r.remove({ force: true });
      })),
    );
  }
  const status = (await pd.poolStatus()).pools[0]!;
  // The raw engine's create+start is what a cold create costs at least: each figure is set against it.
  report('docker: create from the warm pool (ms; target p50 ≤ 15 ms and 12× faster than cold)', hit, raw, 0.08);
  report('docker: create from the warm pool until its first run answered (ms)', hitRun, raw, 0.08);
  report('docker: cold create, the pool unable to serve it (ms)', cold, raw, 1.1);
  console.error(JSON.stringify({ poolStatus: { hits: status.hits, misses: status.misses, meanRefillMs: status.meanRefillMs } }));
  await pd.close();
  await d.stop();
}
