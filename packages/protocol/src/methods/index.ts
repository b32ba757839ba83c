/**
 * Every method of the protocol, declared once per concern and gathered here. The daemon validates
 * against these schemas; the client takes its types from them; `rpc.discover` publishes them.
 */
import type { Static } from '@sinclair/typebox';
import { CONTAINER_METHODS } from './container.js';
import { DAEMON_METHODS } from './daemon.js';
import { EXEC_METHODS } from './exec.js';
import { FILE_METHODS } from './file.js';
import { IMAGE_METHODS } from './image.js';
import { LIFECYCLE_METHODS } from './lifecycle.js';
import { SESSION_METHODS } from './session.js';
import { TERMINAL_METHODS } from './terminal.js';
import type { MethodSpec } from './spec.js';

export const METHODS = {
  ...DAEMON_METHODS,
  ...CONTAINER_METHODS,
  ...EXEC_METHODS,
  ...FILE_METHODS,
  ...IMAGE_METHODS,
  ...LIFECYCLE_METHODS,
  ...SESSION_METHODS,
  ...TERMINAL_METHODS,
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;
export type ParamsOf<M extends MethodName> = Static<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = Static<(typeof METHODS)[M]['result']>;

export * from './container.js';
export * from './exec.js';
export * from './file.js';
export * from './image.js';
export * from './spec.js';
export * from './lifecycle.js';
export * from './session.js';
export * from './terminal.js';
