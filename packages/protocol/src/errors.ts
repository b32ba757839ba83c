/**
 * The one error table. Every error that crosses the wire has a JSON-RPC code here and, for
 * pocketdock's own errors, `data.type` naming the class and the fields that class carries.
 * The daemon throws by type; the client rebuilds the class from `data.type`.
 */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

export interface ErrorSpec {
  readonly code: number;
  /** The class this error extends on the client, or undefined for the root. */
  readonly parent: string | undefined;
  /** Fields carried in `data` next to `type`. */
  readonly fields: readonly string[];
  readonly doc: string;
}

const spec = <const F extends readonly string[]>(code: number, parent: string | undefined, fields: F, doc: string) =>
  ({ code, parent, fields, doc }) satisfies ErrorSpec;

export const ERRORS = {
  PocketDockError: spec(-32000, undefined, ['detail'], 'Any pocketdock failure not covered by a narrower class.'),
  ParseError: spec(RpcCode.ParseError, 'PocketDockError', ['detail'], 'The message is not valid JSON.'),
  InvalidRequest: spec(
    RpcCode.InvalidRequest,
    'PocketDockError',
    ['detail'],
    'The message is not a JSON-RPC request the daemon takes (shape, id, size, batch, limits).',
  ),
  MethodNotFound: spec(RpcCode.MethodNotFound, 'PocketDockError', ['method'], 'No such method (rpc.discover lists them).'),
  InternalError: spec(RpcCode.InternalError, 'PocketDockError', ['detail'], 'A fault inside the daemon; its log has the details.'),
  SocketError: spec(-32010, 'PocketDockError', [], 'The container engine could not be talked to.'),
  SocketConnectionError: spec(-32011, 'SocketError', ['socketPath', 'detail'], 'The engine socket refused the connection.'),
  SocketCommunicationError: spec(-32012, 'SocketError', ['detail'], 'The engine answered something unreadable or hung up.'),
  PodmanNotRunning: spec(-32013, 'SocketError', ['hint'], 'No container engine answers on any known socket.'),
  ContainerError: spec(-32020, 'PocketDockError', ['containerId', 'detail'], 'A container operation failed.'),
  ContainerNotFound: spec(-32021, 'ContainerError', ['containerId', 'detail'], 'No such container.'),
  ContainerNotRunning: spec(-32022, 'ContainerError', ['containerId', 'detail'], 'The container exists but is not running.'),
  ContainerGone: spec(
    -32023,
    'ContainerError',
    ['containerId', 'detail'],
    "The container existed and was removed behind pocketdock's back.",
  ),
  FileError: spec(
    -32025,
    'ContainerError',
    ['containerId', 'path', 'detail'],
    'A file operation failed on a path in the container (a directory read as a file, …).',
  ),
  FileNotFound: spec(-32026, 'FileError', ['containerId', 'path', 'detail'], 'No such file or directory in the container.'),
  ImageNotFound: spec(-32030, 'PocketDockError', ['image'], 'The image is not present in the engine.'),
  ImageBuildError: spec(
    -32031,
    'PocketDockError',
    ['image', 'detail'],
    "Building an image (or bootstrapping its base) failed; detail has the engine's or the build's own words.",
  ),
  SessionClosed: spec(-32040, 'PocketDockError', ['sessionId', 'reason'], 'The session was closed or its shell died.'),
  ProjectNotInitialized: spec(-32050, 'PocketDockError', ['path'], 'No .pocketdock/pocketdock.yaml above the given path.'),
  ProcessLost: spec(-32060, 'PocketDockError', ['execId', 'detail'], 'The exec is unknown or did not survive a daemon restart.'),
  Unauthorized: spec(-32070, 'PocketDockError', ['detail'], 'The caller may not do this (missing token, refused host option).'),
  OptionRefused: spec(
    -32071,
    'Unauthorized',
    ['detail', 'option', 'rule'],
    'An option the daemon refuses this caller (docs/security.md): `option` names it, `rule` the rule it broke.',
  ),
  LimitExceeded: spec(
    -32080,
    'PocketDockError',
    ['limit', 'detail'],
    'The caller holds as many execs, sessions, terminals or transfers as the config allows one client: `limit` names the config key.',
  ),
  InvalidParams: spec(RpcCode.InvalidParams, 'PocketDockError', ['field', 'detail'], 'A parameter is missing or malformed.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorType = keyof typeof ERRORS;

/** The fields an error of `type` carries in `data` beside `type`, as the table names them. */
export type ErrorFields<T extends ErrorType> = { readonly [K in (typeof ERRORS)[T]['fields'][number]]: string };

export function isErrorType(name: unknown): name is ErrorType {
  return typeof name === 'string' && Object.hasOwn(ERRORS, name);
}

/** The error type a code stands for when a peer sent no `data.type` (plain JSON-RPC errors). */
export function errorTypeForCode(code: number): ErrorType {
  for (const [type, s] of Object.entries(ERRORS)) if (s.code === code) return type as ErrorType;
  return 'PocketDockError';
}
