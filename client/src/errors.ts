/**
 * The error classes of the reference, rebuilt on the client from the wire's `data.type`, plus the
 * client's own (DaemonNotRunning, DaemonClosedError). The hierarchy mirrors the protocol's table.
 */
import { ERRORS, errorTypeForCode, isErrorType, type ErrorType } from '@pocketdock/protocol';

export class PocketDockError extends Error {
  /** The JSON-RPC error code, when the error came from the daemon. */
  code: number | undefined;
  /** Every field the daemon sent in `data`. */
  data: Record<string, unknown> = {};
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class SocketError extends PocketDockError {}
export class SocketConnectionError extends SocketError { socketPath = ''; detail = ''; }
export class SocketCommunicationError extends SocketError { detail = ''; }
export class PodmanNotRunning extends SocketError { hint = ''; }
export class ContainerError extends PocketDockError { containerId = ''; detail = ''; }
export class ContainerNotFound extends ContainerError {}
export class ContainerNotRunning extends ContainerError {}
export class ContainerGone extends ContainerError {}
export class FileError extends ContainerError { path = ''; }
export class FileNotFound extends FileError {}
export class ImageNotFound extends PocketDockError { image = ''; }
export class SessionClosed extends PocketDockError { sessionId = ''; reason = ''; }
export class ProjectNotInitialized extends PocketDockError { path = ''; }
export class ProcessLost extends PocketDockError { execId = ''; detail = ''; }
export class Unauthorized extends PocketDockError { detail = ''; }
export class InvalidParams extends PocketDockError { field = ''; detail = ''; }

/** No daemon answers where the client looked (and it could not start one). */
export class DaemonNotRunning extends PocketDockError { address = ''; }
/** The connection to the daemon was lost; every call in flight is rejected with this. */
export class DaemonClosedError extends PocketDockError {}
/** A pulled tar holds a member that would land outside the destination (`..`, an absolute name, a path through a link). */
export class UnsafeArchive extends PocketDockError {
  constructor(message: string, readonly member: string) {
    super(message);
  }
}

type ErrorClass = new (message: string) => PocketDockError;

const CLASSES: Record<ErrorType, ErrorClass> = {
  PocketDockError, SocketError, SocketConnectionError, SocketCommunicationError, PodmanNotRunning,
  ContainerError, ContainerNotFound, ContainerNotRunning, ContainerGone, FileError, FileNotFound, ImageNotFound, SessionClosed,
  ProjectNotInitialized, ProcessLost, Unauthorized, InvalidParams,
};

export interface WireError { code: number; message: string; data?: unknown }

/** Rebuilds the typed error from a JSON-RPC error object. */
export function errorFromWire(e: WireError): PocketDockError {
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const type = isErrorType(data.type) ? data.type : errorTypeForCode(e.code);
  const err = new CLASSES[type](e.message);
  err.code = e.code;
  err.data = data;
  for (const field of ERRORS[type].fields) if (field in data) (err as unknown as Record<string, unknown>)[field] = data[field];
  return err;
}
