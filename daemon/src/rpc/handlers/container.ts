/** container.* */
import { invalidParams } from '../../errors.js';
import { callerOf } from '../context.js';
import type { HandlersFor, Services } from './types.js';

type ContainerMethod = 'container.create' | 'container.info' | 'container.run' | 'container.shutdown' | 'container.list'
  | 'container.watch' | 'container.unwatch' | 'container.resume' | 'container.stop' | 'container.destroy' | 'container.prune' | 'container.reboot' | 'container.snapshot';

export const containerHandlers = ({ containers, processes, watch }: Services): HandlersFor<ContainerMethod> => ({
  'container.create': (p, ctx) => containers.create(p, callerOf(ctx)),
  'container.info': (p) => containers.info(p.container, p.socketPath),
  'container.run': (p) => processes.run(p),
  'container.shutdown': async (p) => { await containers.shutdown(p.container, p.force ?? false, p.socketPath); return null; },
  'container.list': (p) => containers.list(p),
  'container.watch': (p, ctx) => {
    if (!ctx.notify) throw invalidParams('socketPath', 'needs a WebSocket connection (GET /rpc): plain HTTP callers cannot be notified');
    watch.watch(ctx.connectionId, { notify: ctx.notify, closed: ctx.signal }, p.socketPath);
    return null;
  },
  'container.unwatch': (p, ctx) => { watch.unwatch(ctx.connectionId, p.socketPath); return null; },
  'container.resume': (p) => containers.resume(p.container, p.socketPath),
  'container.stop': async (p) => { await containers.stop(p.container, p.socketPath); return null; },
  'container.destroy': async (p) => { await containers.destroy(p.container, p.socketPath); return null; },
  'container.prune': (p) => containers.prune(p),
  'container.reboot': (p) => containers.reboot(p.container, p.fresh ?? false, p.socketPath),
  'container.snapshot': (p) => containers.snapshot(p.container, p.imageName, p.socketPath),
});
