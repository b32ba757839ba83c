/**
 * A real pocketdockd for integration tests: the built daemon as a child process on a temporary
 * socket and state dir, as a user would run it. Waits for its "listening" line, not a timer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connect, Container, type PocketDock } from '../../client/src/index.js';
import type { Transport } from '../../client/src/transport.js';
import { DOCKER_SOCKET } from './engines.js';

export { DOCKER_SOCKET };

export const DAEMON_BIN = new URL('../../daemon/dist/bin.js', import.meta.url).pathname;

/** The node flags the daemon runs with (daemon/package.json), which its launchers pass. */
export const NODE_FLAGS = (
  JSON.parse(readFileSync(new URL('../../daemon/package.json', import.meta.url), 'utf8')) as { nodeFlags: string[] }
).nodeFlags;

/** What process `pid` was started with: its program and arguments. */
export const commandLine = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);

export interface TestDaemon {
  readonly dir: string;
  readonly socketPath: string;
  readonly port: number | undefined;
  readonly token: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** A fresh client connected over the Unix socket. */
  client(): Promise<PocketDock>;
  /** Everything the daemon wrote to stderr (its log) so far. */
  log(): string;
  /** Daemon's resident memory in KiB (VmRSS). */
  rssKiB(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Listen on TCP too, on a free port. */
  tcp?: boolean;
  args?: string[];
  /** Options for node itself besides the daemon's own (NODE_FLAGS), e.g. `--inspect=127.0.0.1:0`. */
  node?: string[];
  env?: NodeJS.ProcessEnv;
  /** Socket and state dir of an earlier daemon (a restart); default a new temporary dir. */
  dir?: string;
  /** The Unix socket's path; default `pocketdock.sock` in `dir`. */
  socket?: string;
  /** The umask the daemon starts with; default the test's own. */
  umask?: number;
  /** The daemon's working directory; default the test's own. */
  cwd?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** Test daemons that failed while no test had stopped or killed them (a crash), with their last words. */
const died: string[] = [];

/** The crashes since the last call (test/setup.ts fails the test running then with them). */
export const takeDeaths = (): string[] => died.splice(0);

/** Records `child`'s exit as a crash unless something called `child.kill` first. */
function watchForCrash(child: ChildProcess, log: () => string): void {
  let killed = false;
  const kill = child.kill.bind(child);
  child.kill = (signal) => {
    killed = true;
    return kill(signal);
  };
  child.once('exit', (code, signal) => {
    if (killed || code === 0) return; // 0: a stop some client asked for
    const tail = log().split('\n').slice(-40).join('\n');
    died.push(`the test daemon (pid ${child.pid}) exited (${signal ?? `code ${code}`}) with no test stopping it; its log ends:\n${tail}`);
  });
}

/** How the daemon runs commands in this test run: through agents, or (vitest's integration-engine-exec project) as engine execs. */
export const EXEC_MODE: 'agent' | 'engine' = process.env.POCKETDOCK_TEST_EXEC === 'engine' ? 'engine' : 'agent';

export async function startDaemon(o: StartOptions = {}): Promise<TestDaemon> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'pd-test-'));
  const socketPath = o.socket ?? join(dir, 'pocketdock.sock');
  const argv = [
    ...NODE_FLAGS,
    ...(o.node ?? []),
    DAEMON_BIN,
    '--socket',
    socketPath,
    '--state-dir',
    dir,
    '--port',
    String(o.tcp ? await freePort() : 0),
    '--log-level',
    process.env.POCKETDOCK_TEST_LOG_LEVEL ?? 'warn',
    ...(EXEC_MODE === 'engine' ? ['--no-agent'] : []),
    ...(o.args ?? []),
  ];
  const child = spawn(
    o.umask === undefined ? process.execPath : '/bin/sh',
    o.umask === undefined ? argv : ['-c', `umask ${o.umask.toString(8).padStart(3, '0')} && exec "$@"`, 'sh', process.execPath, ...argv],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
      ...(o.cwd !== undefined && { cwd: o.cwd }),
      // Pinned to Docker (unless POCKETDOCK_SOCKET says otherwise): with Podman also up, the search
      // order would silently make it every test daemon's default. Tests pick Podman with socketPath.
      env: {
        ...(existsSync(DOCKER_SOCKET) && { POCKETDOCK_SOCKET: DOCKER_SOCKET }),
        POCKETDOCK_CHECK_RESULTS: '1',
        ...process.env,
        ...o.env,
      },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stderr!.pipe(process.stderr);
  const port = await new Promise<number | undefined>((resolve, reject) => {
    child.stderr!.on('data', function listening() {
      const m = /^pocketdockd \S+ listening on \S+(?: and http:\/\/127\.0\.0\.1:(\d+))?/m.exec(stderr);
      if (!m) return;
      child.stderr!.off('data', listening);
      resolve(m[1] ? Number(m[1]) : undefined);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited with ${code}:\n${stderr}`)));
  });
  watchForCrash(child, () => stderr);
  return {
    dir,
    socketPath,
    port,
    child,
    pid: child.pid!,
    token: readFileSync(join(dir, 'token'), 'utf8').trim(),
    client: () => connect({ daemon: socketPath, autoStart: false }),
    log: () => stderr,
    rssKiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Suite {
  readonly d: TestDaemon;
  readonly pd: PocketDock;
}

/** One daemon and one client for a whole test file: started before its tests, stopped after them. */
export function useDaemon(o: StartOptions = {}): Suite {
  let d: TestDaemon | undefined;
  let pd: PocketDock | undefined;
  beforeAll(async () => {
    d = await startDaemon(o);
    pd = await d.client();
  });
  afterAll(async () => {
    await pd?.close();
    await d?.stop();
  });
  return {
    get d() {
      return d!;
    },
    get pd() {
      return pd!;
    },
  };
}

/**
 * For a test file that starts daemons of its own (its own config, a restart on the same dir): the
 * returned function starts one and keeps it, and every daemon kept is stopped, newest first, after
 * the file's tests — or after each test with `{ after: 'each' }`.
 */
export function useDaemons(o: { after?: 'each' | 'all' } = {}): (options?: StartOptions) => Promise<TestDaemon> {
  const started: TestDaemon[] = [];
  (o.after === 'each' ? afterEach : afterAll)(async () => {
    for (const d of started.splice(0).reverse()) await d.stop();
  });
  return async (options) => {
    const d = await startDaemon(options);
    started.push(d);
    return d;
  };
}

export interface SandboxSuite extends Suite {
  /** A container of the default image, created after the daemon starts and removed before it stops. */
  readonly c: Container;
}

/** useDaemon() plus one container that a whole test file shares. */
export function useSandbox(o: StartOptions = {}): SandboxSuite {
  const suite = useDaemon(o);
  let c: Container | undefined;
  beforeAll(async () => {
    c = await suite.pd.createNewContainer();
  });
  afterAll(async () => {
    await c?.shutdown({ force: true }).catch(() => undefined);
  });
  return {
    get d() {
      return suite.d;
    },
    get pd() {
      return suite.pd;
    },
    get c() {
      return c!;
    },
  };
}

/** Another client object for the container `c`: through another connection, or under another id. */
export const twin = (c: Container, transport: Transport, containerId = c.containerId): Container =>
  new Container(transport, { ...c.toJSON(), containerId });
