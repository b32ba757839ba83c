// A client process killed mid-call (SIGKILL: no close, no cancel) during a streamed run, a local push
// and a local pull: the daemon gives back every slot its resume token held, keeps serving, leaves
// no exec of it running and no host file of it open. The transfers are held midway by a proxy in
// front of the engine (it stops forwarding a connection after 8 MiB), so the kill always lands while
// bytes are moving, however fast the machine.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Container } from '../../client/src/index.js';
import { clientChild } from '../helpers/client-child.js';
import { heldOpen } from '../helpers/held-open.js';
import { useDaemon } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-hostile-dies-'));
const proxy = new EngineProxy(join(dir, 'engine.sock'));
await proxy.up();
const config = join(dir, 'pocketdockd.yaml');
writeFileSync(config, 'leaseGraceSeconds: 1\nlimits:\n  maxExecsPerClient: 1\n  maxTransfersPerClient: 1\n');
const suite = useDaemon({ args: ['--engine-socket', proxy.path, '--config', config] });
const MiB = 1024 * 1024;
const BIG = 64 * MiB;
let c: Container;

beforeAll(async () => {
  c = await suite.pd.createNewContainer();
  expect((await c.run(`head -c ${BIG} /dev/zero > /home/sandbox/big.bin`)).exitCode).toBe(0);
});

afterAll(async () => {
  proxy.resume();
  await c?.shutdown({ force: true }).catch(() => undefined);
  await proxy.cut();
  await rm(dir, { recursive: true, force: true });
});

const held = (under: string) => heldOpen(suite.d.pid, under);

/** What the dead client's token may do again: hold its one exec and its one transfer. */
async function slotsFree(token: string): Promise<void> {
  const again = await connect({ daemon: suite.d.socketPath, autoStart: false, resumeToken: token });
  try {
    const same = await again.container(c.name);
    expect((await same.run('echo again')).stdout).toBe('again\n');
    const start = await again.transport.call('file.downloadStart', { container: c.name, path: '/etc/hostname', kind: 'file' });
    await again.transport.call('file.cancel', { transferId: start.downloadId });
  } finally {
    await again.close();
  }
}

const running = async () => (await suite.pd.transport.call('exec.list', { container: c.name })).filter((e) => e.running);

describe('a client killed mid-call', () => {
  it('during a streamed run: its exec is stopped, its slot comes back, the daemon serves on', async () => {
    const child = clientChild(
      { socket: suite.d.socketPath, resumeToken: 'hostile-dies-stream', container: c.name },
      'stream',
      'echo up; exec sleep 601',
    );
    expect(await child.first).toMatchObject({ chunk: 'up\n' });
    expect((await running()).length).toBe(1);
    await child.kill();
    await expect.poll(running, { timeout: 30_000 }).toEqual([]);
    expect((await c.run('ps -eo args')).stdout).not.toContain('sleep 601');
    await slotsFree('hostile-dies-stream');
  });

  it('during a blocking run: its exec is stopped, its slot comes back', async () => {
    const child = clientChild({ socket: suite.d.socketPath, resumeToken: 'hostile-dies-run', container: c.name }, 'run', 'exec sleep 602');
    await child.first;
    await expect.poll(async () => (await running()).map((e) => e.command), { timeout: 30_000 }).toEqual(['exec sleep 602']);
    await child.kill();
    await expect.poll(running, { timeout: 30_000 }).toEqual([]);
    await slotsFree('hostile-dies-run');
  });

  it('during a local push: the host file is let go, the slot comes back', async () => {
    const src = join(dir, 'push.bin');
    writeFileSync(src, '');
    await truncate(src, BIG);
    proxy.holdAfter(8 * MiB);
    try {
      const child = clientChild(
        { socket: suite.d.socketPath, resumeToken: 'hostile-dies-push', container: c.name },
        'push',
        src,
        '/home/sandbox/pushed.bin',
      );
      expect(await child.first).toMatchObject({ moving: expect.any(Number) });
      expect(held(src)).toEqual([src]);
      await child.kill();
      await expect.poll(() => held(dir), { timeout: 30_000 }).toEqual([]);
    } finally {
      proxy.resume();
    }
    await slotsFree('hostile-dies-push');
  });

  it('during a local pull: the spare file is let go, the slot comes back', async () => {
    const dest = join(dir, 'pulled', 'big.bin');
    proxy.holdAfter(8 * MiB);
    try {
      const child = clientChild(
        { socket: suite.d.socketPath, resumeToken: 'hostile-dies-pull', container: c.name },
        'pull',
        '/home/sandbox/big.bin',
        dest,
      );
      expect(await child.first).toMatchObject({ moving: expect.any(Number) });
      expect(held(dir).length).toBe(1);
      await child.kill();
      await expect.poll(() => held(dir), { timeout: 30_000 }).toEqual([]);
    } finally {
      proxy.resume();
    }
    // The spare file the dead client made stays (nobody is left to remove it); dest was never touched.
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    await slotsFree('hostile-dies-pull');
  });
});
