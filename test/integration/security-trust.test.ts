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

/** container.create over TCP with the token, as a browser page or remote tool would send it. */
async function tcpCreate(params: Record<string, unknown>) {
  const name = `${tag}-${names.length}`;
  names.push(name);
  const { status, json } = await postRpc(
    { port: suite.d.port!, headers: { authorization: `Bearer ${suite.d.token}` } },
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'container.create', params: { name, ...params } }),
  );
  return { name, status, json: json as { result?: unknown; error?: { code: number; data: Record<string, string> } } };
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
