/** file.* */
import { callerOf } from '../context.js';
import type { HandlersFor, Services } from './types.js';

type FileMethod = 'file.write' | 'file.list' | 'file.uploadStart' | 'file.downloadStart' | 'file.cancel';

export const fileHandlers = ({ files, caps }: Services): HandlersFor<FileMethod> => ({
  'file.write': (p) => files.write(p),
  'file.list': (p) => files.list(p),
  'file.uploadStart': (p, ctx) =>
    caps.hold(
      ctx,
      'transfers',
      () => files.uploadStart(p, callerOf(ctx)),
      (r) => files.transfers.ended(r.uploadId),
    ),
  'file.downloadStart': (p, ctx) =>
    caps.hold(
      ctx,
      'transfers',
      () => files.downloadStart(p, callerOf(ctx)),
      (r) => files.transfers.ended(r.downloadId),
    ),
  'file.cancel': (p) => files.cancel(p),
});
