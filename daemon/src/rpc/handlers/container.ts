/** container.* */
import type { HandlersFor, Services } from './types.js';

export const containerHandlers = ({ sandboxes }: Services): HandlersFor<'container.create' | 'container.info' | 'container.run' | 'container.shutdown'> => ({
  'container.create': (p) => sandboxes.create(p),
  'container.info': (p) => sandboxes.info(p.container),
  'container.run': (p) => sandboxes.run(p.container, p.command, p),
  'container.shutdown': async (p) => { await sandboxes.shutdown(p.container, p.force ?? false); return null; },
});
