/**
 * The daemon's typed error: what a handler throws, with the fields the protocol's table names for
 * its type, and `wireError`, the one place every error response is built (router, listeners,
 * transfer route).
 */
import type { JSONRPCErrorResponse, JSONRPCID } from 'json-rpc-2.0';
import {
  ERRORS,
  containerNotFoundError,
  containerNotRunningError,
  fileErrorOf,
  fileNotFoundError,
  type ErrorFields,
  type ErrorType,
  type TypedError,
} from '@pocketdock/protocol';
import { createJSONRPCErrorResponse } from './cjs.js';
import type { Logger } from './log.js';

export class DaemonError<T extends ErrorType = ErrorType> extends Error {
  readonly code: number;
  readonly fields: Readonly<Record<string, string>>;
  constructor(
    readonly type: T,
    message: string,
    fields: ErrorFields<T>,
  ) {
    super(message);
    this.name = type;
    this.code = ERRORS[type].code;
    this.fields = fields;
  }

  static of(e: TypedError): DaemonError {
    return new DaemonError(e.type, e.message, e.fields as never);
  }

  get data(): Record<string, unknown> {
    return { type: this.type, ...this.fields };
  }
}

/** The engine could not be reached (SocketConnectionError, SocketCommunicationError): nothing was learnt about the container. */
export const engineAway = (err: unknown): err is DaemonError => err instanceof DaemonError && err.type.startsWith('Socket');

/** The JSON-RPC error response for `err`: its own type and fields, or InternalError (logged) for anything else. */

export function wireError(id: JSONRPCID, err: unknown, log: Logger): JSONRPCErrorResponse {
  if (err instanceof DaemonError) return createJSONRPCErrorResponse(id, err.code, err.message, err.data);
  log.error({ err }, 'internal error');
  const detail = err instanceof Error ? err.message : String(err);
  return wireError(id, new DaemonError('InternalError', `internal error: ${detail}`, { detail }), log);
}

export const invalidRequest = (detail: string) => new DaemonError('InvalidRequest', `invalid request: ${detail}`, { detail });

export const containerNotFound = (containerId: string, detail?: string) => DaemonError.of(containerNotFoundError(containerId, detail));

export const containerNotRunning = (containerId: string, detail?: string) => DaemonError.of(containerNotRunningError(containerId, detail));

export const containerGone = (containerId: string, detail = 'container was removed outside pocketdock') =>
  new DaemonError('ContainerGone', `container ${containerId} is gone: ${detail}`, { containerId, detail });

export const fileError = (containerId: string, path: string, detail: string) => DaemonError.of(fileErrorOf(containerId, path, detail));

export const fileNotFound = (containerId: string, path: string, detail?: string) =>
  DaemonError.of(fileNotFoundError(containerId, path, detail));

export const invalidParams = (field: string, detail: string) =>
  new DaemonError('InvalidParams', `invalid params: ${field} ${detail}`, { field, detail });

export const processLost = (
  execId: string,
  detail = 'no such exec (it never existed, expired, went with its removed container, or did not survive a daemon restart)',
) => new DaemonError('ProcessLost', `exec ${execId} is lost: ${detail}`, { execId, detail });

export const sessionClosed = (sessionId: string, reason: string) =>
  new DaemonError('SessionClosed', `session ${sessionId} is closed: ${reason}`, { sessionId, reason });

export const optionRefused = (option: string, rule: string, detail: string) =>
  new DaemonError('OptionRefused', `${option} refused (${rule}): ${detail}`, { option, rule, detail });

export const limitExceeded = (limit: string, detail: string) =>
  new DaemonError('LimitExceeded', `limit ${limit} reached: ${detail}`, { limit, detail });
