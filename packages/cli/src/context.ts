/**
 * What every command gets: the global options, the output, and one connection to the daemon,
 * opened on first use. The CLI starts a daemon only where the client would by default (the
 * default local socket): an address given with --daemon or POCKETDOCK_DAEMON means that daemon.
 */
import { connect, type Container, type EngineOptions, type PocketDock } from '@pocketdock/client';
import { Output } from './output.js';

export interface GlobalOptions {
  /** Engine socket for calls that name a container or scan an engine. */
  socket?: string;
  /** Daemon address: a socket path or ws://127.0.0.1:PORT. */
  daemon?: string;
  json?: boolean;
  verbose?: boolean;
}

export class Cli {
  readonly out: Output;
  private connection: Promise<PocketDock> | undefined;

  constructor(
    readonly opts: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.out = new Output(opts.json ?? false);
  }

  /** Where the daemon is looked for, as the client resolves it. */
  get daemonAddress(): string | undefined {
    return this.opts.daemon ?? (this.env.POCKETDOCK_DAEMON || undefined);
  }

  client(): Promise<PocketDock> {
    this.connection ??= connect({
      ...(this.opts.daemon !== undefined && { daemon: this.opts.daemon }),
      autoStart: this.daemonAddress === undefined,
      // A command lasts one call or one stream: when its daemon goes away, it says so at once rather than wait for another.
      reconnect: false,
      ...(this.opts.verbose && {
        trace: (direction: 'in' | 'out', message: string) =>
          this.out.note(this.out.errColor.dim(`${direction === 'out' ? '→' : '←'} ${message}`)),
      }),
    });
    return this.connection;
  }

  /** The engine option of calls that name a container: --socket, else the client's precedence. */
  get engine(): EngineOptions {
    return this.opts.socket !== undefined ? { socketPath: this.opts.socket } : {};
  }

  /** A live proxy of an existing container, by name or id, on --socket's engine when given. */
  async container(nameOrId: string): Promise<Container> {
    return (await this.client()).container(nameOrId, this.engine);
  }

  async close(): Promise<void> {
    const pd = await this.connection?.catch(() => undefined);
    await pd?.close();
  }
}

/** Where `pd` reaches its daemon as --daemon takes it: the socket's path, or the ws:// URL. */
export function daemonAt(pd: PocketDock): string {
  return pd.transport.http.socketPath ?? pd.transport.url;
}
