/**
 * A Container's onStdout/onStderr/onExit: they fire for every detached process started through that
 * Container object. A process is followed (subscribed without slowing it) once any callback exists:
 * from its start when callbacks came first, else from what is still buffered when they are added.
 */
import type { ExecExit, ExecOutput, StreamName } from '@pocketdock/protocol';
import type { RpcTransport } from './channel.js';

export type OutputCallback<C> = (container: C, data: string) => void;
export type ExitCallback<C> = (container: C, exitCode: number) => void;

export class ExecCallbacks<C> {
  private readonly output: Record<StreamName, Set<OutputCallback<C>>> = { stdout: new Set(), stderr: new Set() };
  private readonly exit = new Set<ExitCallback<C>>();
  /** Followed processes and the next offset of each stream seen, to skip what a re-subscription repeats. */
  private readonly followed = new Map<string, Record<StreamName, number>>();
  private readonly unfollowed = new Set<string>();
  private unlisten: (() => void)[] = [];

  constructor(private readonly transport: RpcTransport, private readonly container: C) {}

  get active(): boolean {
    return this.output.stdout.size + this.output.stderr.size + this.exit.size > 0;
  }

  onOutput(stream: StreamName, fn: OutputCallback<C>): void {
    this.output[stream].add(fn);
    this.followStarted();
  }

  onExit(fn: ExitCallback<C>): void {
    this.exit.add(fn);
    this.followStarted();
  }

  /** Called before a detached process starts: whether to subscribe at its start. */
  starting(execId: string): boolean {
    if (!this.active) {
      this.unfollowed.add(execId);
      return false;
    }
    this.follow(execId);
    return true;
  }

  private followStarted(): void {
    for (const execId of this.unfollowed) {
      this.follow(execId);
      this.transport.call('exec.subscribe', { execId }).catch(() => this.followed.delete(execId));
    }
    this.unfollowed.clear();
  }

  private follow(execId: string): void {
    this.followed.set(execId, { stdout: 0, stderr: 0 });
    if (this.unlisten.length) return;
    this.unlisten = [
      this.transport.on('exec.output', (p) => this.onOutputNote(p)),
      this.transport.on('exec.exit', (p) => this.onExitNote(p)),
    ];
  }

  private onOutputNote(n: ExecOutput): void {
    const seen = this.followed.get(n.execId);
    if (!seen || n.next <= seen[n.stream]) return;
    seen[n.stream] = n.next;
    if (n.data) for (const fn of this.output[n.stream]) fn(this.container, n.data);
  }

  private onExitNote(n: ExecExit): void {
    if (!this.followed.delete(n.execId)) return;
    for (const fn of this.exit) fn(this.container, n.result.exitCode);
    if (this.followed.size === 0) for (const fn of this.unlisten.splice(0)) fn();
  }
}
