/**
 * The daemon's resident memory (VmRSS): idle after start, then with 100 containers each holding an
 * open session, next to bare node's. The sandboxes come from ten clients, each with its own resume
 * token (as ten processes would be): one client may hold only so many sessions (limits.maxSessionsPerClient).
 * Targets: idle ≤ 80 MB; with 100 containers and 100 sessions ≤ 250 MB.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, type Container, type PocketDock, type Session } from '../../client/src/index.js';
import { startDaemon } from '../helpers/daemon.js';
import { print } from './stats.js';

const CLIENTS = 10;
const PER_CLIENT = 10;

const bareNodeKiB = () =>
  Number(
    execFileSync(process.execPath, ['-p', "/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1]"], {
      encoding: 'utf8',
    }),
  );

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const first = await d.client();
  await first.getVersion();
  const idle = d.rssKiB();
  const clients: PocketDock[] = [first];
  const containers: Container[] = [];
  const sessions: Session[] = [];
  try {
    while (clients.length < CLIENTS) clients.push(await connect({ daemon: d.socketPath, autoStart: false, resumeToken: randomUUID() }));
    // A client's creates at once: the engine serialises much of create anyway.
    for (const pd of clients) {
      const mine = await Promise.all(Array.from({ length: PER_CLIENT }, () => pd.createNewContainer()));
      containers.push(...mine);
      sessions.push(...(await Promise.all(mine.map((c) => c.session()))));
    }
    await Promise.all(sessions.map((s) => s.sendAndWait('true')));
    print({
      bench: `docker: daemon RSS idle, then with ${containers.length} containers and ${sessions.length} open sessions (KiB)`,
      rssBareNode: bareNodeKiB(),
      idle,
      rssLoaded: d.rssKiB(),
      targetIdle: 80 * 1024,
      targetLoaded: 250 * 1024,
    });
  } finally {
    await Promise.all(containers.map((c) => c.shutdown().catch(() => undefined)));
    await Promise.all(clients.map((pd) => pd.close()));
    await d.stop();
  }
}
