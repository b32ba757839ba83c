/** pool.* */
import type { HandlersFor, Services } from './types.js';

export const poolHandlers = ({ pool }: Services): HandlersFor<'pool.status'> => ({
  'pool.status': () => pool.status(),
});
