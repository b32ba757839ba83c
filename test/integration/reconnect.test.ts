// The TypeScript client reconnects by itself: a Unix-socket proxy between client and daemon is cut
// while a command streams, a session is open, a sandbox is leased; the client says hello again with
// its resume token and re-subscribes from its cursors. With `reconnect: false`, a cut is the end.
// A daemon killed and started again (over a Unix socket and over ws://): what it found again goes on
// from the new daemon's offsets, what it lost fails typed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VERSION,
  DaemonClosedError,
  ProcessLost,
  connect,
  type Container,
  type ContainerListItem,
  type PocketDock,
} from '../../client/src/index.js';
import { useDaemon, useDaemons } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';
import { removeAfterAll } from '../helpers/engines.js';

const suite = useDaemon();
const { containers: made } = removeAfterAll();
let proxy: EngineProxy;

beforeAll(async () => {
  proxy = new EngineProxy(join(mkdtempSync(join(tmpdir(), 'pd-reconnect-')), 'daemon.sock'), suite.d.socketPath);
  await proxy.up();
});
afterAll(async () => {
  await proxy.cut().catch(() => undefined);
});

/**
 * A client whose connection goes through the proxy, and a sandbox it holds. Its own resume token:
 * the suite's client, in the same process, would hold the same leases through its connection.
 */
async function throughProxy(o: { reconnect?: false } = {}): Promise<{ pd: PocketDock; c: Container }> {
  const pd = await connect({ daemon: proxy.path, autoStart: false, resumeToken: randomBytes(18).toString('base64url'), ...o });
  const c = await pd.createNewContainer();
  made.push(c.containerId);
  return { pd, c };
}

/** The client's next event of that kind. */
const next = <T>(on: (fn: (e: T) => void) => () => void): Promise<T> =>
  new Promise((resolve) => {
    const off = on((e) => {
      off();
      resolve(e);
    });
  });

const SEQ = 'for i in $(seq 1 2000); do echo $i; sleep 0.001; done';
const LINES = Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join('');

describe('reconnect (on by default)', () => {
  it('a streamed command cut three times: its output is 1..2000 in order, once', async () => {
    const { pd, c } = await throughProxy();
    const cuts = [200, 800, 1400];
    const reconnects: boolean[] = [];
    pd.onReconnect((e) => reconnects.push(e.restarted));
    let out = '';
    for await (const ch of c.run(SEQ, { stream: true, timeout: 120 })) {
      out += ch.data;
      const last = Number(out.slice(out.lastIndexOf('\n', out.length - 2) + 1));
      if (cuts.length && last >= cuts[0]!) {
        cuts.shift();
        const back = next(pd.onReconnect.bind(pd));
        proxy.drop();
        await back;
      }
    }
    expect(out).toBe(LINES);
    expect(reconnects).toEqual([false, false, false]);
    await pd.close();
  });

  it('a call in flight fails with DaemonClosedError; one made while reconnecting waits and runs', async () => {
    const { pd, c } = await throughProxy();
    const inFlight = c.run('echo run >> /tmp/runs; while [ ! -e /tmp/go ]; do sleep 0.05; done').catch((e: unknown) => e);
    const direct = await suite.pd.container(c.name);
    await expect.poll(async () => (await direct.run('test -e /tmp/runs')).exitCode).toBe(0);

    const down = next(pd.onDisconnect.bind(pd));
    await proxy.cut(); // no new connection until up()
    expect((await down).reason).toMatch(/closed/);
    expect(await inFlight).toBeInstanceOf(DaemonClosedError);
    const waiting = c.run('echo after');
    const back = next(pd.onReconnect.bind(pd));
    await proxy.up();
    await back;
    expect((await waiting).stdout).toBe('after\n');
    await direct.run('touch /tmp/go');
    // The command in flight ran once: it was not sent again on the new connection.
    expect((await direct.run('cat /tmp/runs')).stdout).toBe('run\n');
    await pd.close();
  });

  it('a session works after the cut, and its onOutput goes on', async () => {
    const { pd, c } = await throughProxy();
    const s = await c.session();
    await s.sendAndWait('cd /tmp && export X=1');
    const seen: string[] = [];
    const said = (text: string) => expect.poll(() => seen.join('')).toContain(text);
    await s.onOutput((data) => seen.push(data));
    await s.send('echo before');
    await said('before');

    const back = next(pd.onReconnect.bind(pd));
    proxy.drop();
    await back;
    expect((await s.sendAndWait('pwd; echo $X')).stdout).toBe('/tmp\n1\n');
    await s.send('echo after');
    await said('after');
    expect(seen.join('')).toBe('before\n/tmp\n1\nafter\n');
    await pd.close();
  });

  it('a terminal opened with keep goes on after the cut, its output neither lost nor repeated; one without is hung up', async () => {
    const { pd, c } = await throughProxy();
    const kept = await c.openTerminal({ command: 'cat', keep: true });
    const hungUp = await c.openTerminal({ command: 'sleep 300' });
    let seen = '';
    kept.onData((data) => (seen += data));
    await kept.write('one\n');
    await expect.poll(() => seen).toBe('one\r\none\r\n'); // the terminal's echo, then cat's

    const back = next(pd.onReconnect.bind(pd));
    proxy.drop();
    await back;
    expect(await hungUp.exited).toMatchObject({ exitCode: 129 });
    await kept.write('two\n');
    await expect.poll(() => seen).toBe('one\r\none\r\ntwo\r\ntwo\r\n');
    expect((await kept.close()).exitCode).toBe(129);
    await pd.close();
  });

  it('the sandbox is not reaped: the lease goes away with the connection and comes back with it, and watches go on', async () => {
    const { pd, c } = await throughProxy();
    const changes: ContainerListItem[] = [];
    const unlisten = suite.pd.transport.on('container.changed', (n) => {
      if (n.name === c.name && n.container) changes.push(n.container);
    });
    await suite.pd.transport.call('container.watch', {});
    const watched: string[] = [];
    pd.transport.on('container.changed', (n) => watched.push(n.name));
    await pd.transport.call('container.watch', {});

    await proxy.cut();
    await expect.poll(() => changes.some((i) => i.lease?.connected === false)).toBe(true);
    const back = next(pd.onReconnect.bind(pd));
    await proxy.up();
    await back;
    await expect.poll(() => changes.at(-1)?.lease).toMatchObject({ connected: true, expiresAt: null });
    const item = (await suite.pd.listContainers()).find((i) => i.name === c.name);
    expect(item).toMatchObject({ status: 'running', lease: { connected: true, expiresAt: null } });
    expect((await c.run('echo alive')).stdout).toBe('alive\n');

    const other = await suite.pd.createNewContainer({ lease: false });
    made.push(other.containerId);
    await expect.poll(() => watched).toContain(other.name);
    unlisten();
    await suite.pd.transport.call('container.unwatch', {});
    await pd.close();
  });
});

describe('a client process', () => {
  it('stays alive for a call that waits for the reconnect, and exits by itself once idle', async () => {
    const fixture = new URL('./fixtures/reconnect-waiter.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, proxy.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const said = (line: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!out.includes(`${line}\n`)) return;
          child.stdout!.off('data', check);
          resolve();
        };
        child.stdout!.on('data', check);
        check();
      });
    const exited = once(child, 'exit');
    await said('ready');
    await proxy.cut();
    await said('down');
    await proxy.up();
    const [code] = await exited;
    expect({ code, out }).toEqual({ code: 0, out: `ready\ndown\nversion ${VERSION}\n` });
  });
});

describe('reconnect: false', () => {
  it('a cut ends the stream and every later call with DaemonClosedError', async () => {
    const { pd, c } = await throughProxy({ reconnect: false });
    const closed = next(pd.onClose.bind(pd));
    await expect(
      (async () => {
        for await (const ch of c.run(SEQ, { stream: true, timeout: 120 })) if (ch.data.includes('100\n')) proxy.drop();
      })(),
    ).rejects.toBeInstanceOf(DaemonClosedError);
    expect((await closed).error).toBeInstanceOf(DaemonClosedError);
    await expect(c.run('true')).rejects.toBeInstanceOf(DaemonClosedError);
  });
});

describe.each([
  { over: 'a Unix socket', tcp: false },
  { over: 'ws:// with its token', tcp: true },
])('a daemon restarted under the client, over $over', ({ tcp }) => {
  const startDaemon = useDaemons();

  it('follows the process the new daemon took back from its offsets, and fails the stream it lost with ProcessLost', async () => {
    const first = await startDaemon({ tcp });
    const pd = await connect(
      tcp ? { daemon: `ws://127.0.0.1:${first.port}`, token: first.token } : { daemon: first.socketPath, autoStart: false },
    );
    const c = await pd.createNewContainer({ persist: true });
    made.push(c.containerId);
    const p = await c.run('echo before; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo after; sleep 300', { detach: true });
    const followed = p.stream();
    const chunks = followed[Symbol.asyncIterator]();
    expect((await chunks.next()).value).toMatchObject({ data: 'before\n' });
    const lost = c.run('echo streaming; sleep 300', { stream: true, timeout: 600 });
    const lostChunks = lost[Symbol.asyncIterator]();
    expect((await lostChunks.next()).value).toMatchObject({ data: 'streaming\n' });

    const back = next(pd.onReconnect.bind(pd));
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;
    // The same state dir (token, execs) and, over TCP, the same port: the client's address still holds.
    const second = await startDaemon({ dir: first.dir, ...(tcp && { tcp, args: ['--port', String(first.port)] }) });
    expect(await back).toMatchObject({ restarted: true });

    await expect(lostChunks.next()).rejects.toBeInstanceOf(ProcessLost);
    // The new daemon's offsets start again at 0: the stream follows them, whole.
    const other = await second.client();
    await (await other.container(c.name)).run('touch /tmp/go');
    await other.close();
    expect((await chunks.next()).value).toMatchObject({ data: 'after\n', offset: 0 });
    await p.kill(9);
    expect(await chunks.next()).toMatchObject({ done: true });
    expect(followed.result).toMatchObject({ exitCode: 137 });
    await pd.close();
  });
});
