// The first end-to-end sandbox: create with every option, run, info, shutdown, errors, transports.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContainerNotFound,
  DaemonClosedError,
  ImageNotFound,
  InvalidParams,
  Unauthorized,
  connect,
  type Container,
  type PocketDock,
} from '../../client/src/index.js';
import { docker, exists } from '../helpers/engines.js';
import { DAEMON_BIN, NODE_FLAGS, commandLine, startDaemon, useDaemon } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const suite = useDaemon({ tcp: true });
const created: Container[] = [];

async function create(opts: Parameters<PocketDock['createNewContainer']>[0] = {}): Promise<Container> {
  const c = await suite.pd.createNewContainer(opts);
  created.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(created.map((c) => suite.pd.destroyContainer(c.name).catch(() => undefined)));
});

describe('container.create', () => {
  it('starts a sandbox with the defaults', async () => {
    const c = await create();
    expect(c.name).toMatch(/^pd-[0-9a-f]{8}$/);
    expect(c.persist).toBe(false);
    expect(c.socketPath).toBe('/var/run/docker.sock');
    const info = await c.info();
    expect(info.status).toBe('running');
    expect(info.image).toBe('pocketdock/minimal-python');
    expect(info.name).toBe(c.name);
    const who = await c.run('id -un; pwd');
    expect(who.stdout).toBe('sandbox\n/home/sandbox\n');
    const labels = (await docker.getContainer(c.containerId).inspect()).Config.Labels;
    expect(labels).toMatchObject({ 'pocketdock.managed': 'true', 'pocketdock.instance': c.name, 'pocketdock.persist': 'false' });
    expect(Date.parse(labels['pocketdock.created-at']!)).not.toBeNaN();
  });

  it('applies name, memLimit, cpuPercent, persist, project and timeout', async () => {
    const name = `pd-test-${process.pid}`;
    const c = await create({ name, memLimit: '256m', cpuPercent: 50, persist: true, project: 'proj-a', timeout: 7 });
    expect(c).toMatchObject({ name, persist: true, project: 'proj-a', timeout: 7 });
    const info = await c.info();
    expect(info.memoryLimit).toBe('256.0 MB');
    expect(info.memoryPercent).toBeGreaterThan(0);
    const raw = await docker.getContainer(name).inspect();
    expect(raw.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(raw.HostConfig.CpuQuota! / raw.HostConfig.CpuPeriod!).toBe(0.5);
    expect(raw.Config.Labels).toMatchObject({ 'pocketdock.persist': 'true', 'pocketdock.project': 'proj-a' });
  });

  it('mounts volumes', async () => {
    const host = mkdtempSync(join(tmpdir(), 'pd-vol-'));
    chmodSync(host, 0o755); // the sandbox user must be able to enter it
    writeFileSync(join(host, 'hello.txt'), 'from the host\n');
    const c = await create({ volumes: { [host]: '/mnt/data' } });
    expect((await c.run('cat /mnt/data/hello.txt')).stdout).toBe('from the host\n');
  });

  it('publishes ports on the host loopback', async () => {
    const port = 20000 + (process.pid % 20000);
    const c = await create({ ports: { [String(port)]: 8000 } });
    await c.run('cd /tmp && echo served > index.html && nohup python3 -m http.server 8000 >/dev/null 2>&1 &');
    // Wait inside the container until the server accepts connections: an event, not a timer.
    const ready = await c.run(
      'python3 -c "import socket,time\nfor _ in range(100):\n  try: socket.create_connection((\'127.0.0.1\',8000)); break\n  except OSError: time.sleep(0.05)"',
    );
    expect(ready.exitCode).toBe(0);
    const res = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await res.text()).toBe('served\n');
    expect((await c.info()).ports).toEqual({ [String(port)]: 8000 });
  });

  it('refuses an unknown image with ImageNotFound', async () => {
    const err = await suite.pd.createNewContainer({ image: 'pocketdock/no-such-image' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageNotFound);
    expect((err as ImageNotFound).image).toBe('pocketdock/no-such-image');
  });

  it('names the bad field of malformed params', async () => {
    const err = await suite.pd.createNewContainer({ memLimit: 'lots' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParams);
    expect((err as InvalidParams).field).toBe('memLimit');
    const typo = await suite.pd.createNewContainer({ memlimit: '1g' } as never).catch((e: unknown) => e);
    expect((typo as InvalidParams).field).toBe('memlimit');
  });
});

describe('container.run', () => {
  let c: Container;
  beforeAll(async () => {
    c = await create();
  });

  it('returns stdout, stderr and the exit code', async () => {
    const r = await c.run('echo out; echo err >&2; exit 42');
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 42, ok: false, timedOut: false, truncated: false });
    expect(r.durationMs).toBeGreaterThan(0);
    expect((await c.run('echo hello')).ok).toBe(true);
  });

  it('runs python with lang', async () => {
    const r = await c.run('import sys\nprint(sum(range(10)), sys.version_info.major)', { lang: 'python' });
    expect(r.stdout).toBe('45 3\n');
  });

  it('stops a command at its timeout, inside the container', async () => {
    const r = await c.run('trap "" TERM; sleep 300 & sleep 300', { timeout: 1 });
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(137);
    const ps = await c.run('ps -eo args');
    expect(ps.stdout).not.toContain('sleep 300');
  });

  it('cuts output at maxOutput bytes', async () => {
    const r = await c.run('head -c 5000 /dev/zero | tr "\\0" a', { maxOutput: 1000 });
    expect(r.stdout).toHaveLength(1000);
    expect(r.truncated).toBe(true);
  });
});

describe('container.shutdown and unknown containers', () => {
  it('removes a non-persistent container', async () => {
    const c = await suite.pd.createNewContainer();
    await c.shutdown();
    expect(await exists(c.containerId)).toBe(false);
    await expect(c.info()).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('answers ContainerNotFound for a name nobody created', async () => {
    const err = await suite.pd.transport.call('container.run', { container: 'pd-nope0000', command: 'true' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerNotFound);
    expect((err as ContainerNotFound).containerId).toBe('pd-nope0000');
  });
});

describe('transports', () => {
  it('serves plain HTTP JSON-RPC on the Unix socket, with -32602 naming the field', async () => {
    const ok = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'daemon.version', params: {} }),
    );
    expect(ok.json).toMatchObject({ id: 1, result: { version: expect.any(String) } });
    const bad = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'container.run', params: { command: 'true' } }),
    );
    expect(bad.json).toMatchObject({ id: 2, error: { code: -32602, data: { type: 'InvalidParams', field: 'container' } } });
    const garbage = await postRpc({ socketPath: suite.d.socketPath }, '{"jsonrpc":');
    expect(garbage.json).toMatchObject({ error: { code: -32700, data: { type: 'ParseError' } } });
    const unknown = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'container.explode', params: {} }),
    );
    expect(unknown.json).toMatchObject({ id: 3, error: { code: -32601, data: { type: 'MethodNotFound', method: expect.any(String) } } });
  });

  it('publishes the protocol with rpc.discover', async () => {
    const doc = (await suite.pd.transport.call('rpc.discover', {})) as unknown as { methods: { name: string }[] };
    expect(doc.methods.map((m) => m.name)).toEqual(expect.arrayContaining(['container.create', 'container.run', 'container.shutdown']));
  });

  it('guards TCP with the token, Host and Origin checks', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'daemon.version', params: {} });
    const host = `127.0.0.1:${suite.d.port}`;
    expect((await postRpc({ port: suite.d.port!, headers: { host } }, body)).status).toBe(401);
    expect((await postRpc({ port: suite.d.port!, headers: { host, authorization: `Bearer ${suite.d.token}` } }, body)).status).toBe(200);
    expect(
      (
        await postRpc(
          { port: suite.d.port!, headers: { host: `evil.example:${suite.d.port}`, authorization: `Bearer ${suite.d.token}` } },
          body,
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await postRpc(
          { port: suite.d.port!, headers: { host, origin: 'http://evil.example', authorization: `Bearer ${suite.d.token}` } },
          body,
        )
      ).status,
    ).toBe(401);
    const ws = await connect({ daemon: `ws://127.0.0.1:${suite.d.port}`, token: suite.d.token });
    expect((await ws.hello()).daemon).toBe('pocketdockd');
    await ws.close();
    const refused = await connect({ daemon: `ws://127.0.0.1:${suite.d.port}`, token: 'wrong' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Unauthorized);
  });

  it('enforces the message size, batch size and in-flight limits of its config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-limits-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'limits:\n  maxMessageBytes: 4096\n  maxBatch: 2\n  maxPending: 1\n');
    const small = await startDaemon({ args: ['--config', config] });
    try {
      const req = (id: number, method = 'daemon.version', params: object = {}) => ({ jsonrpc: '2.0', id, method, params });
      const big = await postRpc({ socketPath: small.socketPath }, JSON.stringify(req(1, 'daemon.hello', { client: 'x'.repeat(5000) })));
      expect(big.status).toBe(413);
      expect(big.json).toMatchObject({
        error: { code: -32600, data: { type: 'InvalidRequest' }, message: expect.stringMatching(/larger than 4096 bytes/) },
      });
      const batch = await postRpc({ socketPath: small.socketPath }, JSON.stringify([req(1), req(2), req(3)]));
      expect(batch.json).toMatchObject({
        error: { code: -32600, data: { type: 'InvalidRequest' }, message: expect.stringMatching(/1 to 2 requests/) },
      });
      expect((await postRpc({ socketPath: small.socketPath }, JSON.stringify([req(1), req(2)]))).json).toHaveLength(2);

      // Over one WebSocket: the first call is still waiting (a long poll) when the second arrives.
      const client = await small.client();
      const c = await client.createNewContainer();
      const p = await c.run('sleep 30', { detach: true });
      const waiting = client.transport.call('exec.poll', { execId: p.id, offsets: { stdout: 0, stderr: 0 }, waitMs: 3000 });
      await expect(client.hello()).rejects.toThrow(/too many requests in flight \(limit 1\)/);
      await waiting;
      await c.shutdown({ force: true });
      await client.close();
    } finally {
      await small.stop();
    }
  });

  it('serves two clients at once', async () => {
    const [a, b] = await Promise.all([suite.d.client(), suite.d.client()]);
    const [ca, cb] = await Promise.all([a.createNewContainer(), b.createNewContainer()]);
    created.push(ca, cb);
    const [ra, rb] = await Promise.all([ca.run('echo a'), cb.run('echo b')]);
    expect([ra.stdout, rb.stdout]).toEqual(['a\n', 'b\n']);
    // Handles belong to the daemon, not the connection: b can address a's container.
    expect((await b.transport.call('container.info', { container: ca.name })).id).toBe(ca.containerId);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects calls in flight with DaemonClosedError when the daemon goes away', async () => {
    const own = await startDaemon();
    const client = await own.client();
    const c = await client.createNewContainer();
    const pending = c.run('sleep 30');
    own.child.kill('SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(DaemonClosedError);
    await expect(c.info()).rejects.toBeInstanceOf(DaemonClosedError);
    await docker.getContainer(c.containerId).remove({ force: true });
    await own.stop();
  });
});

describe('autoStart', () => {
  it('starts a daemon in the background when none answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-auto-'));
    const socket = join(dir, 'auto.sock');
    const client = await connect({
      daemon: socket,
      daemonArgs: ['--port', '0', '--state-dir', dir],
      env: { ...process.env, POCKETDOCK_STATE_DIR: dir },
    });
    const hello = await client.hello();
    expect(hello.daemon).toBe('pocketdockd');
    // This node, with the daemon's node flags.
    expect(commandLine(hello.pid).slice(0, NODE_FLAGS.length + 2)).toEqual([process.execPath, ...NODE_FLAGS, DAEMON_BIN]);
    await client.close();
    process.kill(hello.pid, 'SIGTERM');
    const noAuto = await connect({ daemon: join(dir, 'none.sock'), autoStart: false }).catch((e: unknown) => e);
    expect((noAuto as Error).name).toBe('DaemonNotRunning');
  });
});
