/** container.* */
import { callerOf } from '../context.js';
import type { HandlersFor, Services } from './types.js';

type ContainerMethod = 'container.create' | 'container.info' | 'container.run' | 'container.shutdown' | 'container.list'
  | 'container.resume' | 'container.stop' | 'container.destroy' | 'container.prune' | 'container.reboot' | 'container.snapshot';

export const containerHandlers = ({ containers, processes }: Services): HandlersFor<ContainerMethod> => ({
  'container.create': (p, ctx) => containers.create(p, callerOf(ctx)),
  'container.info': (p) => containers.info(p.container, p.socketPath),
  'container.run': (p) => processes.run(p),
  'container.shutdown': async (p) => { await containers.shutdown(p.container, p.force ?? false, p.socketPath); return null; },
  'container.list': (p) => containers.list(p),
  'container.resume': (p) => containers.resume(p.container, p.socketPath),
  'container.stop': async (p) => { await containers.stop(p.container, p.socketPath); return null; },
  'container.destroy': async (p) => { await containers.destroy(p.container, p.socketPath); return null; },
  'container.prune': (p) => containers.prune(p),
  'container.reboot': (p) => containers.reboot(p.container, p.fresh ?? false, p.socketPath),
  'container.snapshot': (p) => containers.snapshot(p.container, p.imageName, p.socketPath),
});
