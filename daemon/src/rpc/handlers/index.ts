/** Every method's handler, gathered from one file per concern. */
import { containerHandlers } from './container.js';
import { daemonHandlers } from './daemon.js';
import { execHandlers } from './exec.js';
import { fileHandlers } from './file.js';
import { imageHandlers } from './image.js';
import { poolHandlers } from './pool.js';
import { profileHandlers } from './profile.js';
import { projectHandlers } from './project.js';
import { sessionHandlers } from './session.js';
import { terminalHandlers } from './terminal.js';
import { callerOf, type CallContext } from '../context.js';
import type { Handlers, Services } from './types.js';

export function createHandlers(services: Services): Handlers {
  return guardEngines(services, {
    ...daemonHandlers(services),
    ...containerHandlers(services),
    ...execHandlers(services),
    ...fileHandlers(services),
    ...imageHandlers(services),
    ...poolHandlers(services),
    ...profileHandlers(services),
    ...projectHandlers(services),
    ...sessionHandlers(services),
    ...terminalHandlers(services),
  });
}

type AnyHandler = (params: { socketPath?: string } | undefined, ctx: CallContext) => unknown;

/** Every method that takes socketPath: a TCP caller may name only the engines the policy allows it. */
function guardEngines({ containers }: Services, handlers: Handlers): Handlers {
  const entries = Object.entries(handlers as unknown as Record<string, AnyHandler>).map(([name, handler]): [string, AnyHandler] => [
    name,
    (params, ctx) => {
      containers.policy.checkEngine(params?.socketPath, callerOf(ctx));
      return handler(params, ctx);
    },
  ]);
  return Object.fromEntries(entries) as unknown as Handlers;
}

export type { Handlers, HandlersFor, Services, Whereabouts } from './types.js';
