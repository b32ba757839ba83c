/** file.* */
import type { HandlersFor, Services } from './types.js';

type FileMethod = 'file.write' | 'file.list' | 'file.uploadStart' | 'file.uploadChunk' | 'file.uploadEnd'
  | 'file.downloadStart' | 'file.downloadChunk' | 'file.cancel';

export const fileHandlers = ({ files }: Services): HandlersFor<FileMethod> => ({
  'file.write': (p, ctx) => files.write(p, ctx),
  'file.list': (p) => files.list(p),
  'file.uploadStart': (p, ctx) => files.uploadStart(p, ctx),
  'file.uploadChunk': (p, ctx) => files.uploadChunk(p, ctx),
  'file.uploadEnd': (p) => files.uploadEnd(p),
  'file.downloadStart': (p, ctx) => files.downloadStart(p, ctx),
  'file.downloadChunk': (p, ctx) => files.downloadChunk(p, ctx),
  'file.cancel': (p) => files.cancel(p),
});
