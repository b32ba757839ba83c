/** container.list/resume/stop/destroy/prune/reboot/snapshot, project.doctor, profile.* */
import { profileInfos, resolveProfileInfo } from '../../sandbox/index.js';
import type { HandlersFor, Services } from './types.js';

type LifecycleMethod = 'container.list' | 'container.resume' | 'container.stop' | 'container.destroy' | 'container.prune'
  | 'container.reboot' | 'container.snapshot' | 'project.doctor' | 'profile.list' | 'profile.resolve';

export const lifecycleHandlers = ({ lifecycle, engines }: Services): HandlersFor<LifecycleMethod> => ({
  'container.list': (p) => lifecycle.list(p),
  'container.resume': (p) => lifecycle.resume(p.container, p.socketPath),
  'container.stop': async (p) => { await lifecycle.stop(p.container, p.socketPath); return null; },
  'container.destroy': async (p) => { await lifecycle.destroy(p.container, p.socketPath); return null; },
  'container.prune': (p) => lifecycle.prune(p),
  'container.reboot': (p) => lifecycle.reboot(p.container, p.fresh ?? false, p.socketPath),
  'container.snapshot': (p) => lifecycle.snapshot(p.container, p.imageName, p.socketPath),
  'project.doctor': (p) => lifecycle.doctor(p.projectRoot, p.socketPath),
  'profile.list': () => profileInfos(engines.get()),
  'profile.resolve': (p) => resolveProfileInfo(engines.get(), p.name),
});
