/**
 * What an engine's failure means to a pocketdock caller: the one mapping from the engine's answer
 * (an HTTP status and message, or a socket error code) to a typed error of the table, with its
 * message. The daemon throws it for the engine calls it makes; a client that calls the engine
 * directly (file.uploadStart's and file.downloadStart's `direct`) raises the same for the same answer.
 */
import type { ErrorFields, ErrorType } from './errors.js';

/** A typed error as data: the daemon throws it as its DaemonError, a client as its error class. */
export type TypedError<T extends ErrorType = ErrorType> = T extends ErrorType
  ? { readonly type: T; readonly message: string; readonly fields: ErrorFields<T> }
  : never;

export const typedError = <T extends ErrorType>(type: T, message: string, fields: ErrorFields<T>): TypedError<T> =>
  ({ type, message, fields }) as TypedError<T>;

export const containerNotFoundError = (containerId: string, detail = 'no such container') =>
  typedError('ContainerNotFound', `container ${containerId} not found`, { containerId, detail });

export const containerNotRunningError = (containerId: string, detail = 'container is not running') =>
  typedError('ContainerNotRunning', `container ${containerId} is not running`, { containerId, detail });

export const fileErrorOf = (containerId: string, path: string, detail: string) =>
  typedError('FileError', `${path} in container ${containerId}: ${detail}`, { containerId, path, detail });

export const fileNotFoundError = (containerId: string, path: string, detail = 'no such file or directory') =>
  typedError('FileNotFound', `${path} not found in container ${containerId}`, { containerId, path, detail });

/** How a call to the engine failed: its HTTP answer (`statusCode`, the JSON body's `message`), or a socket `code`. */
export interface EngineFailure {
  statusCode?: number;
  json?: { message?: string } | null;
  code?: string;
  message?: string;
}

export interface FailureContext {
  socketPath: string;
  containerId?: string;
  image?: string;
  /** The container path an archive call was about: its failures are about that path, not the container. */
  path?: string;
}

export function engineMessage(err: unknown): string {
  const e = err as EngineFailure;
  return (e.json?.message ?? e.message ?? String(err)).trim();
}

/** Socket codes that mean the engine could not be connected to at all. */
export const UNREACHABLE_CODES: readonly string[] = ['ENOENT', 'ECONNREFUSED', 'EACCES'];

export function engineError(err: unknown, ctx: FailureContext): TypedError {
  const e = err as EngineFailure;
  const msg = engineMessage(err);
  if (e.code !== undefined && UNREACHABLE_CODES.includes(e.code)) {
    return typedError('SocketConnectionError', `cannot connect to the engine at ${ctx.socketPath}: ${e.code}`, {
      socketPath: ctx.socketPath,
      detail: msg,
    });
  }
  if (e.statusCode === undefined) return typedError('SocketCommunicationError', `engine communication failed: ${msg}`, { detail: msg });
  if (ctx.path !== undefined && ctx.containerId) {
    // Docker: "Could not find the file …"; Podman: "no such file or directory".
    if (e.statusCode === 404 && /could not find the file|no such file or directory/i.test(msg)) {
      return fileNotFoundError(ctx.containerId, ctx.path, msg);
    }
    if (e.statusCode === 400 || e.statusCode === 500) return fileErrorOf(ctx.containerId, ctx.path, msg);
  }
  if (e.statusCode === 404 && ctx.image && /image|manifest|pull access|repository/i.test(msg)) {
    return typedError('ImageNotFound', `image ${ctx.image} not found: build it or pull it first`, { image: ctx.image });
  }
  if (e.statusCode === 404 && ctx.containerId) return containerNotFoundError(ctx.containerId, msg);
  // Docker says 409 when asked; 500 when the container stops between the check and the exec's start.
  if ((e.statusCode === 409 || e.statusCode === 500) && ctx.containerId && /not running|is paused|is restarting/i.test(msg)) {
    return containerNotRunningError(ctx.containerId, msg);
  }
  return ctx.containerId
    ? typedError('ContainerError', `engine error: ${msg}`, { containerId: ctx.containerId, detail: msg })
    : typedError('PocketDockError', `engine error: ${msg}`, { detail: msg });
}
