/** image.* */
import type { HandlersFor, Services } from './types.js';

type ImageMethod = 'image.build' | 'image.export' | 'image.importStart';

export const imageHandlers = ({ images }: Services): HandlersFor<ImageMethod> => ({
  'image.build': (p, ctx) => images.build(p, ctx),
  'image.export': (p) => images.export(p),
  'image.importStart': (p) => images.importStart(p),
});
