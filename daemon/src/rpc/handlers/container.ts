/** container.* */
import { invalidParams } from '../../errors.js';
import type { Watcher } from '../../container/index.js';
import { callerOf, type CallContext } from '../context.js';
import type { HandlersFor, Services } from './types.js';

type ContainerMethod =
  | 'container.create'
  | 'container.info'
  | 'container.run'
  | 'container.shutdown'
  | 'container.list'
  | 'container.watch'
  | 'container.unwatch'
  | 'container.watchStats'
  | 'container.unwatchStats'
  | 'container.resume'
  | 'container.stop'
  | 'container.destroy'
  | 'container.prune'
  | 'container.reboot'
  | 'container.snapshot'
  | 'container.get'
  | 'container.release'
  | 'container.adopt';

export const containerHandlers = ({ containers, processes, leases, pool, watch, stats, caps }: Services): HandlersFor<ContainerMethod> => ({
  'container.create': (p, ctx) =>
    leases.create(p.lease === false ? { ...ctx.peer, token: undefined } : ctx.peer, () => pool.create(p, callerOf(ctx))),
  'container.info': async (p) => {
    const info = await containers.info(p.container, p.socketPath);
    return { ...info, ...(await processes.via(info.id, p.socketPath)) };
  },
  // The slot is the run's own: it ends with the call.
  'container.run': (p, ctx) =>
    caps.hold(
      ctx,
      'execs',
      () => processes.run(p, { closed: ctx.signal, graceMs: leases.graceMs }),
      () => Promise.resolve(),
    ),
  'container.shutdown': async (p) => {
    const { containerId } = await containers.shutdown(p.container, p.force ?? false, p.socketPath);
    processes.containerStopped(containerId);
    await leases.forget(containerId);
    return null;
  },
  'container.list': async (p) => (await containers.list(p)).map((c) => ({ ...c, lease: leases.leaseOf(c.id) })),
  'container.watch': (p, ctx) => {
    watch.watch(ctx.connectionId, watcherOf(ctx), p.socketPath);
    return null;
  },
  'container.unwatch': (p, ctx) => {
    watch.unwatch(ctx.connectionId, p.socketPath);
    return null;
  },
  'container.watchStats': async (p, ctx) => {
    await stats.watch(ctx.connectionId, watcherOf(ctx), p.container, p.socketPath);
    return null;
  },
  'container.unwatchStats': (p, ctx) => {
    stats.unwatch(ctx.connectionId, p.container);
    return null;
  },
  'container.resume': (p) => containers.resume(p.container, p.socketPath),
  'container.stop': async (p) => {
    processes.containerStopped((await containers.stop(p.container, p.socketPath)).containerId);
    return null;
  },
  'container.destroy': async (p) => {
    const { containerId } = await containers.destroy(p.container, p.socketPath);
    await leases.forget(containerId);
    return null;
  },
  'container.prune': (p) => containers.prune(p),
  'container.reboot': async (p) => {
    const { handle, previousId } = await containers.reboot(p.container, p.fresh ?? false, p.socketPath);
    processes.containerStopped(previousId);
    await leases.renew(previousId, handle);
    return handle;
  },
  'container.snapshot': (p) => containers.snapshot(p.container, p.imageName, p.socketPath),
  'container.get': async (p) => (await containers.resolve(p.container, p.socketPath)).handle,
  'container.release': async (p) => {
    await leases.release((await containers.resolve(p.container, p.socketPath)).handle);
    return null;
  },
  'container.adopt': async (p, ctx) => {
    const { handle } = await containers.resolve(p.container, p.socketPath);
    await leases.adopt(ctx.peer, handle);
    return handle;
  },
});

/** The caller as a watcher: only a WebSocket connection can be notified. */
function watcherOf(ctx: CallContext): Watcher {
  if (!ctx.notify) throw invalidParams('socketPath', 'needs a WebSocket connection (GET /rpc): plain HTTP callers cannot be notified');
  return { notify: ctx.notify, closed: ctx.signal };
}
