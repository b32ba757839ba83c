// writeFile and readFile on the daemon's Unix socket: the client moves the bytes with the engine
// itself (file.uploadStart's and file.downloadStart's `direct`), the daemon only saying which
// container, which path and as whom — so the bytes never cross the daemon's socket. A client that
// cannot reach the engine's socket goes through the daemon as before; TCP callers are never told
// the engine's socket; errors and caps are the daemon's, as before. One transfer slot per client
// (the config below), so a slot a direct transfer failed to give back would fail the next call.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileError, connect, type Container, type PocketDock, type Progress } from '../../client/src/index.js';
import { UNREACHABLE, getDirect, putDirect } from '../../client/src/direct.js';
import { DOCKER_SOCKET, useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';
import { availableEngines } from '../helpers/engines.js';
import { postRpc } from '../helpers/rpc.js';

const SIZE = 1024 * 1024 + 7;
const content = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i += 4093) content[i] = i % 251;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const engines = await availableEngines();
const start = useDaemons();
let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-files-direct-'));
  config = join(dir, 'pocketdockd.yaml');
  await writeFile(config, 'limits:\n  maxTransfersPerClient: 1\n');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A daemon, and a client that reaches it through a proxy counting the bytes its socket carries. */
async function counted(d: TestDaemon): Promise<{ pd: PocketDock; proxy: EngineProxy; close: () => Promise<void> }> {
  const proxy = new EngineProxy(join(d.dir, 'counted.sock'), d.socketPath);
  await proxy.up();
  const pd = await connect({ daemon: proxy.path, autoStart: false });
  return {
    pd,
    proxy,
    close: async () => {
      await pd.close();
      await proxy.cut();
    },
  };
}

async function sh(c: Container, command: string): Promise<string> {
  const r = await c.run(command);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe.each(engines)('on $name', (engine) => {
  let d: TestDaemon;
  let client: Awaited<ReturnType<typeof counted>>;
  let c: Container;

  beforeAll(async () => {
    d = await start({ tcp: true, args: ['--config', config] });
    client = await counted(d);
    c = await client.pd.createNewContainer({ socketPath: engine.socketPath });
  });

  afterAll(async () => {
    await c?.shutdown({ force: true }).catch(() => undefined);
    await client?.close();
  });

  it("writes a file with the engine directly: byte-identical, the container user's, 0644, none of its bytes through the daemon", async () => {
    const before = client.proxy.carried;
    const seen: Progress[] = [];
    await c.writeFile('direct.bin', content, { onProgress: (p) => seen.push(p) });
    expect(client.proxy.carried - before).toBeLessThan(SIZE / 10);
    expect(seen.at(-1)).toEqual({ bytes: SIZE, total: SIZE });
    expect(await sh(c, 'stat -c "%a %U:%G %s" direct.bin; sha256sum < direct.bin')).toBe(
      `644 sandbox:sandbox ${SIZE}\n${sha(content)}  -\n`,
    );
  });

  it('reads a file with the engine directly, none of its bytes through the daemon; through a symlink, the daemon follows it', async () => {
    const before = client.proxy.carried;
    const seen: Progress[] = [];
    const back = await c.readFile('/home/sandbox/direct.bin', { onProgress: (p) => seen.push(p) });
    expect(client.proxy.carried - before).toBeLessThan(SIZE / 10);
    expect(sha(back)).toBe(sha(content));
    expect(seen.at(-1)).toEqual({ bytes: SIZE, total: SIZE });
    await sh(c, 'ln -sf direct.bin link.bin');
    expect(sha(await c.readFile('link.bin'))).toBe(sha(content));
  });

  it('fails as before: a missing file, a directory', async () => {
    await expect(c.readFile('nope.bin')).rejects.toMatchObject({ name: 'FileNotFound', path: '/home/sandbox/nope.bin' });
    await expect(c.readFile('/home')).rejects.toBeInstanceOf(FileError);
    // The failures held no transfer slot past their end (this client has one).
    await c.writeFile('still.bin', content);
  });

  // Podman makes a missing directory; its sandboxes are not for TCP callers (socketPath is a host option).
  it.runIf(engine.name === 'docker')('fails as the daemon does on what the engine tells: a missing file, a missing directory', async () => {
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => new Error('no failure'),
        (e: Error) => e,
      );
    const read = await failure(c.readFile('nope.bin'));
    expect(read).toMatchObject({ name: 'FileNotFound', path: '/home/sandbox/nope.bin', containerId: c.containerId });
    const written = await failure(c.writeFile('gone/x.bin', content));
    expect(written).toMatchObject({ name: 'FileNotFound', path: '/home/sandbox/gone', containerId: c.containerId });
    // The same through the daemon's own stream (TCP: never direct), message and all.
    const tcp = await connect({ daemon: `ws://127.0.0.1:${d.port}`, token: d.token, autoStart: false });
    try {
      const t = await tcp.resumeContainer(c.name);
      expect(await failure(t.readFile('nope.bin'))).toMatchObject({ name: 'FileNotFound', message: read.message });
      expect(await failure(t.writeFile('gone/x.bin', content))).toMatchObject({ name: 'FileNotFound', message: written.message });
    } finally {
      await tcp.close();
    }
    await c.writeFile('still.bin', content);
  });

  it('answers `direct` to Unix-socket callers only, and never for a capped read', async () => {
    const call = async (
      target: { socketPath?: string; port?: number; headers?: Record<string, string> },
      method: string,
      params: object,
    ) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { container: c.name, direct: true, ...params } });
      const answer = (await postRpc(target, body)).json as { result?: Record<string, unknown>; error?: { data: Record<string, unknown> } };
      const id = answer.result?.uploadId ?? answer.result?.downloadId;
      if (id) await postRpc(target, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'file.cancel', params: { transferId: id } }));
      return answer;
    };
    const unix = { socketPath: d.socketPath };
    const tcp = { port: d.port!, headers: { authorization: `Bearer ${d.token}` } };
    const up = { path: 'x.bin', kind: 'file', size: 3 };
    const down = { path: 'direct.bin', kind: 'file' };
    expect((await call(unix, 'file.uploadStart', up)).result?.direct).toMatchObject({
      engineSocket: engine.socketPath,
      containerId: c.containerId,
      path: '/home/sandbox',
      stillMs: 30_000, // the daemon's engineTimeoutSeconds
    });
    expect((await call(unix, 'file.downloadStart', down)).result?.direct).toEqual({
      engineSocket: engine.socketPath,
      containerId: c.containerId,
      path: '/home/sandbox/direct.bin',
      stillMs: 30_000,
    });
    for (const [method, params] of [
      ['file.uploadStart', up],
      ['file.downloadStart', down],
    ] as const) {
      const answer = await call(tcp, method, params);
      expect(answer.result).toBeDefined();
      expect(answer.result).not.toHaveProperty('direct');
    }
    expect((await call(unix, 'file.downloadStart', { ...down, maxBytes: SIZE })).result).not.toHaveProperty('direct');
    expect((await call(unix, 'file.downloadStart', { ...down, maxBytes: 10 })).error?.data).toMatchObject({ type: 'FileError' });
  });
});

describe.runIf(engines.length > 1)('a client that finds another engine at the path the daemon names', () => {
  it('leaves the transfer to the daemon, as when it finds none', async () => {
    const d = await start();
    const pd = await d.client();
    try {
      const c = await pd.createNewContainer();
      try {
        // The container is Docker's; Podman's socket stands for another engine at the same path.
        const other = { engineSocket: engines.find((e) => e.name !== 'docker')!.socketPath, containerId: c.containerId };
        expect(await getDirect({ ...other, path: '/etc/hostname' })).toBe(UNREACHABLE);
        const head = Buffer.alloc(512).toString('base64');
        expect(await putDirect({ ...other, path: '/tmp', head, tail: 1024 }, [Buffer.alloc(1)], 1)).toBe(UNREACHABLE);
      } finally {
        await c.shutdown({ force: true });
      }
    } finally {
      await pd.close();
    }
  });
});

describe('a client that cannot reach the engine socket the daemon names', () => {
  it('goes through the daemon instead, with the same result', async () => {
    // The daemon reaches Docker as /proc/self/cwd/engine.sock from its own working directory; for
    // this process, that path names nothing (as for a client in another mount namespace).
    const cwd = join(dir, 'daemon-cwd');
    await rm(cwd, { recursive: true, force: true });
    await mkdir(cwd);
    await symlink(DOCKER_SOCKET, join(cwd, 'engine.sock'));
    const d = await start({ cwd, args: ['--config', config, '--engine-socket', '/proc/self/cwd/engine.sock'] });
    const client = await counted(d);
    try {
      const c = await client.pd.createNewContainer();
      try {
        const before = client.proxy.carried;
        await c.writeFile('fallback.bin', content);
        expect(client.proxy.carried - before).toBeGreaterThan(SIZE);
        expect(sha(await c.readFile('fallback.bin'))).toBe(sha(content));
        expect(client.proxy.carried - before).toBeGreaterThan(2 * SIZE);
        expect(await sh(c, 'stat -c "%a %U:%G %s" fallback.bin')).toBe(`644 sandbox:sandbox ${SIZE}\n`);
      } finally {
        await c.shutdown({ force: true });
      }
    } finally {
      await client.close();
    }
  });
});
