/**
 * Listening sockets systemd passed (sd_listen_fds(3)): LISTEN_PID names the process they are for,
 * LISTEN_FDS counts them from fd 3. pocketdock.socket lists the Unix socket first and, when it has a
 * ListenStream on TCP, that one second.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { Server } from 'node:net';

export interface PassedSockets {
  unix: number;
  tcp?: number;
}

/** The first passed descriptor (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

export class ActivationError extends Error {}

/**
 * The sockets passed to this process, if any. Takes the variables out of `env` either way, as
 * sd_listen_fds(1) does, so programs the daemon starts (the base bootstrap) never take them for theirs.
 */
export function takePassedSockets(env: NodeJS.ProcessEnv = process.env, pid = process.pid): PassedSockets | undefined {
  const { LISTEN_PID: forPid, LISTEN_FDS: count } = env;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (forPid === undefined || count === undefined || Number(forPid) !== pid) return undefined;
  if (count !== '1' && count !== '2') {
    throw new ActivationError(`LISTEN_FDS=${count}: pocketdockd takes one socket (Unix) or two (Unix, then TCP)`);
  }
  return { unix: FIRST_FD, ...(count === '2' && { tcp: FIRST_FD + 1 }) };
}

/**
 * The path a passed Unix socket is bound to, which Node cannot tell (it knows only paths it bound
 * itself): the descriptor's inode, looked up in /proc/net/unix.
 */
export function unixSocketPath(fd: number): string | undefined {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const [, , , , , , inodeField, path] = line.trim().split(/\s+/);
      if (inode !== undefined && inodeField === inode && path) return path;
    }
  } catch {
    // Not Linux, or /proc not mounted: the caller falls back to the configured path.
  }
  return undefined;
}

/**
 * Listens on an inherited descriptor and checks it is the kind of socket it was passed as.
 */
export async function listenOnFd(server: Server, fd: number, kind: 'unix' | 'tcp'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Node's address() is an object for TCP and null for a Unix socket it did not bind.
  const address = server.address();
  if ((address === null) !== (kind === 'unix')) {
    server.close();
    throw new ActivationError(
      `passed descriptor ${fd} is not a ${kind === 'unix' ? 'Unix' : 'TCP'} socket: pocketdock.socket lists the Unix socket first`,
    );
  }
  // The token guards TCP against local pages and processes; the daemon never listens beyond loopback.
  if (typeof address === 'object' && address !== null && !isLoopback(address.address)) {
    server.close();
    throw new ActivationError(
      `passed TCP socket listens on ${address.address}: pocketdockd listens on loopback only (ListenStream=127.0.0.1:PORT)`,
    );
  }
}

const isLoopback = (ip: string) => ip === '::1' || /^(::ffff:)?127\./.test(ip);
