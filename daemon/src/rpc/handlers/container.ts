/** container.* */
import type { HandlersFor, Services } from './types.js';

export const containerHandlers = ({ sandboxes }: Services): HandlersFor<'container.create' | 'container.info' | 'container.shutdown'> => ({
  'container.create': (p) => sandboxes.create(p),
  'container.info': (p) => sandboxes.info(p.container, p.socketPath),
  'container.shutdown': async (p) => { await sandboxes.shutdown(p.container, p.force ?? false, p.socketPath); return null; },
});
