/** file.* */
import type { HandlersFor, Services } from './types.js';

type FileMethod = 'file.write' | 'file.list' | 'file.uploadStart' | 'file.uploadChunk' | 'file.uploadEnd'
  | 'file.downloadStart' | 'file.downloadChunk' | 'file.cancel';

export const fileHandlers = ({ files }: Services): HandlersFor<FileMethod> => ({
  'file.write': (p) => files.write(p),
  'file.list': (p) => files.list(p),
  'file.uploadStart': (p, ctx) => files.uploadStart(p, ctx),
  'file.uploadChunk': (p) => files.uploadChunk(p),
  'file.uploadEnd': (p) => files.uploadEnd(p),
  'file.downloadStart': (p, ctx) => files.downloadStart(p, ctx),
  'file.downloadChunk': (p) => files.downloadChunk(p),
  'file.cancel': (p) => files.cancel(p),
});
