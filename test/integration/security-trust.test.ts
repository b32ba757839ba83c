// The trust model (docs/security.md): TCP token holders get no host options, nobody gets the host's
// root, system dirs, the engine socket or an unknown engine — and a refusal leaves nothing behind.
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptionRefused } from '../../client/src/index.js';
import { docker, removeAfterAll } from '../helpers/engines.js';
import { useDaemon } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const suite = useDaemon({ tcp: true });
const { containers: names } = removeAfterAll();
const tag = `pd-sec-${process.pid}`;

type Reply = { result?: unknown; error?: { code: number; data: Record<string, string> } };

/** One call over TCP with the token, as a browser page or remote tool would send it. */
async function tcpCall(method: string, params: Record<string, unknown>) {
  const { status, json } = await postRpc(
    { port: suite.d.port!, headers: { authorization: `Bearer ${suite.d.token}` } },
    JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  );
  return { status, json: json as Reply };
}

async function tcpCreate(params: Record<string, unknown>) {
  const name = `${tag}-${names.length}`;
  names.push(name);
  return { name, ...(await tcpCall('container.create', { name, ...params })) };
}

async function containerExists(name: string): Promise<boolean> {
  return docker
    .getContainer(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe('a TCP token holder', () => {
  it('cannot mount the host: refused by option and rule, nothing created, no host dir made', async () => {
    const hostDir = join(mkdtempSync(join(tmpdir(), 'pd-sec-')), 'made-by-engine');
    const r = await tcpCreate({ volumes: { [hostDir]: '/mnt' } });
    expect(r.json.error).toMatchObject({
      code: -32071,
      data: { type: 'OptionRefused', option: 'volumes', rule: 'host-options-need-unix-socket' },
    });
    expect(await containerExists(r.name)).toBe(false);
    // Docker creates a missing bind source as root: the refusal came before the engine was asked.
    expect(existsSync(hostDir)).toBe(false);

    const rootMount = await tcpCreate({ volumes: { '/': '/host' } });
    expect(rootMount.json.error?.data).toMatchObject({ type: 'OptionRefused', option: 'volumes', rule: 'protected-host-path' });
    const engineSocket = await tcpCreate({ volumes: { '/var/run/docker.sock': '/var/run/docker.sock' } });
    expect(engineSocket.json.error?.data).toMatchObject({ type: 'OptionRefused', option: 'volumes', rule: 'protected-host-path' });
    const state = await tcpCreate({ volumes: { [suite.d.dir]: '/state' } });
    expect(state.json.error?.data).toMatchObject({ type: 'OptionRefused', option: 'volumes' });
    for (const r2 of [rootMount, engineSocket, state]) expect(await containerExists(r2.name)).toBe(false);
  });

  it('cannot start an image that runs as root, nor use devices or a project dir on the host', async () => {
    expect((await docker.getImage('pocketdock/base:bookworm').inspect()).Config.User).toBe('');
    const root = await tcpCreate({ image: 'pocketdock/base:bookworm' });
    expect(root.json.error?.data).toMatchObject({ type: 'OptionRefused', option: 'image', rule: 'root-images-need-unix-socket' });
    expect(await containerExists(root.name)).toBe(false);
    expect((await tcpCreate({ devices: ['/dev/null'] })).json.error?.data).toMatchObject({ option: 'devices' });
    expect((await tcpCreate({ projectRoot: tmpdir() })).json.error?.data).toMatchObject({ option: 'projectRoot' });
  });

  it('still creates a default sandbox, which runs as the sandbox user', async () => {
    const r = await tcpCreate({});
    expect(r.json.result).toMatchObject({ name: r.name });
    const inspect = await docker.getContainer(r.name).inspect();
    expect(inspect.Config.User).toBe('sandbox');
  });
});

describe('a sandbox made over the Unix socket with host access', () => {
  it('is refused to a TCP token holder by the container, an exec, a session or a terminal in it; nothing runs', async () => {
    const hostDir = mkdtempSync(join(tmpdir(), 'pd-sec-shared-'));
    const name = `${tag}-host-${names.length}`;
    names.push(name);
    // Root with a host directory: what a TCP client could not create, and must not drive either.
    const c = await suite.pd.createNewContainer({ name, image: 'pocketdock/base:bookworm', volumes: { [hostDir]: '/data' } });
    const p = await c.run('sleep 600', { detach: true });
    const s = await c.session();
    const t = await c.openTerminal({ command: 'sleep 600' });
    const refused = { code: -32071, data: { type: 'OptionRefused', option: 'container', rule: 'host-sandboxes-need-unix-socket' } };
    const calls: [string, Record<string, unknown>][] = [
      ['container.run', { container: name, command: 'touch /data/by-tcp' }],
      ['container.run', { container: c.containerId, command: 'touch /data/by-tcp' }],
      ['exec.start', { container: name, command: 'touch /data/by-tcp' }],
      ['file.write', { container: name, path: '/data/by-tcp', data: 'eA==' }],
      ['file.downloadStart', { container: name, path: '/data', kind: 'tar' }],
      ['container.info', { container: name }],
      ['container.destroy', { container: name }],
      ['exec.peek', { execId: p.id }],
      ['exec.kill', { execId: p.id, signal: 9 }],
      ['session.send', { sessionId: s.id, command: 'touch /data/by-tcp' }],
      ['session.read', { sessionId: s.id }],
      ['terminal.input', { terminalId: t.id, data: 'touch /data/by-tcp\r' }],
    ];
    for (const [method, params] of calls) expect((await tcpCall(method, params)).json.error, method).toMatchObject(refused);
    expect(existsSync(join(hostDir, 'by-tcp'))).toBe(false);
    expect(await p.isRunning()).toBe(true);
    // The Unix-socket client that made it still drives it.
    expect((await c.run('touch /data/by-unix && id -u')).stdout).toBe('0\n');
    expect(existsSync(join(hostDir, 'by-unix'))).toBe(true);
    await t.kill(9);
    await s.close();
    await p.kill(9);
  });

  it('is not: a plain sandbox made over the Unix socket is driven over TCP as any other', async () => {
    const name = `${tag}-plain-${names.length}`;
    names.push(name);
    const c = await suite.pd.createNewContainer({ name });
    const p = await c.run('echo shared', { detach: true });
    await p.wait();
    expect((await tcpCall('container.run', { container: name, command: 'id -un' })).json.result).toMatchObject({ stdout: 'sandbox\n' });
    expect((await tcpCall('exec.peek', { execId: p.id })).json.result).toMatchObject({ stdout: 'shared\n' });
  });
});

describe('every client', () => {
  it('is refused an engine socket the daemon does not know, and the daemon never connects to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-sec-sock-'));
    const path = join(dir, 'evil.sock');
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(path, r));
    try {
      await expect(suite.pd.createNewContainer({ socketPath: path })).rejects.toMatchObject({
        option: 'socketPath',
        rule: 'known-engines-only',
      });
      await expect(suite.pd.listContainers({ socketPath: path })).rejects.toBeInstanceOf(OptionRefused);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('is refused the host root even over the Unix socket', async () => {
    const err = await suite.pd.createNewContainer({ volumes: { '/': '/host' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptionRefused);
    expect(err).toMatchObject({ option: 'volumes', rule: 'protected-host-path' });
  });
});
