/** image.* */
import type { HandlersFor, Services } from './types.js';

type ImageMethod = 'image.build' | 'image.export' | 'image.importStart';

export const imageHandlers = ({ images, files, caps }: Services): HandlersFor<ImageMethod> => ({
  'image.build': (p, ctx) => images.build(p, ctx),
  'image.export': (p, ctx) =>
    caps.hold(
      ctx,
      'transfers',
      () => images.export(p),
      (r) => files.transfers.ended(r.downloadId),
    ),
  'image.importStart': (p, ctx) =>
    caps.hold(
      ctx,
      'transfers',
      async () => images.importStart(p),
      (r) => files.transfers.ended(r.uploadId),
    ),
});
