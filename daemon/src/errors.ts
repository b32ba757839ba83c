/** The daemon's typed error: what a handler throws and the router turns into a JSON-RPC error. */
import { ERRORS, type ErrorType } from '@pocketdock/protocol';

export class DaemonError extends Error {
  readonly code: number;
  constructor(readonly type: ErrorType, message: string, readonly fields: Record<string, unknown> = {}) {
    super(message);
    this.name = type;
    this.code = ERRORS[type].code;
  }

  get data(): Record<string, unknown> {
    return { type: this.type, ...this.fields };
  }
}

export const containerNotFound = (containerId: string, detail = 'no such container') =>
  new DaemonError('ContainerNotFound', `container ${containerId} not found`, { containerId, detail });

export const containerNotRunning = (containerId: string, detail = 'container is not running') =>
  new DaemonError('ContainerNotRunning', `container ${containerId} is not running`, { containerId, detail });

export const containerGone = (containerId: string, detail = 'container was removed outside pocketdock') =>
  new DaemonError('ContainerGone', `container ${containerId} is gone: ${detail}`, { containerId, detail });

export const fileError = (containerId: string, path: string, detail: string) =>
  new DaemonError('FileError', `${path} in container ${containerId}: ${detail}`, { containerId, path, detail });

export const fileNotFound = (containerId: string, path: string, detail = 'no such file or directory') =>
  new DaemonError('FileNotFound', `${path} not found in container ${containerId}`, { containerId, path, detail });

export const invalidParams = (field: string, detail: string) =>
  new DaemonError('InvalidParams', `invalid params: ${field} ${detail}`, { field, detail });

export const processLost = (execId: string, detail = 'no such exec (it never existed, expired, or did not survive a daemon restart)') =>
  new DaemonError('ProcessLost', `exec ${execId} is lost: ${detail}`, { execId, detail });

export const sessionClosed = (sessionId: string, reason: string) =>
  new DaemonError('SessionClosed', `session ${sessionId} is closed: ${reason}`, { sessionId, reason });
