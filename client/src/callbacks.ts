/**
 * A Container's onStdout/onStderr/onExit: they fire for every detached process started through that
 * Container object. A process is followed (subscribed without slowing it) once any callback exists:
 * from its start when callbacks came first, else from what is still buffered when they are added.
 */
import type { StreamName } from '@pocketdock/protocol';
import { execRouter, type ExecSubscription } from './exec-router.js';
import type { RpcTransport } from './channel.js';

export type OutputCallback<C> = (container: C, data: string) => void;
export type ExitCallback<C> = (container: C, exitCode: number) => void;

export class ExecCallbacks<C> {
  private readonly output: Record<StreamName, Set<OutputCallback<C>>> = { stdout: new Set(), stderr: new Set() };
  private readonly exit = new Set<ExitCallback<C>>();
  private readonly unfollowed = new Set<string>();

  constructor(
    private readonly transport: RpcTransport,
    private readonly container: C,
  ) {}

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

  /** Called before a detached process starts: its subscription when it is followed from its start. */
  starting(execId: string): ExecSubscription | undefined {
    if (this.active) return this.follow(execId);
    this.unfollowed.add(execId);
    return undefined;
  }

  private followStarted(): void {
    for (const execId of this.unfollowed) {
      const sub = this.follow(execId);
      this.transport.call('exec.subscribe', { execId, subscription: sub.id }).catch(() => sub.close());
    }
    this.unfollowed.clear();
  }

  private follow(execId: string): ExecSubscription {
    return execRouter(this.transport).add(execId, {
      output: (n) => {
        if (n.data) for (const fn of this.output[n.stream]) fn(this.container, n.data);
      },
      exit: (n) => {
        for (const fn of this.exit) fn(this.container, n.result.exitCode);
      },
    });
  }
}
