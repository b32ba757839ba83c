/** Container: a live proxy of one daemon-side sandbox, addressed by its id. */
import { randomUUID } from 'node:crypto';
import {
  DEFAULTS,
  type ContainerHandle,
  type ContainerInfo,
  type ContainerTarget,
  type ExecResult,
  type ParamsOf,
} from '@pocketdock/protocol';
import { ExecCallbacks, type ExitCallback, type OutputCallback } from './callbacks.js';
import { ContainerGone, ContainerNotFound } from './errors.js';
import { ExecStream, type StartingExecStream, type StreamOptions } from './exec-stream.js';
import { ContainerFiles, type PullResult, type TransferOptions } from './files.js';
import { Process } from './process.js';
import { Session } from './session.js';
import { Terminal, type TerminalOptions } from './terminal.js';
import type { Transport } from './transport.js';

export type RunOptions = Omit<ParamsOf<'container.run'>, 'container' | 'command'>;
export interface StreamRunOptions extends RunOptions {
  stream: true;
  /** Aborting stops the command in the container and ends the iteration with the abort reason. */
  signal?: AbortSignal;
  /**
   * Keep all the output the stream yields for its `.result`, as a blocking run's (up to maxOutput per
   * stream, in this process's memory). Default: nothing is kept, and `.result`'s stdout and stderr
   * are what the daemon still buffers of each: the last 1 MiB, which is all of it when it was shorter.
   */
  keepOutput?: boolean;
}
export interface DetachRunOptions extends RunOptions {
  detach: true;
  /** Ring buffer bytes per stream (default 1 MiB). A detached process has no timeout and no maxOutput unless given. */
  bufferSize?: number;
}
export interface BlockingRunOptions extends RunOptions {
  stream?: false;
  detach?: false;
  /** Aborting stops the command in the container and rejects with the abort reason. */
  signal?: AbortSignal;
}

export class Container implements AsyncDisposable {
  /** Changes when reboot({ fresh: true }) recreates the container. */
  get containerId(): string {
    return this.id;
  }
  private id: string;
  readonly name: string;
  readonly socketPath: string;
  readonly persist: boolean;
  readonly project: string;
  readonly dataPath: string;
  /** Default exec timeout in seconds. */
  readonly timeout: number;

  private readonly callbacks: ExecCallbacks<this>;
  private readonly files: ContainerFiles;
  /** The shutdown this object asked for, so that a second one (e.g. `await using` after shutdown()) does nothing. */
  private shutDown: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    handle: ContainerHandle,
  ) {
    this.callbacks = new ExecCallbacks(transport, this);
    this.files = new ContainerFiles(transport, () => this.target);
    this.id = handle.containerId;
    this.name = handle.name;
    this.socketPath = handle.socketPath;
    this.persist = handle.persist;
    this.project = handle.project;
    this.dataPath = handle.dataPath;
    this.timeout = handle.timeout;
  }

  /** The handle the daemon gave for this container, as it stands now: what `JSON.stringify` prints. */
  toJSON(): ContainerHandle {
    const { containerId, name, socketPath, persist, project, dataPath, timeout } = this;
    return { containerId, name, socketPath, persist, project, dataPath, timeout };
  }

  /** How every call names this container: its id, on its engine. */
  private get target(): ContainerTarget {
    return { container: this.id, socketPath: this.socketPath };
  }

  /** Runs a command: to completion (ExecResult), streamed (ExecStream) or detached (Process). */
  run(command: string, opts: StreamRunOptions): StartingExecStream;
  run(command: string, opts: DetachRunOptions): Promise<Process>;
  run(command: string, opts?: BlockingRunOptions): Promise<ExecResult>;
  run(
    command: string,
    opts: RunOptions & { stream?: boolean; detach?: boolean; signal?: AbortSignal; bufferSize?: number; keepOutput?: boolean } = {},
  ): Promise<ExecResult> | Promise<Process> | StartingExecStream {
    const { stream, detach, signal, bufferSize, keepOutput = false, ...given } = opts;
    // The default timeout is this object's, sent rather than left to the daemon: resumeContainer may have chosen another.
    const run = detach ? given : { ...given, timeout: given.timeout ?? this.timeout };
    if (stream) return this.stream(command, run, { keep: keepOutput, signal });
    if (detach) return this.startDetached(command, { ...run, ...(bufferSize !== undefined && { bufferSize }) });
    if (signal) return this.runUntil(command, run, signal);
    return this.transport.call('container.run', { ...run, ...this.target, command });
  }

  /** A blocking run its caller can abandon: a stream read to its end, whose abort stops the command. */
  private async runUntil(command: string, run: RunOptions, signal: AbortSignal): Promise<ExecResult> {
    const s = this.stream(command, run, { keep: true, signal });
    const chunks = s[Symbol.asyncIterator]();
    while (!(await chunks.next()).done); // the result keeps the text
    return s.result!;
  }

  private stream(command: string, run: RunOptions, o: Omit<StreamOptions, 'lossless'>): StartingExecStream {
    return ExecStream.start(this.transport, run.execId ?? randomUUID(), { ...run, ...this.target, command }, o);
  }

  /** Calls `fn(container, data)` with the stdout of every detached process started through this object. */
  onStdout(fn: OutputCallback<this>): void {
    this.callbacks.onOutput('stdout', fn);
  }

  onStderr(fn: OutputCallback<this>): void {
    this.callbacks.onOutput('stderr', fn);
  }

  /** Calls `fn(container, exitCode)` when a detached process started through this object ends. */
  onExit(fn: ExitCallback<this>): void {
    this.callbacks.onExit(fn);
  }

  /** Opens a persistent shell session (a retried open with the same `sessionId` returns the same one). */
  async session(opts: { sessionId?: string } = {}): Promise<Session> {
    const info = await this.transport.call('session.open', { ...this.target, ...opts });
    return new Session(this.transport, info.sessionId, this.timeout);
  }

  /** Starts a program (default: a login shell) on a pseudo-terminal, for a person to drive. */
  openTerminal(opts: TerminalOptions = {}): Promise<Terminal> {
    return Terminal.open(this.transport, this.target, opts);
  }

  private async startDetached(command: string, opts: Omit<DetachRunOptions, 'detach'>): Promise<Process> {
    const execId = opts.execId ?? randomUUID();
    const followed = this.callbacks.starting(execId);
    await this.transport
      .call('exec.start', {
        ...opts,
        ...this.target,
        command,
        execId,
        detach: true,
        ...(followed && { subscribe: true, subscription: followed.id }),
      })
      .catch((err: unknown) => {
        followed?.close();
        throw err;
      });
    return new Process(this.transport, execId);
  }

  info(): Promise<ContainerInfo> {
    return this.transport.call('container.info', this.target);
  }

  /** Restarts the container; `fresh` recreates it from its image with the same name and settings. */
  async reboot(opts: { fresh?: boolean } = {}): Promise<void> {
    const handle = await this.transport.call('container.reboot', { ...this.target, ...opts });
    this.id = handle.containerId;
    this.shutDown = undefined;
  }

  /** Commits the container's file system to an image usable by createNewContainer; returns its id. */
  snapshot(imageName: string): Promise<string> {
    return this.transport.call('container.snapshot', { ...this.target, imageName });
  }

  /**
   * Creates or overwrites a file (its parent must exist); it belongs to the container's user. In
   * every file method a relative container path starts at the sandbox user's home (DEFAULTS.home).
   */
  writeFile(path: string, content: string | Uint8Array, opts?: TransferOptions): Promise<void> {
    return this.files.writeFile(path, content, opts);
  }

  /** A file's bytes; FileNotFound names a missing path, FileError a directory. */
  readFile(path: string, opts?: TransferOptions): Promise<Buffer> {
    return this.files.readFile(path, opts);
  }

  /** Names in a directory, hidden ones included; directories end with "/". */
  listFiles(path: string = DEFAULTS.home): Promise<string[]> {
    return this.files.listFiles(path);
  }

  /** Copies a file or directory tree from this machine to `dest` (the new path) in the container. */
  push(src: string, dest: string, opts?: TransferOptions): Promise<void> {
    return this.files.push(src, dest, opts);
  }

  /** Copies a file or directory tree of the container to `dest` (the new path) on this machine. */
  pull(src: string, dest: string, opts?: TransferOptions): Promise<PullResult> {
    return this.files.pull(src, dest, opts);
  }

  /**
   * Lets go of this client's lease: unless another process adopts the container
   * (`pd.adoptContainer(name)`) within the daemon's grace period, it is removed.
   */
  async release(): Promise<void> {
    await this.transport.call('container.release', this.target);
  }

  /**
   * Stops and removes the container; a persistent one is only stopped. Once this object has shut it
   * down, calling it again does nothing (until reboot() starts it again).
   */
  shutdown(opts: { force?: boolean } = {}): Promise<void> {
    this.shutDown ??= this.transport.call('container.shutdown', { ...this.target, ...opts }).then(
      () => undefined,
      (err: unknown) => {
        this.shutDown = undefined;
        throw err;
      },
    );
    return this.shutDown;
  }

  /** Shuts the container down at the end of an `await using` block; one already gone is fine. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown().catch((err: unknown) => {
      if (!(err instanceof ContainerNotFound || err instanceof ContainerGone)) throw err;
    });
  }
}
