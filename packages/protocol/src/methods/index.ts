/**
 * Every method and notification of the protocol, declared once per noun (one file each, named like
 * the daemon's folder, its handlers and the client's file) and gathered here. The daemon validates
 * against these schemas; the clients take their types from them; `rpc.discover` publishes them.
 */
import type { Static } from '@sinclair/typebox';
import { CONTAINER_METHODS, CONTAINER_NOTIFICATIONS } from './container.js';
import { DAEMON_METHODS, DAEMON_NOTIFICATIONS } from './daemon.js';
import { EXEC_METHODS, EXEC_NOTIFICATIONS } from './exec.js';
import { FILE_METHODS } from './file.js';
import { IMAGE_METHODS, IMAGE_NOTIFICATIONS } from './image.js';
import { POOL_METHODS } from './pool.js';
import { PROFILE_METHODS } from './profile.js';
import { PROJECT_METHODS } from './project.js';
import { SESSION_METHODS } from './session.js';
import { TERMINAL_METHODS } from './terminal.js';
import type { MethodSpec, NotificationSpec } from './spec.js';

export const METHODS = {
  ...DAEMON_METHODS,
  ...CONTAINER_METHODS,
  ...EXEC_METHODS,
  ...FILE_METHODS,
  ...IMAGE_METHODS,
  ...POOL_METHODS,
  ...PROFILE_METHODS,
  ...PROJECT_METHODS,
  ...SESSION_METHODS,
  ...TERMINAL_METHODS,
} as const satisfies Record<string, MethodSpec>;

export const NOTIFICATIONS = {
  ...DAEMON_NOTIFICATIONS,
  ...CONTAINER_NOTIFICATIONS,
  ...EXEC_NOTIFICATIONS,
  ...IMAGE_NOTIFICATIONS,
} as const satisfies Record<string, NotificationSpec>;

export type MethodName = keyof typeof METHODS;
export type ParamsOf<M extends MethodName> = Static<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = Static<(typeof METHODS)[M]['result']>;

export type NotificationName = keyof typeof NOTIFICATIONS;
export type NotificationParams<N extends NotificationName> = Static<(typeof NOTIFICATIONS)[N]['params']>;
/**
 * How the daemon hands a notification to a connection: its params, except `data` when it has one,
 * which travels as `payload` (its UTF-8 bytes: raw in a binary frame, or decoded into the JSON text).
 */
export type SendNotification = <N extends NotificationName>(
  method: N,
  params: Omit<NotificationParams<N>, 'data'>,
  payload?: Uint8Array,
) => void;

export * from './container.js';
export * from './daemon.js';
export * from './exec.js';
export * from './file.js';
export * from './image.js';
export * from './pool.js';
export * from './profile.js';
export * from './project.js';
export * from './session.js';
export * from './spec.js';
export * from './terminal.js';
