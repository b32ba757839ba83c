/**
 * The error classes of the reference, rebuilt on the client from the wire's `data.type`, plus the
 * client's own (DaemonNotRunning, DaemonClosedError). The hierarchy mirrors the protocol's table.
 */
import { errorTypeForCode, isErrorType, type ErrorType } from '@pocketdock/protocol';

type WireData = Readonly<Record<string, unknown>>;
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

export class PocketDockError extends Error {
  /** The JSON-RPC error code, when the error came from the daemon. */
  code: number | undefined;
  /** Every field the daemon sent in `data`. */
  readonly data: WireData;
  readonly detail: string;
  constructor(message: string, data: WireData = {}) {
    super(message);
    this.name = new.target.name;
    this.data = data;
    this.detail = text(data.detail);
  }
}

export class ParseError extends PocketDockError {}
export class InvalidRequest extends PocketDockError {}
export class MethodNotFound extends PocketDockError {
  readonly method: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.method = text(data.method);
  }
}
export class InternalError extends PocketDockError {}
export class SocketError extends PocketDockError {}
export class SocketConnectionError extends SocketError {
  readonly socketPath: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.socketPath = text(data.socketPath);
  }
}
export class SocketCommunicationError extends SocketError {}
export class PodmanNotRunning extends SocketError {
  readonly hint: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.hint = text(data.hint);
  }
}
export class ContainerError extends PocketDockError {
  readonly containerId: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.containerId = text(data.containerId);
  }
}
export class ContainerNotFound extends ContainerError {}
export class ContainerNotRunning extends ContainerError {}
export class ContainerGone extends ContainerError {}
export class FileError extends ContainerError {
  readonly path: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.path = text(data.path);
  }
}
export class FileNotFound extends FileError {}
export class ImageNotFound extends PocketDockError {
  readonly image: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.image = text(data.image);
  }
}
export class ImageBuildError extends PocketDockError {
  readonly image: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.image = text(data.image);
  }
}
export class SessionClosed extends PocketDockError {
  readonly sessionId: string;
  readonly reason: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.sessionId = text(data.sessionId);
    this.reason = text(data.reason);
  }
}
export class ProjectNotInitialized extends PocketDockError {
  readonly path: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.path = text(data.path);
  }
}
export class ProcessLost extends PocketDockError {
  readonly execId: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.execId = text(data.execId);
  }
}
export class Unauthorized extends PocketDockError {}
/** An option the daemon never grants, or not to this caller (a TCP client asking for the host): see docs/security.md. */
export class OptionRefused extends Unauthorized {
  readonly option: string;
  readonly rule: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.option = text(data.option);
    this.rule = text(data.rule);
  }
}
/** The caller holds as many execs, sessions, terminals or transfers as one client may: `limit` names the config key. */
export class LimitExceeded extends PocketDockError {
  readonly limit: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.limit = text(data.limit);
  }
}
export class InvalidParams extends PocketDockError {
  readonly field: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.field = text(data.field);
  }
}

/** No daemon answers where the client looked (and it could not start one). */
export class DaemonNotRunning extends PocketDockError {
  readonly address: string;
  constructor(message: string, data: WireData = {}) {
    super(message, data);
    this.address = text(data.address);
  }
}
/** The connection to the daemon was lost; every call in flight is rejected with this. */
export class DaemonClosedError extends PocketDockError {}
/** A pulled tar holds a member that would land outside the destination (`..`, an absolute name, a path through a link). */
export class UnsafeArchive extends PocketDockError {
  constructor(
    message: string,
    readonly member: string,
  ) {
    super(message);
  }
}

type ErrorClass = new (message: string, data: WireData) => PocketDockError;

const CLASSES: Record<ErrorType, ErrorClass> = {
  PocketDockError,
  ParseError,
  InvalidRequest,
  MethodNotFound,
  InternalError,
  SocketError,
  SocketConnectionError,
  SocketCommunicationError,
  PodmanNotRunning,
  ContainerError,
  ContainerNotFound,
  ContainerNotRunning,
  ContainerGone,
  FileError,
  FileNotFound,
  ImageNotFound,
  ImageBuildError,
  SessionClosed,
  ProjectNotInitialized,
  ProcessLost,
  Unauthorized,
  OptionRefused,
  LimitExceeded,
  InvalidParams,
};

export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

/** Rebuilds the typed error from a JSON-RPC error object. */
export function errorFromWire(e: WireError): PocketDockError {
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const type = isErrorType(data.type) ? data.type : errorTypeForCode(e.code);
  const err = new CLASSES[type](e.message, data);
  err.code = e.code;
  return err;
}
