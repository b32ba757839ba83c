/**
 * Shutdown speed on every engine that answers: a persistent container's shutdown (stop: tini
 * passes SIGTERM on) against a raw dockerode stop, and a non-persistent one's (forced remove)
 * against a raw remove, interleaved in the same run. Target: under 1 s; ratio target 1.10x.
 */
import { DEFAULTS } from '@pocketdock/protocol';
import { startDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';
import { report, sample } from './stats.js';

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const pd = await d.client();
  const n = 8;
  for (const e of await availableEngines()) {
    const raw = () =>
      e.docker
        .createContainer({ Image: DEFAULTS.image, Cmd: ['sleep', 'infinity'], Labels: { 'pocketdock.bench': 'true' } })
        .then(async (c) => {
          await c.start();
          return c;
        });
    const oursStop: number[] = [],
      rawStop: number[] = [],
      oursRm: number[] = [],
      rawRm: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = await pd.createNewContainer({ socketPath: e.socketPath, persist: true });
      const r = await raw();
      oursStop.push(...(await sample(1, () => p.shutdown())));
      rawStop.push(...(await sample(1, () => r.stop({ t: 1 }))));
      await pd.destroyContainer(p.name, { socketPath: e.socketPath });
      await r.remove({ force: true });

      const q = await pd.createNewContainer({ socketPath: e.socketPath });
      const s = await raw();
      oursRm.push(...(await sample(1, () => q.shutdown())));
      rawRm.push(...(await sample(1, () => s.remove({ force: true }))));
    }
    report(`${e.name}: shutdown persistent (stop) vs raw stop`, oursStop, rawStop, 1.1);
    report(`${e.name}: shutdown (remove) vs raw forced remove`, oursRm, rawRm, 1.1);
  }
  await pd.close();
  await d.stop();
}
