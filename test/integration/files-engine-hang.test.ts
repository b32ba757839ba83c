// A local push or pull (the daemon moves the bytes between the engine and the host file), a
// writeFile or readFile through the daemon (a client over TCP) or direct (the client moves the bytes
// with the engine itself, for the daemon's deadline), whose engine stops moving the bytes
// midway — a proxy in front of the engine stops forwarding a connection after 8 MiB — fail with
// SocketCommunicationError naming the engine once the daemon's engineTimeoutSeconds pass with
// nothing moved, instead of hanging: a push or write says the container may hold part of the file,
// a pull leaves nothing at its destination, a read through the daemon is cut short, and the daemon
// holds no host file open after any.
// The sandbox and its big file are made by another daemon (the suite's, with the default timeout),
// so a slow machine fails nothing before the hold.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketCommunicationError, connect, type Container } from '../../client/src/index.js';
import { heldOpen } from '../helpers/held-open.js';
import { useDaemon, useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';

const MiB = 1024 * 1024;
const BIG = 64 * MiB;
const dir = mkdtempSync(join(tmpdir(), 'pd-files-hang-'));
const proxy = new EngineProxy(join(dir, 'engine.sock'));
const config = join(dir, 'pocketdockd.yaml');
writeFileSync(config, 'engineTimeoutSeconds: 5\n');
const suite = useDaemon();
const daemons = useDaemons();
let d: TestDaemon;
let name: string;
let c: Container;

beforeAll(async () => {
  const made = await suite.pd.createNewContainer({ persist: true });
  name = made.name;
  expect((await made.run(`head -c ${BIG} /dev/zero > /home/sandbox/big.bin`)).exitCode).toBe(0);
  await proxy.up();
  d = await daemons({ tcp: true, args: ['--engine-socket', proxy.path, '--config', config] });
  c = await (await d.client()).container(name);
});

afterAll(async () => {
  proxy.resume();
  await suite.pd.destroyContainer(name).catch(() => undefined);
  await proxy.cut().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** How `transfer` fails while the proxy holds every new connection past 8 MiB: typed. */
async function failsHeld(transfer: () => Promise<unknown>): Promise<SocketCommunicationError> {
  proxy.holdAfter(8 * MiB);
  proxy.drop(); // the daemon's idle connections to the engine, opened before the hold
  try {
    const failed = await transfer().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(SocketCommunicationError);
    return failed as SocketCommunicationError;
  } finally {
    proxy.resume();
  }
}

describe('an engine that stops moving a local transfer midway', () => {
  it('fails a push, saying the container may hold part of the file, and lets the host file go', async () => {
    const src = join(dir, 'push.bin');
    writeFileSync(src, '');
    await truncate(src, BIG);
    const failed = await failsHeld(() => c.push(src, '/home/sandbox/pushed.bin'));
    expect(failed.message).toContain(proxy.path);
    expect(failed.message).toContain('may be in the container');
    expect(heldOpen(d.pid, dir)).toEqual([]);
    // The daemon goes on: the same push goes through once the engine moves bytes again.
    await c.push(src, '/home/sandbox/pushed.bin');
    expect((await c.run('stat -c %s /home/sandbox/pushed.bin')).stdout).toBe(`${BIG}\n`);
  });

  it('fails a pull, leaving nothing at its destination, and lets the host file go', async () => {
    const into = join(dir, 'pulled');
    expect((await failsHeld(() => c.pull('/home/sandbox/big.bin', join(into, 'big.bin')))).message).toContain(proxy.path);
    expect(await readdir(into).catch(() => [])).toEqual([]);
    expect(heldOpen(d.pid, dir)).toEqual([]);
  });

  it('fails a writeFile and a readFile through the daemon (a client over TCP) the same way', async () => {
    const tcp = await connect({ daemon: `ws://127.0.0.1:${d.port}`, token: d.token, autoStart: false });
    try {
      const far = await tcp.container(name);
      const written = await failsHeld(() => far.writeFile('/home/sandbox/written.bin', Buffer.alloc(BIG)));
      expect(written.message).toContain(proxy.path);
      expect(written.message).toContain('may be in the container');
      // Its bytes were on their way: the download is cut short (the daemon's log names the engine).
      expect((await failsHeld(() => far.readFile('/home/sandbox/big.bin'))).message).toMatch(/^transfer down-\w+ broke off/);
    } finally {
      await tcp.close();
    }
  });

  it('fails a direct writeFile and readFile (the client moves the bytes with the engine itself) the same way', async () => {
    const written = await failsHeld(() => c.writeFile('/home/sandbox/direct.bin', Buffer.alloc(BIG)));
    expect(written.message).toContain(proxy.path);
    expect(written.message).toContain('may be in the container');
    expect((await failsHeld(() => c.readFile('/home/sandbox/big.bin'))).message).toContain(proxy.path);
  });
});
