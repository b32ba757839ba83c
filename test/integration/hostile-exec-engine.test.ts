// The engine going away or hanging under a streamed run and a local transfer, or answering past the
// daemon's deadline (a proxy in front of the shared engine is cut, stops forwarding, or holds an answer;
// the shared engine is never touched): the call fails typed instead of hanging, nothing is left held,
// and the daemon serves on. The sandbox is made by
// the suite's daemon (default engine timeout), as in engine-hang.test; only the proxied daemon has a
// short one. Runs in both exec modes (hostile-exec-*).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketCommunicationError, SocketError, type Container, type PocketDock, type TransferOptions } from '../../client/src/index.js';
import { startDaemon, useDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EngineProxy, runsAgain } from '../helpers/engine-proxy.js';
import { heldOpen } from '../helpers/held-open.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-hostile-engine-'));
const proxy = new EngineProxy(join(dir, 'engine.sock'));
const config = join(dir, 'pocketdockd.yaml');
writeFileSync(config, 'engineTimeoutSeconds: 5\n');
const suite = useDaemon();
const MiB = 1024 * 1024;
let d: TestDaemon;
let pd: PocketDock;
let c: Container;
let made: string;

beforeAll(async () => {
  made = (await suite.pd.createNewContainer({ persist: true })).name;
  await proxy.up();
  d = await startDaemon({ args: ['--engine-socket', proxy.path, '--config', config] });
  pd = await d.client();
  c = await pd.container(made);
  expect((await c.run(`head -c ${64 * MiB} /dev/zero > /home/sandbox/big.bin`)).exitCode).toBe(0);
});

afterAll(async () => {
  proxy.resume();
  await pd?.close();
  await d?.stop();
  await proxy.cut().catch(() => undefined);
  if (made) await suite.pd.destroyContainer(made).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** The engine back (new connections go through); the proxied daemon runs commands again. */
async function back(): Promise<void> {
  proxy.resume();
  await runsAgain(c, 'back', 60_000);
}

async function streamFails(whileRunning: () => void | Promise<void>): Promise<unknown> {
  const s = c.run('echo up; exec sleep 611', { stream: true, timeout: 600 });
  try {
    for await (const ch of s) if (ch.data.includes('up')) await whileRunning();
    return s.result;
  } catch (err) {
    return err;
  }
}

describe('the engine under a streamed run', () => {
  it('goes away: the stream fails typed, the daemon serves on', async () => {
    const failed = await streamFails(() => proxy.cut());
    expect(failed).toBeInstanceOf(SocketError);
    expect(await pd.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    await proxy.up();
    await back();
  });

  it("hangs: the owner's stop still ends the run (SIGKILL unanswered, given up), which fails typed", async () => {
    // The same stop() a timeout calls: SIGTERM, SIGKILL after the grace, then giving up on an agent
    // or engine that never answers; the run's error then names the engine that did not answer.
    const s = c.run('echo up; exec sleep 612', { stream: true, timeout: 600 });
    for await (const ch of s)
      if (ch.data.includes('up')) {
        proxy.hang();
        break;
      }
    const info = await pd.transport.call('exec.info', { execId: s.execId });
    expect(info.running).toBe(false);
    const waited = await pd.transport.call('exec.wait', { execId: s.execId }).catch((err: unknown) => err);
    expect(waited).toBeInstanceOf(SocketCommunicationError);
    expect(await pd.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    await back();
  });
});

describe('the engine under a local transfer', () => {
  const src = join(dir, 'push.bin');
  beforeAll(async () => {
    writeFileSync(src, '');
    await truncate(src, 64 * MiB);
  });

  it('goes away midway through a push and a pull: each fails typed, no host file is left held', async () => {
    const moves = [
      (o: TransferOptions) => c.push(src, '/home/sandbox/pushed.bin', o),
      (o: TransferOptions) => c.pull('/home/sandbox/big.bin', join(dir, 'pulled.bin'), o),
    ];
    for (const move of moves) {
      proxy.holdAfter(8 * MiB);
      let moving!: () => void;
      const started = new Promise<void>((r) => (moving = r));
      const done = move({ onProgress: () => moving() }).then(
        () => undefined,
        (err: unknown) => err,
      );
      await started;
      await proxy.cut();
      expect(await done).toBeInstanceOf(SocketError);
      await expect.poll(() => heldOpen(d.pid, dir)).toEqual([]);
      await proxy.up();
      await back();
    }
  });
});

describe('the engine answering past the deadline', () => {
  it('an exec and an archive that come late are closed when they come: nothing held, the daemon serves on', async () => {
    const API = String.raw`\/(?:v[\d.]+\/)?`;
    const late = [
      { head: new RegExp(`^POST ${API}exec\\/\\w+\\/start`), call: () => c.listFiles('/') },
      { head: new RegExp(`^GET ${API}containers\\/\\w+\\/archive`), call: () => c.pull('/etc/hostname', join(dir, 'late.txt')) },
    ];
    for (const { head, call } of late) {
      // Past the proxied daemon's 5 s: the caller is answered first, then the engine's answer comes.
      const came = proxy.lateAnswers;
      proxy.answerLate(head, 6_500);
      expect(
        await call().then(
          () => 'answered',
          (err: unknown) => err,
        ),
      ).toBeInstanceOf(SocketCommunicationError);
      await expect.poll(() => proxy.lateAnswers, { timeout: 15_000, interval: 100 }).toBeGreaterThan(came);
      await expect.poll(() => proxy.answeredLate.size, { timeout: 15_000, interval: 100 }).toBe(0);
      await back();
    }
  });
});
