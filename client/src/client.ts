/** PocketDock: one connection to a daemon and the module-level functions of the API on it. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  MAX_SECONDS,
  VERSION,
  type ContainerListItem,
  type CreateOptions,
  type DoctorReport,
  type ImageBuildResult,
  type ImportedImage,
  type ProfileInfo,
  type ResultOf,
} from '@pocketdock/protocol';
import { openTransport, type ConnectOptions } from './connect.js';
import { Container } from './container.js';
import { buildImages, exportImages, importImages, type BuildImagesOptions, type ImageArchiveOptions } from './images.js';
import { Process } from './process.js';
import { Session } from './session.js';
import { Terminal, type TerminalOptions } from './terminal.js';
import { InvalidParams, PocketDockError, ProjectNotInitialized, SessionClosed } from './errors.js';
import { engineSocket, projectContext } from './project.js';
import type { ConnectionEvents, Transport } from './transport.js';

export type CreateContainerOptions = CreateOptions;
/** Engine choice for calls that name an existing container or scan an engine. */
export interface EngineOptions {
  socketPath?: string;
}
export interface ScopeOptions extends EngineOptions {
  project?: string;
}
export interface DoctorOptions extends EngineOptions {
  projectRoot?: string;
}
export interface ResumeOptions extends EngineOptions {
  /** Default exec timeout of the returned Container, in seconds; default the container's own. */
  timeout?: number;
}

/** Who a connection says it is in daemon.hello: the holder of its leases. */
export interface ClientIdentity {
  clientName: string;
  resumeToken: string;
}

/** This process's resume token: every connection it opens holds the same leases. */
const PROCESS_TOKEN = randomBytes(24).toString('base64url');

export function defaultIdentity(): ClientIdentity {
  return { clientName: `${basename(process.argv[1] ?? 'node')}[${process.pid}]`, resumeToken: PROCESS_TOKEN };
}

export class PocketDock implements AsyncDisposable {
  constructor(
    readonly transport: Transport,
    readonly identity: ClientIdentity = defaultIdentity(),
  ) {}

  /** Creates and starts a sandbox; inside a project (explicit `projectRoot` or around the cwd) it gets an instance dir. */
  async createNewContainer(opts: CreateContainerOptions = {}): Promise<Container> {
    const { root, config } = await projectContext(opts.projectRoot, this.local);
    const socketPath = engineSocket(opts.socketPath, config);
    const params = { ...opts, ...(root && { projectRoot: root }), ...(socketPath && { socketPath }) };
    return new Container(this.transport, await this.transport.call('container.create', params));
  }

  /**
   * A live Container for an existing sandbox (persistent or not) by name or id, shared with whoever
   * created it: the lease stays with its holder. `shutdown()` on it still removes it for everyone.
   */
  async container(nameOrId: string, opts: EngineOptions = {}): Promise<Container> {
    return new Container(this.transport, await this.transport.call('container.get', { container: nameOrId, ...(await this.engine(opts)) }));
  }

  /**
   * Takes over a non-persistent sandbox another process created (and usually released): it now
   * lives as long as this client does, plus the daemon's grace period.
   */
  async adoptContainer(nameOrId: string, opts: EngineOptions = {}): Promise<Container> {
    return new Container(
      this.transport,
      await this.transport.call('container.adopt', { container: nameOrId, ...(await this.engine(opts)) }),
    );
  }

  /**
   * Starts a stopped container again with its file system intact. `timeout` is the returned object's
   * default exec timeout (seconds); without it, the one the container was created with.
   */
  async resumeContainer(name: string, opts: ResumeOptions = {}): Promise<Container> {
    const { timeout, ...engine } = opts;
    if (timeout !== undefined && !(timeout > 0 && timeout <= MAX_SECONDS)) {
      throw new InvalidParams(`timeout must be a number of seconds above 0 and at most ${MAX_SECONDS} (got ${timeout})`, {
        field: 'timeout',
      });
    }
    const handle = await this.transport.call('container.resume', { container: name, ...(await this.engine(engine)) });
    return new Container(this.transport, { ...handle, ...(timeout !== undefined && { timeout }) });
  }

  /** Every managed container, running or stopped. */
  async listContainers(opts: ScopeOptions = {}): Promise<ContainerListItem[]> {
    return this.transport.call('container.list', { ...opts, ...(await this.engine(opts)) });
  }

  /** Stops a container without removing it. */
  async stopContainer(name: string, opts: EngineOptions = {}): Promise<void> {
    await this.transport.call('container.stop', { container: name, ...(await this.engine(opts)) });
  }

  /** Removes a container whatever persist says, and its instance dir. */
  async destroyContainer(name: string, opts: EngineOptions = {}): Promise<void> {
    await this.transport.call('container.destroy', { container: name, ...(await this.engine(opts)) });
  }

  /** Removes every stopped managed container (optionally one project's); returns how many. */
  async prune(opts: ScopeOptions = {}): Promise<number> {
    return this.transport.call('container.prune', { ...opts, ...(await this.engine(opts)) });
  }

  /** Cross-references a project's instance dirs with its containers. */
  async doctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
    const { root, config } = await projectContext(opts.projectRoot, true);
    if (!root || !config) {
      const where = root ?? process.cwd();
      throw Object.assign(new ProjectNotInitialized(`no .pocketdock/pocketdock.yaml at or above ${where} (run initProject)`), {
        path: where,
      });
    }
    const socketPath = engineSocket(opts.socketPath, config);
    return this.transport.call('project.doctor', { projectRoot: root, ...(socketPath && { socketPath }) });
  }

  listProfiles(): Promise<ProfileInfo[]> {
    return this.transport.call('profile.list', {});
  }

  resolveProfile(name: string): Promise<ProfileInfo> {
    return this.transport.call('profile.resolve', { name });
  }

  /** Builds the profiles' images that are missing or out of date (all profiles by default). */
  buildImages(opts: BuildImagesOptions = {}): Promise<ImageBuildResult[]> {
    return buildImages(this.transport, opts);
  }

  /** Saves built profile images to a .tar or .tar.gz on this machine; returns their tags. */
  exportImages(path: string, opts: ImageArchiveOptions = {}): Promise<string[]> {
    return exportImages(this.transport, path, opts);
  }

  /** Loads an archive written by exportImages into the daemon's engine and checks each image runs. */
  importImages(path: string, opts: Omit<ImageArchiveOptions, 'profiles'> = {}): Promise<ImportedImage[]> {
    return importImages(this.transport, path, opts);
  }

  /** Whether the daemon shares this machine's file system (a Unix socket). */
  private get local(): boolean {
    return this.transport.url.startsWith('ws+unix:');
  }

  /**
   * The engine socket by precedence: explicit > POCKETDOCK_SOCKET > project config > the daemon's
   * choice. The project file is read only when it decides, so a broken one fails no other call.
   */
  private async engine(opts: EngineOptions): Promise<EngineOptions> {
    const socketPath =
      engineSocket(opts.socketPath, undefined) ?? engineSocket(undefined, (await projectContext(undefined, this.local)).config);
    return socketPath ? { socketPath } : {};
  }

  /**
   * Who answers: the daemon's version, protocol revision, engine socket and pid. It also tells the
   * daemon this client's name and resume token (connect() says hello first thing).
   */
  hello(): Promise<ResultOf<'daemon.hello'>> {
    const { clientName, resumeToken } = this.identity;
    return this.transport.call('daemon.hello', { client: clientName, version: VERSION, resumeToken });
  }

  /**
   * The dashboard's sign-in link, as Jupyter prints one: the daemon's TCP port, and the token read
   * from its state dir — so only a client on the daemon's machine that may read that file gets it.
   */
  async dashboardUrl(): Promise<string> {
    const { port, stateDir } = await this.hello();
    if (port === null)
      throw new PocketDockError('the daemon has no TCP listener (it was started with --port 0): the dashboard is served there');
    const path = join(stateDir, 'token');
    let token: string;
    try {
      token = (await readFile(path, 'utf8')).trim();
    } catch (err) {
      throw new PocketDockError(
        `cannot read the daemon's token at ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): is the daemon on another machine, or another user's?`,
      );
    }
    return `http://127.0.0.1:${port}/?token=${token}`;
  }

  /** A proxy of a detached process (or any exec) by id, such as one another client started. */
  attachProcess(execId: string): Process {
    return new Process(this.transport, execId);
  }

  /** A proxy of a session another client (or this one) opened; SessionClosed if it is not open. */
  async attachSession(sessionId: string): Promise<Session> {
    const info = await this.transport.call('session.info', { sessionId });
    if (!info.open)
      throw Object.assign(new SessionClosed(`session ${sessionId} is closed: ${info.reason}`), { sessionId, reason: info.reason ?? '' });
    return new Session(this.transport, sessionId);
  }

  /** Starts a program (default: a login shell) on a pseudo-terminal in a container named by id or name. */
  openTerminal(container: string, opts: TerminalOptions & EngineOptions = {}): Promise<Terminal> {
    const { socketPath, ...rest } = opts;
    return Terminal.open(this.transport, { container, ...(socketPath !== undefined && { socketPath }) }, rest);
  }

  /** The daemon's warm pools (its `pool` config): per profile or image, what is ready, hits, misses and refill times. */
  poolStatus(): Promise<ResultOf<'pool.status'>> {
    return this.transport.call('pool.status', {});
  }

  /** The daemon at work: version, uptime, listeners, engines, container counts. */
  status(): Promise<ResultOf<'daemon.status'>> {
    return this.transport.call('daemon.status', {});
  }

  /** The daemon's version. */
  async getVersion(): Promise<string> {
    return (await this.transport.call('daemon.version', {})).version;
  }

  /**
   * Tells `fn` when the connection drops without close(): calls in flight fail with
   * DaemonClosedError, later ones wait while a new connection is sought. Returns the function that
   * stops telling it.
   */
  onDisconnect(fn: (e: ConnectionEvents['disconnect']) => void): () => void {
    return this.transport.onConnection('disconnect', fn);
  }

  /** Tells `fn` when a new connection has taken over: same resume token, every stream and subscription going on from where it was. */
  onReconnect(fn: (e: ConnectionEvents['reconnect']) => void): () => void {
    return this.transport.onConnection('reconnect', fn);
  }

  /** Tells `fn` when the connection is over for good: close(), a drop with `reconnect: false`, or no daemon came back in time. */
  onClose(fn: (e: ConnectionEvents['close']) => void): () => void {
    return this.transport.onConnection('close', fn);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export async function connect(opts: ConnectOptions = {}): Promise<PocketDock> {
  const defaults = defaultIdentity();
  const pd = new PocketDock(await openTransport(opts), {
    clientName: opts.clientName ?? defaults.clientName,
    resumeToken: opts.resumeToken ?? defaults.resumeToken,
  });
  try {
    await pd.hello();
  } catch (err) {
    await pd.close();
    throw err;
  }
  return pd;
}

let shared: Promise<PocketDock> | undefined;

/** The connection the module-level functions use, opened on first use and reopened after a loss. */
export function sharedClient(): Promise<PocketDock> {
  const current = shared;
  if (current) {
    return current.then(
      (c) => (c.transport.signal.aborted ? resetShared() : c),
      () => resetShared(),
    );
  }
  return resetShared();
}

function resetShared(): Promise<PocketDock> {
  shared = connect();
  return shared;
}
