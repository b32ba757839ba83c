// `pocketdock daemon start|status|logs|stop` through the built binary, on a daemon the CLI itself
// starts in the background (its own socket and state dir, a warm pool of one): status shows the pool,
// logs reads and follows the daemon's log, stop ends it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { afterAll, describe, expect, it } from 'vitest';
// The schemas as declared, with TypeBox's own marks (the package exports them as plain JSON): Value reads them.
import { METHODS } from '../../packages/protocol/src/methods/index.js';
import { connect } from '../../client/src/index.js';
import { CLI_BIN, cli } from '../helpers/cli.js';
import { DAEMON_BIN, DOCKER_SOCKET, NODE_FLAGS, commandLine } from '../helpers/daemon.js';
import { docker } from '../helpers/engines.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-cli-daemon-'));
const socket = join(dir, 'pocketdock.sock');
const config = join(dir, 'pocketdockd.yaml');
writeFileSync(config, 'pool:\n  pocketdock/minimal-python: 1\n');
// The background daemon's state dir (token, leases, its log) is this test's, and its engine Docker.
const env = { POCKETDOCK_STATE_DIR: dir, POCKETDOCK_SOCKET: DOCKER_SOCKET };
const run = (args: readonly string[]) => cli(['--daemon', socket, ...args], { env });
const hit = `clidaemon-${randomBytes(3).toString('hex')}`;
const DaemonStatus = Type.Composite([METHODS['daemon.status'].result, Type.Object({ pool: METHODS['pool.status'].result })]);

let pid: number | undefined;
function alive(p: number): boolean {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}
afterAll(async () => {
  // Only when a test failed before `daemon stop`: the daemon runs detached from this process.
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGTERM');
  await docker
    .getContainer(hit)
    .remove({ force: true })
    .catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('pocketdock daemon', () => {
  it('status exits 3 and stop says so when no daemon answers', async () => {
    const st = await run(['daemon', 'status']);
    expect(st.code).toBe(3);
    expect(st.stderr).toMatch(/^pocketdock: no pocketdock daemon answers at .*pocketdock\.sock/);
    expect(await run(['daemon', 'stop'])).toMatchObject({ code: 0, stderr: 'no daemon is running there\n' });
  });

  it('start runs one in the background, logging to the state dir', async () => {
    const started = await run(['daemon', 'start', '--', '--port', '0', '--config', config, '--log-level', 'info']);
    expect(started.stderr).toBe('');
    const m = /^pocketdockd \S+ started \(pid (\d+)\), log in (.*)\n$/.exec(started.stdout);
    expect(m?.[2]).toBe(join(dir, 'pocketdockd.log'));
    pid = Number(m![1]);
    expect(commandLine(pid).slice(1, NODE_FLAGS.length + 2)).toEqual([...NODE_FLAGS, DAEMON_BIN]);
    expect((await run(['daemon', 'start'])).stderr).toBe(`pocketdockd 0.1.0 already running (pid ${pid}) at ${socket}\n`);
  });

  it('status shows the warm pool: size, ready, hits and misses, in the table and in --json', async () => {
    const pd = await connect({ daemon: socket, autoStart: false });
    try {
      await expect.poll(async () => (await pd.poolStatus()).pools[0]?.ready, { timeout: 60_000, interval: 200 }).toBe(1);
    } finally {
      await pd.close();
    }
    const human = (await run(['daemon', 'status'])).stdout;
    expect(human).toMatch(/^pool:\s+0 cold creates/m);
    const lines = human.split('\n');
    const header = lines.findIndex((l) => l.startsWith('POOL '));
    expect(lines[header]).toMatch(/^POOL\s+IMAGE\s+NETWORK\s+SIZE\s+READY\s+FILLING\s+HITS\s+MISSES\s+LAST ERROR$/);
    expect(lines[header + 1]).toMatch(/^pocketdock\/minimal-python\s+pocketdock\/minimal-python\s+on\s+1\s+1\s+0\s+0\s+0\s+-$/);

    // A create the pool serves is a hit; the one after it, while the pool refills or once it has, shows too.
    expect((await run(['create', '--name', hit])).code).toBe(0);
    const st = await run(['daemon', 'status', '--json']);
    expect(st.code).toBe(0);
    const value: unknown = JSON.parse(st.stdout);
    expect([...Value.Errors(DaemonStatus, value)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    expect(value).toMatchObject({
      pid,
      socket,
      port: null,
      pool: { cold: 0, pools: [{ key: 'pocketdock/minimal-python', image: 'pocketdock/minimal-python', size: 1, hits: 1, misses: 0 }] },
    });
    expect((await run(['shutdown', hit, '--yes'])).code).toBe(0);
  });

  it('logs prints the last lines of its log, and -f follows it until the daemon stops', async () => {
    const all = await run(['daemon', 'logs', '-n', '1000']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^pocketdockd \S+ listening on /m);
    const last = (await run(['daemon', 'logs', '-n', '2'])).stdout;
    expect(last.trimEnd().split('\n')).toEqual(all.stdout.trimEnd().split('\n').slice(-2));

    const follower = spawn(process.execPath, [CLI_BIN, '--daemon', socket, 'daemon', 'logs', '-f', '-n', '1'], {
      env: { ...process.env, ...env },
    });
    let seen = '';
    const stopped = new Promise<void>((resolve) =>
      follower.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('"msg":"pocketdockd stopped"')) resolve();
      }),
    );
    const exited = new Promise((resolve) => follower.once('exit', resolve));
    try {
      // Its last line printed, it follows from there.
      await new Promise((resolve) => follower.stdout.once('data', resolve));
      const stop = await run(['daemon', 'stop']);
      expect(stop).toMatchObject({ code: 0, stderr: `stopped pocketdockd (pid ${pid})\n` });
      await stopped;
      expect(seen).toContain('"msg":"pocketdockd stopping"');
    } finally {
      follower.kill('SIGINT');
      await exited;
    }
  });

  it('start --foreground runs it in this terminal until Ctrl-C, which stops it gracefully', async () => {
    // A group of its own, as a terminal's foreground job: Ctrl-C goes to the group, the CLI and the daemon.
    const child = spawn(process.execPath, [CLI_BIN, '--daemon', socket, 'daemon', 'start', '--foreground', '--', '--port', '0'], {
      env: { ...process.env, ...env },
      detached: true,
    });
    let log = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        if (/^pocketdockd \S+ listening on /m.test(log)) resolve();
      }),
    );
    const st = JSON.parse((await run(['daemon', 'status', '--json'])).stdout) as { pid: number; socket: string };
    expect(st.socket).toBe(socket);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    // The CLI forwarded the Ctrl-C the daemon had from the terminal: one stop, not "again: stopping now".
    expect(log).toContain('pocketdockd: SIGINT: finishing calls in flight');
    expect(log).not.toContain('SIGINT again: stopping now');
    expect(alive(st.pid)).toBe(false);
    expect((await run(['daemon', 'status'])).code).toBe(3);
  });

  it('after stop nothing answers, and the process is gone', async () => {
    expect((await run(['daemon', 'status'])).code).toBe(3);
    // The daemon exits right after it closed its connections and socket: no event reaches this process.
    await expect.poll(() => alive(pid!), { timeout: 10_000, interval: 50 }).toBe(false);
    pid = undefined;
  });
});
