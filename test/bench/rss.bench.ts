/**
 * The daemon's resident memory (VmRSS) next to bare node's: idle after start; right after 10 concurrent
 * 100 MB streams, one per sandbox (exec-run.bench runs 20 on 10), and after a 200 MB writeFile and
 * readFile (as files.bench does), then again once their sandboxes are removed and the daemon has been
 * left alone until its RSS holds still ("settled", stats.ts); then, in a second daemon (the first one's allocator keeps some
 * of what streams used), with 100 containers each holding an open session. Those come from ten
 * clients, each with its own resume token (as ten processes would be): one client may hold only so
 * many sessions (limits.maxSessionsPerClient).
 * Targets: idle ≤ 60 MB; settled back within 10 MB of idle; with 100 containers and 100 sessions ≤ 250 MB.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, type Container, type PocketDock, type Session } from '../../client/src/index.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { MB, generate } from './raw-exec.js';
import { print, settledRssKiB } from './stats.js';

const CLIENTS = 10;
const PER_CLIENT = 10;
const STREAMS = 10;
const STREAM_BYTES = 100 * MB;
const FILE_BYTES = 200 * MB;

const bareNodeKiB = () =>
  Number(
    execFileSync(process.execPath, ['-p', "/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1]"], {
      encoding: 'utf8',
    }),
  );

async function streamAll(c: Container): Promise<void> {
  let bytes = 0;
  for await (const ch of c.run(generate(STREAM_BYTES), { stream: true, maxOutput: STREAM_BYTES, timeout: 600 })) bytes += ch.data.length;
  if (bytes !== STREAM_BYTES) throw new Error(`streamed ${bytes} bytes, expected ${STREAM_BYTES}`);
}

/** RSS right after 10 concurrent streams and after a file run, and settled after each (`made`: the sandboxes, for cleanup). */
async function streamsAndFiles(d: TestDaemon, first: PocketDock, idle: number, rssBareNode: number, made: Container[]): Promise<void> {
  const work = await Promise.all(Array.from({ length: STREAMS }, () => first.createNewContainer()));
  made.push(...work);
  await Promise.all(work.map((c) => c.run('true'))); // each sandbox's agent starts on its first command
  await Promise.all(work.map(streamAll));
  const afterStreams = d.rssKiB();
  await Promise.all(work.map((c) => c.shutdown({ force: true })));
  const { kib: settledAfterStreams, seconds: settledAfterStreamsSeconds } = await settledRssKiB(() => d.rssKiB());
  print({
    bench: `docker: daemon RSS idle, after ${STREAMS} concurrent 100 MB streams, and settled (KiB)`,
    rssBareNode,
    idle,
    afterStreams,
    settledAfterStreams,
    settledAfterStreamsSeconds,
    targetIdle: 60 * 1024,
    targetSettled: idle + 10 * 1024,
  });

  const c = await first.createNewContainer();
  made.push(c);
  const data = Buffer.alloc(FILE_BYTES, 'x');
  await c.writeFile('/tmp/big', data);
  const back = await c.readFile('/tmp/big');
  if (back.length !== FILE_BYTES) throw new Error(`read ${back.length} bytes, expected ${FILE_BYTES}`);
  const afterFiles = d.rssKiB();
  await c.shutdown({ force: true });
  const { kib: settledAfterFiles, seconds: settledAfterFilesSeconds } = await settledRssKiB(() => d.rssKiB());
  print({
    bench: 'docker: daemon RSS idle, after a 200 MB writeFile and readFile, and settled (KiB)',
    rssBareNode,
    idle,
    afterFiles,
    settledAfterFiles,
    settledAfterFilesSeconds,
    targetIdle: 60 * 1024,
    targetSettled: idle + 10 * 1024,
  });
}

/** A fresh daemon's idle RSS, and what `work` measures with it (its figures printed by `work`). */
async function withDaemon(work: (d: TestDaemon, first: PocketDock, idle: number) => Promise<void>): Promise<void> {
  const d = await startDaemon();
  const first = await d.client();
  try {
    await first.getVersion();
    await work(d, first, d.rssKiB());
  } finally {
    await first.close();
    await d.stop();
  }
}

export default async function main(): Promise<void> {
  const rssBareNode = bareNodeKiB();
  // Each in its own daemon: what streams and transfers leave in the allocator would count in the loaded figure.
  await withDaemon(async (d, first, idle) => {
    const made: Container[] = [];
    try {
      await streamsAndFiles(d, first, idle, rssBareNode, made);
    } finally {
      await Promise.all(made.map((c) => c.shutdown({ force: true }).catch(() => undefined)));
    }
  });

  await withDaemon(async (d, first, idle) => {
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
        rssBareNode,
        idle,
        rssLoaded: d.rssKiB(),
        targetIdle: 60 * 1024,
        targetLoaded: 250 * 1024,
      });
    } finally {
      await Promise.all(containers.map((c) => c.shutdown().catch(() => undefined)));
      await Promise.all(clients.slice(1).map((pd) => pd.close()));
    }
  });
}
