/**
 * The daemon's resident memory (VmRSS): idle after start, then with 100 containers each holding an
 * open session. Targets: idle ≤ 80 MB; with 100 containers and 100 sessions ≤ 250 MB.
 */
import type { Container, Session } from '../../client/src/index.js';
import { startDaemon } from '../helpers/daemon.js';
import { print } from './stats.js';

const CONTAINERS = 100;
/** Creates at once: the engine serialises much of create anyway. */
const BATCH = 10;
const mb = (kib: number) => Math.round(kib / 102.4) / 10;

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const pd = await d.client();
  await pd.getVersion();
  const idle = d.rssKiB();
  const containers: Container[] = [];
  const sessions: Session[] = [];
  try {
    while (containers.length < CONTAINERS) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, CONTAINERS - containers.length) }, () => pd.createNewContainer()),
      );
      containers.push(...batch);
      sessions.push(...(await Promise.all(batch.map((c) => c.session()))));
    }
    await Promise.all(sessions.map((s) => s.sendAndWait('true')));
    print({
      bench: 'daemon RSS (MB)',
      idle: mb(idle),
      withContainersAndSessions: mb(d.rssKiB()),
      containers: containers.length,
      sessions: sessions.length,
      target: { idle: 80, loaded: 250 },
    });
  } finally {
    await Promise.all(containers.map((c) => c.shutdown().catch(() => undefined)));
    await pd.close();
    await d.stop();
  }
}
