// The transports' own security: the Unix socket is never reachable by another user (not even while
// the daemon starts with umask 000), its directory is 0700, a live daemon's socket is never taken
// over, and the TCP token never reaches the log.
import { spawn } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DAEMON_BIN, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const daemons: TestDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-sock-'));
  chmodSync(dir, mode);
  dirs.push(dir);
  return dir;
}

/** Runs the daemon's binary to its end: its exit code and stderr (for a start that must be refused). */
function runDaemon(socket: string, stateDir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [DAEMON_BIN, '--socket', socket, '--state-dir', stateDir, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/**
 * User `nobody` connecting to `path` as fast as it can until told to stop (its stdin closes): how
 * many connections it made and how many times the file was there but refused it.
 */
function probeAsNobody(path: string): { stop(): Promise<{ connected: number; refused: number }> } {
  const script = `
    const net = require('node:net');
    let connected = 0, refused = 0, stop = false;
    process.stdin.on('end', () => { stop = true; }).resume();
    (async function loop() {
      while (!stop) {
        await new Promise((done) => {
          const s = net.connect(${JSON.stringify(path)});
          s.once('connect', () => { connected++; s.destroy(); done(); });
          s.once('error', (e) => { if (e.code === 'EACCES') refused++; done(); });
        });
      }
      process.stdout.write(JSON.stringify({ connected, refused }));
    })();`;
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return {
    stop: () => {
      child.stdin.end();
      return new Promise((resolve) => child.once('exit', () => resolve(JSON.parse(out) as { connected: number; refused: number })));
    },
  };
}

/** A socket file nobody listens on, as a killed daemon leaves it. */
async function staleSocket(path: string): Promise<string> {
  const server = createServer();
  const bound = `${path}.bound`;
  await new Promise<void>((resolve) => server.listen(bound, resolve));
  // Closing a Node server removes its file: a hard link keeps the socket's inode at `path`.
  linkSync(bound, path);
  await new Promise((resolve) => server.close(resolve));
  return path;
}

describe('the Unix socket', () => {
  it('is 0600 from its first moment under umask 000: another user never connects while the daemon starts', async () => {
    // A directory anyone may enter, so only the socket's own mode keeps `nobody` out.
    const open = tempDir(0o755);
    const socket = join(open, 'pocketdock.sock');
    const probe = probeAsNobody(socket);
    const d = await startDaemon({ socket, umask: 0o000 });
    daemons.push(d);
    // The prober keeps trying against the published socket for a while.
    expect(
      await d.client().then(async (pd) => {
        await pd.getVersion();
        await pd.close();
        return true;
      }),
    ).toBe(true);
    const seen = await probe.stop();
    console.log(`nobody's connection attempts during and after the start: ${seen.connected} connected, ${seen.refused} refused (EACCES)`);
    expect(seen.connected).toBe(0);
    expect(seen.refused).toBeGreaterThan(0);
    expect(lstatSync(socket).mode & 0o777).toBe(0o600);
  });

  it('lives in a 0700 directory it creates, whatever the umask', async () => {
    const socket = join(tempDir(), 'run', 'pocketdock', 'pocketdock.sock');
    const d = await startDaemon({ socket, umask: 0o000 });
    daemons.push(d);
    expect(statSync(join(socket, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(join(socket, '../..')).mode & 0o777).toBe(0o700);
    expect(lstatSync(socket).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory other users may write to', async () => {
    const shared = tempDir(0o777);
    const r = await runDaemon(join(shared, 'pocketdock.sock'), tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/writable by other users/);
  });

  it('is never taken from a live daemon, and a stale one is replaced', async () => {
    const first = await startDaemon();
    daemons.push(first);
    const before = lstatSync(first.socketPath).ino;
    const second = await runDaemon(first.socketPath, tempDir());
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another daemon/);
    expect(lstatSync(first.socketPath).ino).toBe(before);
    const pd = await first.client();
    expect(await pd.getVersion()).toMatch(/^\d/);
    await pd.close();

    // A socket nobody listens on any more (its daemon died) is stale: the next daemon takes the path.
    const orphan = await staleSocket(join(tempDir(), 'pocketdock.sock'));
    const third = await startDaemon({ socket: orphan });
    daemons.push(third);
    const pd3 = await third.client();
    expect(await pd3.getVersion()).toMatch(/^\d/);
    await pd3.close();
  });

  it('lets only one of two daemons starting at once on one stale path have it', async () => {
    const path = await staleSocket(join(tempDir(), 'pocketdock.sock'));
    const results = await Promise.allSettled([startDaemon({ socket: path }), startDaemon({ socket: path })]);
    const up = results.filter((r): r is PromiseFulfilledResult<TestDaemon> => r.status === 'fulfilled').map((r) => r.value);
    daemons.push(...up);
    expect(up).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/another daemon/);
    const pd = await up[0]!.client();
    expect(await pd.getVersion()).toMatch(/^\d/);
    await pd.close();
  });

  it('refuses a path holding something else than a socket, and leaves it alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'pocketdock.sock');
    writeFileSync(path, 'precious');
    const r = await runDaemon(path, tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a socket/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('is removed when the daemon stops', async () => {
    const d = await startDaemon({ socket: join(tempDir(), 'pocketdock.sock') });
    await d.stop();
    expect(() => lstatSync(d.socketPath)).toThrow(/ENOENT/);
  });
});

describe('the TCP token', () => {
  it('never reaches the log, whatever request carries it', async () => {
    const d = await startDaemon({ tcp: true, args: ['--log-level', 'trace'] });
    daemons.push(d);
    const { port, token } = d;
    const host = `127.0.0.1:${port!}`;
    const hello = '{"jsonrpc":"2.0","id":1,"method":"daemon.hello","params":{}}';
    const bad = '{"jsonrpc":"2.0","id":1,"method":"container.run","params":{"container":"none","command":"true"}}';
    // Refused (foreign Origin or Host, with the right token in the query), accepted, and failing calls.
    expect((await postRpc({ port, path: `/rpc?token=${token}`, headers: { origin: 'https://evil.example' } }, hello)).status).toBe(401);
    expect((await postRpc({ port, path: `/rpc?token=${token}`, headers: { host: 'evil.example' } }, hello)).status).toBe(401);
    expect((await postRpc({ port, path: `/rpc?token=${token}&x=1` }, hello)).status).toBe(200);
    expect((await postRpc({ port, path: `/rpc?token=${token}` }, bad)).status).toBe(200);
    expect((await postRpc({ port, path: `/nowhere?token=${token}` }, hello)).status).toBe(404);
    expect((await postRpc({ port, headers: { authorization: `Bearer ${token}` } }, '{not json')).status).toBe(200);
    expect((await postRpc({ port, headers: { authorization: `Bearer ${token}x` } }, hello)).status).toBe(401);
    expect((await postRpc({ port, headers: { cookie: `pocketdock_token=${token}` } }, hello)).status).toBe(200);
    // A WebSocket signed in by query, sending garbage, and one refused for its Origin.
    const ws = new WebSocket(`ws://${host}/rpc?token=${token}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answer = new Promise((resolve) => ws.once('message', resolve));
    ws.send('{"jsonrpc":"2.0","id":2,"method":"no.such"}');
    await answer;
    ws.close();
    const refused = new WebSocket(`ws://${host}/rpc?token=${token}`, { headers: { origin: 'https://evil.example' } });
    await new Promise((resolve) => refused.once('error', resolve));
    await d.stop();
    expect(d.log()).toContain('refused TCP request');
    expect(d.log()).not.toContain(token);
  });
});
