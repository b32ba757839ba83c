/** file.* */
import type { HandlersFor, Services } from './types.js';

type FileMethod = 'file.write' | 'file.list' | 'file.uploadStart' | 'file.downloadStart' | 'file.cancel';

export const fileHandlers = ({ files }: Services): HandlersFor<FileMethod> => ({
  'file.write': (p) => files.write(p),
  'file.list': (p) => files.list(p),
  'file.uploadStart': (p) => files.uploadStart(p),
  'file.downloadStart': (p) => files.downloadStart(p),
  'file.cancel': (p) => files.cancel(p),
});
