/**
 * Finding the daemon: POCKETDOCK_DAEMON (a socket path or a ws:// URL, with POCKETDOCK_TOKEN), else
 * the default local socket. When nothing answers on a local socket, the client starts a daemon in
 * the background and waits for it, unless `autoStart: false`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultSocketPath, defaultStateDir } from '@pocketdock/protocol';
import { DaemonNotRunning, Unauthorized } from './errors.js';
import type { ReconnectOptions } from './reconnect.js';
import { Transport, type TransportOptions } from './transport.js';

export interface ConnectOptions {
  /** Unix socket path or ws:// URL of the daemon; default POCKETDOCK_DAEMON, then the default socket. */
  daemon?: string;
  /** Bearer token for a ws:// URL; default POCKETDOCK_TOKEN. */
  token?: string;
  /** Start a local daemon when none answers (default true; never for a ws:// URL). */
  autoStart?: boolean;
  /** Extra flags for an auto-started daemon (e.g. `['--port', '0']`). */
  daemonArgs?: string[];
  /** How long to wait for a daemon being started: an auto-started one, or one systemd starts on the first connection. */
  startTimeoutMs?: number;
  /** How this client shows as the holder of its leases (default: the script's name and pid). */
  clientName?: string;
  /**
   * The token this client's non-persistent containers are leased to (default: one per process). A
   * connection with the same token within the daemon's grace period keeps them.
   */
  resumeToken?: string;
  /**
   * When the connection drops without close() — the socket was cut, the daemon restarted — seek a new
   * one and go on there (default on: for the lease grace the daemon announced, or `timeoutMs`);
   * `false`: the connection is over, as every call then says (DaemonClosedError).
   */
  reconnect?: ReconnectOptions | false;
  env?: NodeJS.ProcessEnv;
  /** Sees every JSON-RPC message of the connection, as sent and received (e.g. for a --verbose log). */
  trace?: TransportOptions['trace'];
}

const START_TIMEOUT_MS = 20_000;

const pathEnv = (env: NodeJS.ProcessEnv) => ({ env, uid: process.getuid?.() ?? 1000, home: homedir() });

export function daemonUrl(address: string): string {
  if (/^wss?:\/\//.test(address)) return address.replace(/\/?$/, '').endsWith('/rpc') ? address : `${address.replace(/\/$/, '')}/rpc`;
  return `ws+unix://${address}:/rpc`;
}

/** Where to connect and with which token; an empty option or variable counts as unset, as in a shell. */
export function daemonTarget(o: ConnectOptions = {}): { address: string; token: string | undefined } {
  const env = o.env ?? process.env;
  return {
    address: o.daemon || env.POCKETDOCK_DAEMON || defaultSocketPath(pathEnv(env)),
    token: o.token || env.POCKETDOCK_TOKEN || undefined,
  };
}

export async function openTransport(o: ConnectOptions = {}): Promise<Transport> {
  const env = o.env ?? process.env;
  const { address, token } = daemonTarget(o);
  const url = daemonUrl(address);
  const local = url.startsWith('ws+unix:');
  try {
    // A socket systemd listens on holds the first connection until the daemon it starts accepts it.
    return await Transport.open({
      url,
      ...(token && { token }),
      ...(o.trace && { trace: o.trace }),
      reconnect: o.reconnect ?? {},
      ...(local && { connectTimeoutMs: o.startTimeoutMs ?? START_TIMEOUT_MS }),
    });
  } catch (err) {
    if (err instanceof Unauthorized) throw err; // a daemon answered: it refused us
    const code = (err as NodeJS.ErrnoException).code;
    const nobody = code === 'ENOENT' || code === 'ECONNREFUSED';
    if (!local || !nobody || o.autoStart === false) {
      throw new DaemonNotRunning(
        `no pocketdock daemon answers at ${address}: ${(err as Error).message}` +
          (local && nobody ? ' (start one with `pocketdockd`, or connect with autoStart)' : ''),
        { address },
      );
    }
  }
  await startDaemon(address, o, env);
  return Transport.open({ url, ...(o.trace && { trace: o.trace }), reconnect: o.reconnect ?? {} });
}

/**
 * The daemon's entry point: POCKETDOCKD, else the @pocketdock/daemon package next to this one, run by
 * this node with the daemon's node flags (its package.json's `nodeFlags`), else `pocketdockd` on PATH.
 */
export function daemonCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.POCKETDOCKD) return [env.POCKETDOCKD];
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('@pocketdock/daemon/package.json');
  } catch {
    return ['pocketdockd'];
  }
  const { nodeFlags = [] } = JSON.parse(readFileSync(pkg, 'utf8')) as { nodeFlags?: string[] };
  return [process.execPath, ...nodeFlags, join(dirname(pkg), 'dist', 'bin.js')];
}

/** Where a daemon started in the background writes its log. */
export function daemonLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultStateDir(pathEnv(env)), 'pocketdockd.log');
}

async function startDaemon(socket: string, o: ConnectOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const logPath = daemonLogPath(env);
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const logFd = openSync(logPath, 'a');
  const [cmd, ...args] = daemonCommand(env);
  const child = spawn(cmd!, [...args, '--socket', socket, ...(o.daemonArgs ?? [])], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env,
  });
  closeSync(logFd);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  child.once('error', (err) => {
    exited = err.message;
  });
  child.unref();

  const deadline = Date.now() + (o.startTimeoutMs ?? START_TIMEOUT_MS);
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const t = await Transport.open({ url: daemonUrl(socket), connectTimeoutMs: 1000 });
      await t.close();
      return;
    } catch {
      // Not up yet: there is no event to wait for across processes, so poll the socket.
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const tail = readTail(logPath);
  throw new DaemonNotRunning(`could not start a daemon on ${socket} (${exited ?? 'timed out'})${tail ? `:\n${tail}` : ''}`, {
    address: socket,
  });
}

function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}
