/**
 * The agents' doors: each sandbox the daemon creates gets a host directory of its own, bind-mounted
 * read-only at DOOR_INSIDE, where the daemon listens on a Unix socket while it starts the sandbox's
 * agent. The agent connects and talks over that socket instead of its exec's stdin and stdout, so
 * its frames skip the engine's copies (containerd's shim, the engine daemon): streams go faster
 * than an engine exec's own. Where the door cannot be used — a sandbox made before doors, an
 * engine on another machine, a user the socket refuses — the agent talks over its exec's stream.
 *
 * Anything in the sandbox can connect as the agent can: the token each launch passes the agent on
 * its command line (seen only inside that sandbox) tells the launch's agent from others, and the
 * agent's frames are read as untrusted either way. One directory per sandbox keeps sandboxes from
 * seeing each other's doors.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ContainerCreateRequest, ContainerInspect } from '../engine/index.js';
import type { Logger } from '../log.js';

/** Where a sandbox sees its door's directory. */
export const DOOR_INSIDE = '/run/pocketdock';
/**
 * The binds a client chose, from an inspect's HostConfig.Binds ("host:inside[:options]"): Podman lists
 * the door's mount there too, Docker only in Mounts.
 */
export function clientBinds(binds: string[] | null | undefined): string[] {
  return (binds ?? []).filter((b) => b.split(':')[1] !== DOOR_INSIDE);
}

/** A Unix socket's path fits in 108 bytes with its NUL. */
const MAX_SOCKET_PATH = 107;
const SOCKET_NAME = () => `${randomBytes(4).toString('hex')}.sock`;
/** Directories remembered by container (the oldest forgotten first: its directory is then left, empty). */
const REMEMBERED = 4096;

/** A door open for one launch of an agent. */
export interface Door {
  /** The agent's arguments: the socket's path inside the sandbox and the launch's token. */
  args: [string, string];
  /** Calls `fn` with the connection that said the token, and what came after the token. */
  onOpen(fn: (socket: Socket, rest: Buffer) => void): void;
  /** Stops listening (the agent connected, or its launch is over). */
  close(): void;
}

export class Doors {
  /** By container id: its door's host directory, to remove with the container. */
  private readonly dirs = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {}

  /**
   * `request` with a door of its own (a new directory, mounted read-only), and what to call once
   * the engine created the container or refused to; `request` unchanged where no socket path would fit.
   */
  async fit(request: ContainerCreateRequest): Promise<{ request: ContainerCreateRequest; created(id: string | undefined): Promise<void> }> {
    const dir = join(this.root, randomBytes(6).toString('hex'));
    if (join(dir, SOCKET_NAME()).length > MAX_SOCKET_PATH) return { request, created: async () => undefined };
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const mount = { Type: 'bind' as const, Source: dir, Target: DOOR_INSIDE, ReadOnly: true };
    const hostConfig = { ...request.HostConfig, Mounts: [...(request.HostConfig?.Mounts ?? []), mount] };
    return {
      request: { ...request, HostConfig: hostConfig },
      created: async (id) => {
        if (id) this.remember(id, dir);
        else await rm(dir, { recursive: true, force: true });
      },
    };
  }

  /** Opens the door of the sandbox `inspect` describes; undefined when it has none. */
  async open(inspect: ContainerInspect): Promise<Door | undefined> {
    const dir = inspect.Mounts?.find((m) => m.Destination === DOOR_INSIDE && m.Type === 'bind')?.Source;
    if (!dir) return undefined;
    this.remember(inspect.Id, dir);
    const name = SOCKET_NAME();
    const path = join(dir, name);
    const token = randomBytes(16).toString('hex');
    let opened: ((socket: Socket, rest: Buffer) => void) | undefined;
    // Connections that have not said the token yet: they end with the door.
    const greeting = new Set<Socket>();
    const close = () => {
      server.close();
      for (const socket of greeting) socket.destroy();
    };
    const server = createServer((socket) => {
      greeting.add(socket);
      socket.once('close', () => greeting.delete(socket));
      greet(socket, token, (rest) => {
        greeting.delete(socket);
        close();
        opened?.(socket, rest);
      });
    });
    try {
      await listen(server, path);
      // The sandbox's user is rarely the daemon's: the token, not the socket's mode, says who is the agent.
      await chmod(path, 0o666);
    } catch (err) {
      server.close();
      this.log.debug({ containerId: inspect.Id, path, err }, 'no door: the agent talks over its exec');
      return undefined;
    }
    return {
      args: [`${DOOR_INSIDE}/${name}`, token],
      onOpen: (fn) => (opened = fn),
      close,
    };
  }

  /** The container was removed: its door's directory (empty but while an agent starts) goes too, before the removal is answered. */
  removed(containerId: string): void {
    const dir = this.dirs.get(containerId);
    if (!dir) return;
    this.dirs.delete(containerId);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      this.log.warn({ err, dir }, 'could not remove a door');
    }
  }

  private remember(containerId: string, dir: string): void {
    this.dirs.set(containerId, dir);
    if (this.dirs.size > REMEMBERED) this.dirs.delete(this.dirs.keys().next().value!);
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Reads the token off a new connection: `fn` gets it paused, and what followed the token; a wrong one ends the connection. */
function greet(socket: Socket, token: string, fn: (rest: Buffer) => void): void {
  const want = Buffer.from(token);
  let got = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    got = Buffer.concat([got, chunk]);
    if (got.length < want.length) return;
    socket.off('data', onData);
    socket.pause();
    if (!timingSafeEqual(got.subarray(0, want.length), want)) {
      socket.destroy();
      return;
    }
    fn(got.subarray(want.length));
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}
