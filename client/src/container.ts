/** Container: a live proxy of one daemon-side sandbox, addressed by its id. */
import type { ContainerHandle, ContainerInfo, ExecResult, ParamsOf } from '@pocketdock/protocol';
import type { Transport } from './transport.js';

export type RunOptions = Omit<ParamsOf<'container.run'>, 'container' | 'command'>;

export class Container implements AsyncDisposable {
  /** Changes when reboot({ fresh: true }) recreates the container. */
  get containerId(): string { return this.id; }
  private id: string;
  readonly name: string;
  readonly socketPath: string;
  readonly persist: boolean;
  readonly project: string;
  readonly dataPath: string;
  /** Default exec timeout in seconds. */
  readonly timeout: number;

  constructor(private readonly transport: Transport, handle: ContainerHandle) {
    this.id = handle.containerId;
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

  /** Restarts the container; `fresh` recreates it from its image with the same name and settings. */
  async reboot(opts: { fresh?: boolean } = {}): Promise<void> {
    const handle = await this.transport.call('container.reboot', { container: this.containerId, socketPath: this.socketPath, ...opts });
    this.id = handle.containerId;
  }

  /** Commits the container's file system to an image usable by createNewContainer; returns its id. */
  snapshot(imageName: string): Promise<string> {
    return this.transport.call('container.snapshot', { container: this.containerId, socketPath: this.socketPath, imageName });
  }

  /** Stops and removes the container; a persistent one is only stopped. */
  async shutdown(opts: { force?: boolean } = {}): Promise<void> {
    await this.transport.call('container.shutdown', { container: this.containerId, ...opts });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}
