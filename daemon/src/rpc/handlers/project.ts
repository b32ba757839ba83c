/** project.* */
import { doctor } from '../../project/index.js';
import { callerOf } from '../context.js';
import type { HandlersFor, Services } from './types.js';

export const projectHandlers = ({ engines, containers, log }: Services): HandlersFor<'project.doctor'> => ({
  'project.doctor': (p, ctx) => {
    containers.policy.checkHostPath('projectRoot', p.projectRoot, callerOf(ctx));
    return doctor(engines, p.projectRoot, p.socketPath, log);
  },
});
