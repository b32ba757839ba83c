/**
 * The daemon's sessions by id. A session belongs to the daemon, not to the connection that opened
 * it: any client may send to it, read it or close it. Its id is also its shell's exec id, so its
 * output is followed with exec.subscribe/exec.poll like any process's. A closed session stays
 * known as long as its shell's exec (RETAIN_MS, less when its container goes) so that calls on it say why it closed.
 */
import { randomUUID } from 'node:crypto';
import type { ContainerTarget, SessionInfo } from '@pocketdock/protocol';
import { invalidParams, sessionClosed } from '../errors.js';
import type { Logger } from '../log.js';
import type { Containers } from '../container/index.js';
import { projectLogger } from '../project/index.js';
import type { ExecTarget, ManagedExec, Processes, StoredExec } from '../exec/index.js';
import { Session } from './session.js';
import { SHELL_COMMAND } from './shell.js';

export interface OpenRequest extends ContainerTarget {
  sessionId?: string;
  /** Whose cap it counts against (StartRequest.owner). */
  owner?: string;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly opening = new Map<string, Promise<Session>>();

  constructor(
    private readonly containers: Containers,
    private readonly processes: Processes,
    private readonly log: Logger,
  ) {
    processes.resumeWith('session', (stored, target) => this.resume(stored, target));
    processes.onForget((id) => this.sessions.delete(id));
  }

  /**
   * Opens a session, or returns the open one named `sessionId` (a retried open starts no second
   * shell, nor one beside a session that outlived the previous daemon).
   */
  async open(req: OpenRequest): Promise<Session> {
    if (req.sessionId !== undefined) await this.processes.recovered;
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

  /** The session, open or not, when the daemon knows it now (recovery may bring more: get()). */
  find(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * The session, open or not, once the sessions of the previous daemon are back; ProcessLost when
   * it was one of them and did not come back, SessionClosed when the id is unknown.
   */
  async get(id: string): Promise<Session> {
    const known = this.sessions.get(id);
    if (known) return known;
    await this.processes.recovered;
    const s = this.sessions.get(id);
    if (!s) throw this.processes.lostError(id) ?? sessionClosed(id, 'no such session (it never existed, or closed long ago)');
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

  private async start(id: string, { container, socketPath, owner }: OpenRequest): Promise<Session> {
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
      ...(owner !== undefined && { owner }),
    });
    try {
      await session.begin(exec, handle.timeout * 1000);
    } catch (err) {
      await session.close('the shell did not start');
      throw err;
    }
    return session;
  }

  /** A session whose shell outlived the previous daemon (Processes.recover): the same shell, its variables and functions. */
  private async resume(stored: StoredExec, { engine, containerId, handle }: ExecTarget) {
    const id = stored.execId;
    const session = new Session(
      id,
      handle.name,
      { engine, containerId, handle },
      await projectLogger(this.log, handle.dataPath, { sessionId: id, containerId }),
      (maxOutput) => this.processes.collector(maxOutput),
    );
    return {
      io: { filter: session.filter },
      resumed: (exec: ManagedExec) => {
        session.resume(exec, handle.timeout * 1000);
        this.sessions.set(id, session);
        this.log.info({ sessionId: id, containerId }, 'session of the previous daemon taken over');
      },
    };
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
