/**
 * The daemon's Unix socket, whose file mode is what authenticates local clients, so it is never
 * reachable with a looser one whatever the umask: it is bound inside a fresh 0700 directory, made
 * 0600 there, and only then linked to its path. link() never replaces a file, so a live daemon's
 * socket is never taken over; a stale one (it refuses connections) is removed first. A lock in the
 * abstract namespace, which the kernel drops when the process dies, keeps two daemons starting on
 * one path from both taking the same stale socket for theirs.
 */
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** The socket's path cannot be used safely: the daemon does not start. */
export class SocketPathRefused extends Error {}
/** Another daemon listens (or is starting) on the path. */
export class SocketInUse extends SocketPathRefused {}

export interface SocketPlace {
  /** Where the listener binds first: inside a directory only the daemon's user can enter. */
  readonly staging: string;
  /** Makes the bound socket 0600 and puts it at its path. */
  publish(): void;
  /** Removes the socket (if it is still the one this daemon published) and drops the lock. */
  release(): Promise<void>;
}

/** Claims `path` for this daemon: lock, directory checks, stale socket removed, staging directory made. */
export async function claimSocketPath(path: string): Promise<SocketPlace> {
  const target = resolve(path);
  const lock = await takeLock(target);
  let staged: string | undefined;
  try {
    const dir = secureDirectory(dirname(target));
    await clearStale(target);
    staged = mkdtempSync(join(dir, '.pd-'));
  } catch (err) {
    await closeServer(lock);
    throw err;
  }
  const stagingDir = staged;
  const staging = join(stagingDir, 's');
  let published: number | undefined;
  return {
    staging,
    publish: () => {
      chmodSync(staging, 0o600);
      try {
        linkSync(staging, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SocketInUse(`${target} appeared while the daemon was starting`);
        throw err;
      }
      published = lstatSync(target).ino;
      rmSync(stagingDir, { recursive: true, force: true });
    },
    release: async () => {
      rmSync(stagingDir, { recursive: true, force: true });
      if (published !== undefined && inodeAt(target) === published) unlinkSync(target);
      await closeServer(lock);
    },
  };
}

/**
 * Created 0700 when missing. An existing one must belong to the daemon's user or root, and be
 * writable by nobody else unless sticky (like /tmp): otherwise another user could swap the socket.
 */
function secureDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const uid = process.getuid?.() ?? st.uid;
  if (st.uid !== uid && st.uid !== 0) throw new SocketPathRefused(`${dir} belongs to uid ${st.uid}, not to the daemon's user (${uid})`);
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0)
    throw new SocketPathRefused(`${dir} is writable by other users (mode ${(st.mode & 0o7777).toString(8)}) and not sticky`);
  return dir;
}

async function clearStale(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw new SocketPathRefused(`${path} exists and is not a socket`);
  const code = await connectError(path);
  if (code === undefined) throw new SocketInUse(`another daemon already listens on ${path}`);
  // Only a refusal proves nobody listens; a full backlog (EAGAIN) or a foreign socket (EACCES) is left alone.
  if (code !== 'ECONNREFUSED') throw new SocketPathRefused(`cannot tell whether ${path} is in use (${code})`);
  unlinkSync(path);
}

function connectError(path: string): Promise<string | undefined> {
  return new Promise((done) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      done(undefined);
    });
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}

function takeLock(path: string): Promise<Server> {
  const name = `\0pocketdockd-${createHash('sha256').update(path).digest('hex').slice(0, 32)}`;
  return new Promise((done, fail) => {
    // Anyone may connect to an abstract socket: they get nothing.
    const server = createServer((s) => s.destroy());
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'EADDRINUSE' ? new SocketInUse(`another daemon is starting or listening on ${path}`) : err),
    );
    server.listen(name, () => {
      server.unref();
      done(server);
    });
  });
}

function inodeAt(path: string): number | undefined {
  try {
    return lstatSync(path).ino;
  } catch {
    return undefined;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}
