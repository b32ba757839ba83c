/** project.* */
import { doctor } from '../../project/index.js';
import type { HandlersFor, Services } from './types.js';

export const projectHandlers = ({ engines, log }: Services): HandlersFor<'project.doctor'> => ({
  'project.doctor': (p) => doctor(engines, p.projectRoot, p.socketPath, log),
});
