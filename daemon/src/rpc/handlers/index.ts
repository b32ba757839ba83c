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
  return guard(services, {
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

/** The params by which a call may name what it acts on. */
interface Target {
  socketPath?: string;
  container?: string;
  execId?: string;
  sessionId?: string;
  terminalId?: string;
}
type AnyHandler = (params: Target | undefined, ctx: CallContext) => unknown;

/**
 * Every method, for a TCP caller: it may name only the engines the policy allows it, and act only on
 * sandboxes it could have made itself — the one it names, or the one its exec, session or terminal runs in.
 */
function guard({ containers, processes }: Services, handlers: Handlers): Handlers {
  const sandboxOf = async (p: Target | undefined): Promise<{ container: string; socketPath?: string } | undefined> => {
    if (p?.container !== undefined) return { container: p.container, ...(p.socketPath !== undefined && { socketPath: p.socketPath }) };
    const id = p?.execId ?? p?.sessionId ?? p?.terminalId;
    // An id the daemon does not know is the handler's to answer.
    const exec = id === undefined ? undefined : await processes.get(id).catch(() => undefined);
    return exec && { container: exec.containerId };
  };
  const entries = Object.entries(handlers as unknown as Record<string, AnyHandler>).map(([name, handler]): [string, AnyHandler] => [
    name,
    async (params, ctx) => {
      const caller = callerOf(ctx);
      containers.policy.checkEngine(params?.socketPath, caller);
      if (containers.policy.guardsSandboxes(caller)) {
        const sandbox = await sandboxOf(params);
        if (sandbox) await containers.checkReach(sandbox.container, sandbox.socketPath, caller);
      }
      return handler(params, ctx);
    },
  ]);
  return Object.fromEntries(entries) as unknown as Handlers;
}

export type { Handlers, HandlersFor, Services, Whereabouts } from './types.js';
