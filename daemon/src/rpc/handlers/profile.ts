/** profile.* */
import { profileInfos, resolveProfileInfo } from '../../images/index.js';
import type { HandlersFor, Services } from './types.js';

export const profileHandlers = ({ engines }: Services): HandlersFor<'profile.list' | 'profile.resolve'> => ({
  'profile.list': () => profileInfos(engines.get()),
  'profile.resolve': (p) => resolveProfileInfo(engines.get(), p.name),
});
