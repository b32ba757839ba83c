/** image.* */
import type { HandlersFor, Services } from './types.js';

type ImageMethod = 'image.build' | 'image.export' | 'image.importStart' | 'image.importChunk' | 'image.importEnd';

export const imageHandlers = ({ images }: Services): HandlersFor<ImageMethod> => ({
  'image.build': (p, ctx) => images.build(p, ctx),
  'image.export': (p, ctx) => images.export(p, ctx),
  'image.importStart': (p, ctx) => images.importStart(p, ctx),
  'image.importChunk': (p, ctx) => images.importChunk(p, ctx),
  'image.importEnd': (p) => images.importEnd(p),
});
