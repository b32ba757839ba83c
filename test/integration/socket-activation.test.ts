// pocketdockd under systemd: listening sockets passed the way systemd passes them (systemd's own
// systemd-socket-activate: LISTEN_FDS, LISTEN_PID, fds 3 and 4, the program exec'd on the first
// connection) and Type=notify readiness as a datagram on NOTIFY_SOCKET.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../client/src/index.js';
import { DAEMON_BIN, freePort } from '../helpers/daemon.js';
import { DOCKER_SOCKET } from '../helpers/engines.js';

/** Receives datagrams on a Unix socket (Node has no datagram Unix sockets) and prints each as a JSON line. */
const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("bound"), flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    await exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-activation-'));
  dirs.push(dir);
  return dir;
}

/** A datagram socket like systemd's notify socket; `next(re)` resolves with the first message matching. */
async function notifySocket(path: string) {
  const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const messages: string[] = [];
  const waiting: Array<{ re: RegExp; resolve: (m: string) => void }> = [];
  const bound = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as string;
      if (message === 'bound') return resolve();
      messages.push(message);
      for (const w of waiting.splice(0)) {
        if (w.re.test(message)) w.resolve(message);
        else waiting.push(w);
      }
    });
  });
  await bound;
  return {
    next: (re: RegExp) =>
      new Promise<string>((resolve) => {
        const seen = messages.find((m) => re.test(m));
        if (seen) resolve(seen);
        else waiting.push({ re, resolve });
      }),
  };
}

/** systemd-socket-activate listening on `listen`, which execs the daemon when a client first connects. */
async function activate(listen: string[], env: Record<string, string>, stateDir: string, args: string[] = []) {
  const setenv = Object.entries({ POCKETDOCK_SOCKET: DOCKER_SOCKET, POCKETDOCK_CHECK_RESULTS: '1', ...env }).map(
    ([k, v]) => `--setenv=${k}=${v}`,
  );
  const child = spawn(
    'systemd-socket-activate',
    [...listen.flatMap((l) => ['-l', l]), ...setenv, process.execPath, DAEMON_BIN, '--state-dir', stateDir, '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  const lines = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(stderr);
        if (m) resolve(m);
      };
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        check();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
      check();
    });
  await lines(new RegExp(listen.map((l) => `Listening on ${l.replace(/[.]/g, '\\.')} as \\d`).join('[^]*')));
  return { child, lines, stderr: () => stderr };
}

describe('socket activation', () => {
  it('serves the Unix and TCP sockets it was passed, says READY=1 when it listens, leaves the socket file to its owner', async () => {
    const dir = tempDir();
    const socket = join(dir, 'pocketdock.sock');
    const port = await freePort();
    const notify = await notifySocket(join(dir, 'notify'));
    const d = await activate([socket, `127.0.0.1:${port}`], { NOTIFY_SOCKET: join(dir, 'notify') }, dir);

    // The first connection is what starts the daemon; the kernel holds it until the daemon accepts.
    const pd = await connect({ daemon: socket, autoStart: false });
    try {
      expect(await pd.hello()).toMatchObject({ port, stateDir: dir });
      const [, said] = await d.lines(/listening on (\S+) and http:\/\/127\.0\.0\.1:(\d+)/);
      expect(said).toBe(socket);
      expect(await notify.next(/READY=1/)).toMatch(
        new RegExp(`^MAINPID=${d.child.pid}\\nREADY=1\\nSTATUS=listening on ${socket} and http://127\\.0\\.0\\.1:${port}`),
      );

      const token = readFileSync(join(dir, 'token'), 'utf8').trim();
      const overTcp = await connect({ daemon: `ws://127.0.0.1:${port}`, token, autoStart: false });
      expect((await overTcp.listProfiles()).map((p) => p.name)).toContain('minimal-python');
      await overTcp.close();
    } finally {
      await pd.close();
    }

    const exited = once(d.child, 'exit');
    d.child.kill('SIGTERM');
    expect(await notify.next(/STOPPING=1/)).toMatch(/STOPPING=1/);
    expect((await exited)[0]).toBe(0);
    // The socket belongs to whoever passed it (systemd removes it when the socket unit stops).
    expect(existsSync(socket)).toBe(true);
  });

  it('opens its own TCP listener when only the Unix socket is passed', async () => {
    const dir = tempDir();
    const socket = join(dir, 'pocketdock.sock');
    const own = await freePort();
    const d = await activate([socket], {}, dir, ['--port', String(own)]);
    const pd = await connect({ daemon: socket, autoStart: false });
    try {
      const { port } = await pd.hello();
      expect(port).toBe(own);
      const [, tcpPort] = await d.lines(/listening on \S+ and http:\/\/127\.0\.0\.1:(\d+)/);
      expect(Number(tcpPort)).toBe(port);
    } finally {
      await pd.close();
    }
  });

  /** Starts the daemon on sockets it must refuse, with the first connection; resolves with its stderr. */
  async function refused(listen: (dir: string, port: number) => string[]): Promise<string> {
    const dir = tempDir();
    const port = await freePort();
    const d = await activate(listen(dir, port), {}, dir);
    const exited = once(d.child, 'exit');
    // The daemon starts on the first connection, reads nothing of it, and gives up.
    const probe = createConnection(port, '127.0.0.1').on('error', () => undefined);
    expect((await exited)[0]).toBe(1);
    probe.destroy();
    return d.stderr();
  }

  it('refuses, in one line, a TCP socket passed where the Unix socket belongs', async () => {
    expect(await refused((_, port) => [`127.0.0.1:${port}`])).toMatch(
      /pocketdockd: cannot start: passed descriptor 3 is not a Unix socket/,
    );
  });

  it('refuses a TCP socket beyond loopback', async () => {
    expect(await refused((dir, port) => [join(dir, 'pocketdock.sock'), `0.0.0.0:${port}`])).toMatch(
      /pocketdockd: cannot start: passed TCP socket listens on 0\.0\.0\.0: pocketdockd listens on loopback only/,
    );
  });
});
