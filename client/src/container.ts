/** Container: a live proxy of one daemon-side sandbox, addressed by its id. */
import type { ContainerHandle, ContainerInfo, ExecResult, ParamsOf } from '@pocketdock/protocol';
import type { Transport } from './transport.js';

export type RunOptions = Omit<ParamsOf<'container.run'>, 'container' | 'command'>;

export class Container implements AsyncDisposable {
  readonly containerId: string;
  readonly name: string;
  readonly socketPath: string;
  readonly persist: boolean;
  readonly project: string;
  readonly dataPath: string;
  /** Default exec timeout in seconds. */
  readonly timeout: number;

  constructor(private readonly transport: Transport, handle: ContainerHandle) {
    this.containerId = handle.containerId;
    this.name = handle.name;
    this.socketPath = handle.socketPath;
    this.persist = handle.persist;
    this.project = handle.project;
    this.dataPath = handle.dataPath;
    this.timeout = handle.timeout;
  }

  /** Runs a command to completion. */
  run(command: string, opts: RunOptions = {}): Promise<ExecResult> {
    return this.transport.call('container.run', { container: this.containerId, command, ...opts });
  }

  info(): Promise<ContainerInfo> {
    return this.transport.call('container.info', { container: this.containerId });
  }

  /** Stops and removes the container; a persistent one is only stopped. */
  async shutdown(opts: { force?: boolean } = {}): Promise<void> {
    await this.transport.call('container.shutdown', { container: this.containerId, ...opts });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}
