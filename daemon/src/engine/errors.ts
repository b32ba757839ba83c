/** Turns what dockerode throws into the protocol's typed errors. */
import { DaemonError, containerNotFound, containerNotRunning, fileError, fileNotFound } from '../errors.js';

interface EngineFailure {
  statusCode?: number;
  json?: { message?: string } | null;
  code?: string;
  message?: string;
}

export function engineMessage(err: unknown): string {
  const e = err as EngineFailure;
  return (e.json?.message ?? e.message ?? String(err)).trim();
}

export interface FailureContext {
  socketPath: string;
  containerId?: string;
  image?: string;
  /** The container path an archive call was about: its failures are about that path, not the container. */
  path?: string;
}

export function mapEngineError(err: unknown, ctx: FailureContext): Error {
  if (err instanceof DaemonError) return err;
  const e = err as EngineFailure;
  const msg = engineMessage(err);
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
    return new DaemonError('SocketConnectionError', `cannot connect to the engine at ${ctx.socketPath}: ${e.code}`, {
      socketPath: ctx.socketPath,
      detail: msg,
    });
  }
  if (e.statusCode === undefined) {
    return new DaemonError('SocketCommunicationError', `engine communication failed: ${msg}`, { detail: msg });
  }
  if (ctx.path !== undefined && ctx.containerId) {
    if (e.statusCode === 404 && /could not find the file/i.test(msg)) return fileNotFound(ctx.containerId, ctx.path, msg);
    if (e.statusCode === 400 || e.statusCode === 500) return fileError(ctx.containerId, ctx.path, msg);
  }
  if (e.statusCode === 404 && ctx.image && /image|manifest|pull access|repository/i.test(msg)) {
    return new DaemonError('ImageNotFound', `image ${ctx.image} not found: build it or pull it first`, { image: ctx.image });
  }
  if (e.statusCode === 404 && ctx.containerId) return containerNotFound(ctx.containerId, msg);
  // Docker says 409 when asked; 500 when the container stops between the check and the exec's start.
  if ((e.statusCode === 409 || e.statusCode === 500) && ctx.containerId && /not running|is paused|is restarting/i.test(msg)) {
    return containerNotRunning(ctx.containerId, msg);
  }
  return ctx.containerId
    ? new DaemonError('ContainerError', `engine error: ${msg}`, { containerId: ctx.containerId, detail: msg })
    : new DaemonError('PocketDockError', `engine error: ${msg}`, { detail: msg });
}
