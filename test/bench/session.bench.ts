/**
 * Session round trip: sendAndWait("true") through client + daemon + the session's shell (target
 * p50 ≤ 1 ms; the reference's in-process Python session measures 0.4 ms), next to what a command
 * costs without a session — run("true"), one docker exec each — and to the floor: a line written
 * to a shell's stdin through plain dockerode until its answer comes back. Interleaved, same run, on
 * every engine that answers.
 */
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { startDaemon } from '../helpers/daemon.js';
import { availableEngines, type TestEngine } from '../helpers/engines.js';
import type { PocketDock } from '../../client/src/index.js';
import { percentile, print, sample } from './stats.js';

/** A shell attached through dockerode: each call writes one command and waits for its answer line. */
async function rawShell(docker: Docker, containerId: string): Promise<{ ask: () => Promise<void>; close: () => void }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['sh'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  let waiting: (() => void) | undefined;
  let seen = '';
  stream.on('data', (b: Buffer) => {
    seen += b.toString('latin1');
    if (seen.includes('ok\n')) {
      seen = '';
      waiting?.();
    }
  });
  return {
    ask: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        stream.write('true; echo ok\n');
      }),
    close: () => stream.end('exit\n'),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const figures = (xs: number[]) => ({ n: xs.length, p50: round(percentile(xs, 50)), p90: round(percentile(xs, 90)) });

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const pd = await d.client();
  for (const e of await availableEngines()) await measure(pd, e);
  await pd.close();
  await d.stop();
}

async function measure(pd: PocketDock, e: TestEngine): Promise<void> {
  const c = await pd.createNewContainer({ socketPath: e.socketPath });
  const s = await c.session();
  const raw = await rawShell(e.docker, c.containerId);
  try {
    await sample(50, () => s.sendAndWait('true'));
    await sample(50, () => raw.ask());
    const session: number[] = [],
      floor: number[] = [],
      run: number[] = [];
    for (let i = 0; i < 20; i++) {
      session.push(...(await sample(25, () => s.sendAndWait('true'))));
      floor.push(...(await sample(25, () => raw.ask())));
      run.push(...(await sample(1, () => c.run('true'))));
    }
    print({ bench: `${e.name}: session sendAndWait(true) round trip (ms)`, ...figures(session), targetP50: 1 });
    print({ bench: `${e.name}: raw dockerode shell stdin→stdout round trip (ms)`, ...figures(floor) });
    print({ bench: `${e.name}: run(true): one exec through client+daemon (ms)`, ...figures(run) });
  } finally {
    raw.close();
    await s.close();
    await c.shutdown({ force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
