/**
 * What a caller may ask of the host (docs/security.md). A Unix-socket client is trusted like the
 * socket's owner; a TCP client holds a token and gets host-affecting options only as far as the
 * config allows. Some things nobody gets: a mount of `/`, `/proc`, `/sys`, `/dev`, an engine's or
 * the daemon's socket or a directory holding one, or the daemon's state dir. Privileged mode, host
 * namespaces and raw engine options are not options at all (create-options.ts never sets them).
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { CreateOptions } from '@pocketdock/protocol';
import { KNOWN_ENGINES_RULE, type ContainerInspect, type ImageFacts } from '../engine/index.js';
import { DaemonError, invalidParams, optionRefused } from '../errors.js';
import { clientBinds } from '../exec/doors.js';

export interface HostPolicyConfig {
  /** The daemon's own Unix socket: a sandbox that reached it would drive the daemon. */
  socket: string;
  stateDir: string;
  allowHostOptionsOverTcp: boolean;
  tcpHostPaths: readonly string[];
  tcpEngines: readonly string[];
}

/** Who asks: a TCP (token) client is not trusted with the host. */
export interface Caller {
  readonly tcp: boolean;
}

export const UNIX_CALLER: Caller = { tcp: false };

/** The rule a refusal names (docs/security.md lists them). */
export const RULE = {
  protectedPath: 'protected-host-path',
  tcpHost: 'host-options-need-unix-socket',
  knownEngine: KNOWN_ENGINES_RULE,
  rootImage: 'root-images-need-unix-socket',
  hostSandbox: 'host-sandboxes-need-unix-socket',
} as const;

const SYSTEM_DIRS = ['/proc', '/sys', '/dev'];

/** `path` with every symlink of its longest existing prefix resolved: a link to `/` is `/`. */
export function realHostPath(path: string): string {
  const tail: string[] = [];
  let head = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      if (head === '/') return resolve(path);
      tail.push(basename(head));
      head = dirname(head);
    }
  }
}

const within = (path: string, dir: string) => path === dir || path.startsWith(dir === '/' ? '/' : dir + sep);

export class HostPolicy {
  constructor(
    private readonly c: HostPolicyConfig,
    private readonly engineSockets: () => readonly string[],
  ) {}

  /** Refuses what `opts` would do to the host beyond what `caller` may; runs before the engine is asked anything. */
  checkCreate(opts: CreateOptions, caller: Caller): void {
    for (const [host, inside] of Object.entries(opts.volumes ?? {})) {
      // Docker reads "host:inside:options": a colon would smuggle in mount options or a second path.
      if (host.includes(':') || inside.includes(':')) throw invalidParams('volumes', `"${host}": "${inside}" — paths may not contain ":"`);
      if (!host.startsWith('/')) {
        if (caller.tcp && !this.c.allowHostOptionsOverTcp) throw optionRefused('volumes', RULE.tcpHost, `named volume "${host}" over TCP`);
        continue;
      }
      this.checkHostPath('volumes', host, caller);
    }
    for (const device of opts.devices ?? []) {
      const real = realHostPath(device);
      if (!within(real, '/dev') || real === '/dev')
        throw optionRefused('devices', RULE.protectedPath, `"${device}" is not a device under /dev`);
      if (caller.tcp && !this.c.allowHostOptionsOverTcp) throw optionRefused('devices', RULE.tcpHost, `device "${device}" over TCP`);
    }
    if (opts.projectRoot !== undefined) this.checkHostPath('projectRoot', opts.projectRoot, caller);
    this.checkEngine(opts.socketPath, caller);
  }

  /** A host path the daemon would mount, read or write on the caller's behalf. */
  checkHostPath(option: string, path: string, caller: Caller): void {
    const real = realHostPath(path);
    const why = this.protectedBy(real);
    if (why) throw optionRefused(option, RULE.protectedPath, `"${path}"${real === path ? '' : ` (${real})`} ${why}`);
    if (caller.tcp && !this.c.allowHostOptionsOverTcp && !this.c.tcpHostPaths.some((p) => within(real, realHostPath(p)))) {
      throw optionRefused(option, RULE.tcpHost, `host path "${path}" over TCP (allowed: ${this.c.tcpHostPaths.join(', ') || 'none'})`);
    }
  }

  /** A TCP client may name the default engine and those the config lists; Engines.get refuses unknown sockets for everyone. */
  checkEngine(socketPath: string | undefined, caller: Caller): void {
    if (!caller.tcp || socketPath === undefined || this.c.allowHostOptionsOverTcp) return;
    if (socketPath === this.engineSockets()[0] || this.c.tcpEngines.includes(socketPath)) return;
    throw optionRefused(
      'socketPath',
      RULE.tcpHost,
      `engine ${socketPath} over TCP (allowed: the default engine${this.c.tcpEngines.map((e) => `, ${e}`).join('')})`,
    );
  }

  /** Whether checkImage looks at the image for this caller (then what it sees must be fresh). */
  readsImage(caller: Caller): boolean {
    return caller.tcp && !this.c.allowHostOptionsOverTcp;
  }

  /**
   * An image whose user is root gives whoever drives the sandbox a root shell next to whatever it
   * mounts. `facts`: the image as the engine has it (undefined: absent, the create reports ImageNotFound).
   */
  checkImage(image: string, facts: Pick<ImageFacts, 'user'> | undefined, caller: Caller): void {
    if (!this.readsImage(caller) || !facts) return;
    if (facts.user === '' || /^(root|0)(:|$)/.test(facts.user)) throw optionRefused('image', RULE.rootImage, `image ${image} runs as root`);
  }

  /** Whether checkSandbox looks at the sandboxes this caller acts on. */
  guardsSandboxes(caller: Caller): boolean {
    return this.readsImage(caller);
  }

  /**
   * A sandbox made over the Unix socket with host options or as root reaches the host: driving it
   * (commands, files, sessions, its lifecycle) is refused to a caller that could not have made it —
   * the same rules as checkCreate and checkImage, read back from what the engine holds.
   */
  checkSandbox(inspect: ContainerInspect, caller: Caller): void {
    if (!this.guardsSandboxes(caller)) return;
    // The daemon's Binds are "host:inside" (a colon in either is refused at create).
    const volumes = Object.fromEntries(clientBinds(inspect.HostConfig.Binds).map((b) => b.split(':', 2)));
    const devices = ((inspect.HostConfig.Devices ?? []) as { PathOnHost: string }[]).map((d) => d.PathOnHost);
    try {
      this.checkCreate({ volumes, devices }, caller);
      this.checkImage(inspect.Config.Image, { user: inspect.Config.User ?? '' }, caller);
    } catch (err) {
      if (!(err instanceof DaemonError && err.type === 'OptionRefused')) throw err;
      const name = inspect.Name.replace(/^\//, '');
      throw optionRefused('container', RULE.hostSandbox, `${name} was made with ${err.fields.option}: ${err.fields.detail}`);
    }
  }

  /** Why nobody may have `real` (a resolved path), or undefined. */
  private protectedBy(real: string): string | undefined {
    if (real === '/') return "is the host's root";
    const system = SYSTEM_DIRS.find((d) => within(real, d));
    if (system) return `is under ${system}`;
    for (const socket of [this.c.socket, ...this.engineSockets()].filter((s) => existsSync(s))) {
      const sock = realHostPath(socket);
      if (real === sock || within(dirname(sock), real)) return `holds the socket ${socket}`;
    }
    const state = realHostPath(this.c.stateDir);
    if (within(real, state) || within(state, real)) return "holds the daemon's state dir";
    return undefined;
  }
}
