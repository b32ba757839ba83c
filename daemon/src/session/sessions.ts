/**
 * The daemon's sessions by id. A session belongs to the daemon, not to the connection that opened
 * it: any client may send to it, read it or close it. Its id is also its shell's exec id, so its
 * output is followed with exec.subscribe/exec.poll like any process's. A closed session stays
 * known for RETAIN_MS so that calls on it say why it closed.
 */
import { randomUUID } from 'node:crypto';
import type { ContainerTarget, SessionInfo } from '@pocketdock/protocol';
import { invalidParams, sessionClosed } from '../errors.js';
import type { Logger } from '../log.js';
import type { Containers } from '../container/index.js';
import { projectLogger } from '../project/index.js';
import { RETAIN_MS, type Processes } from '../exec/index.js';
import { Session } from './session.js';
import { SHELL_COMMAND } from './shell.js';

export interface OpenRequest extends ContainerTarget {
  sessionId?: string;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly opening = new Map<string, Promise<Session>>();

  constructor(
    private readonly containers: Containers,
    private readonly processes: Processes,
    private readonly log: Logger,
  ) {}

  /** Opens a session, or returns the open one named `sessionId` (a retried open starts no second shell). */
  open(req: OpenRequest): Promise<Session> {
    const id = req.sessionId ?? randomUUID();
    const known = this.opening.get(id) ?? this.sessions.get(id);
    if (known) {
      return Promise.resolve(known).then((s) => {
        if (req.container !== s.containerRef && req.container !== s.containerId)
          throw invalidParams('sessionId', `"${id}" already names a session in container ${s.containerRef}`);
        s.assertOpen();
        return s;
      });
    }
    const opening = this.start(id, req);
    this.opening.set(id, opening);
    void opening
      .then(
        (s) => this.sessions.set(id, s),
        () => undefined,
      )
      .finally(() => this.opening.delete(id));
    return opening;
  }

  /** The session, open or not; SessionClosed when the id is unknown. */
  get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw sessionClosed(id, 'no such session (it never existed, or closed long ago)');
    return s;
  }

  /** Sessions known to the daemon, optionally in one container. */
  list(container?: string): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => container === undefined || container === s.containerRef || container === s.containerId)
      .map(info);
  }

  /** Closes every session (daemon shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close('the daemon is shutting down')));
  }

  private async start(id: string, { container, socketPath }: ContainerTarget): Promise<Session> {
    if (
      await this.processes.get(id).then(
        () => true,
        () => false,
      )
    )
      throw invalidParams('sessionId', `"${id}" already names an exec`);
    const { engine, inspect, handle } = await this.containers.resolve(container, socketPath);
    const session = new Session(
      id,
      container,
      { engine, containerId: inspect.Id, handle },
      await projectLogger(this.log, handle.dataPath, { sessionId: id, containerId: inspect.Id }),
      (maxOutput) => this.processes.collector(maxOutput),
    );
    const exec = await this.processes.start({
      container: inspect.Id,
      socketPath: engine.socketPath,
      command: SHELL_COMMAND,
      execId: id,
      detach: true,
      kind: 'session',
      stdin: true,
      io: { filter: session.filter },
      history: false,
    });
    try {
      await session.begin(exec, handle.timeout * 1000);
    } catch (err) {
      await session.close('the shell did not start');
      throw err;
    }
    void exec.done.then(() => setTimeout(() => this.sessions.delete(id), RETAIN_MS).unref());
    return session;
  }
}

export function info(s: Session): SessionInfo {
  return {
    sessionId: s.id,
    containerId: s.containerId,
    shell: s.shell,
    open: s.open,
    reason: s.closedReason ?? null,
    busy: s.busy,
    queued: s.queued,
  };
}
