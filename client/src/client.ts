/** PocketDock: one connection to a daemon and the module-level functions of the API on it. */
import type { CreateOptions } from '@pocketdock/protocol';
import { openTransport, type ConnectOptions } from './connect.js';
import { Container } from './container.js';
import type { Transport } from './transport.js';

export type CreateContainerOptions = CreateOptions;

export class PocketDock implements AsyncDisposable {
  constructor(readonly transport: Transport) {}

  async createNewContainer(opts: CreateContainerOptions = {}): Promise<Container> {
    return new Container(this.transport, await this.transport.call('container.create', opts));
  }

  /** The daemon's version. */
  async getVersion(): Promise<string> {
    return (await this.transport.call('daemon.version', {})).version;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export async function connect(opts: ConnectOptions = {}): Promise<PocketDock> {
  return new PocketDock(await openTransport(opts));
}

let shared: Promise<PocketDock> | undefined;

/** The connection the module-level functions use, opened on first use and reopened after a loss. */
export function sharedClient(): Promise<PocketDock> {
  const current = shared;
  if (current) {
    return current.then((c) => (c.transport.signal.aborted ? resetShared() : c), () => resetShared());
  }
  return resetShared();
}

function resetShared(): Promise<PocketDock> {
  shared = connect();
  return shared;
}
