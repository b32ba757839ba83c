/** daemon.* and rpc.* */
import { PROTOCOL_REVISION, VERSION, openRpcDocument } from '@pocketdock/protocol';
import type { HandlersFor, Services } from './types.js';

export const daemonHandlers = ({ engines, whereabouts }: Services): HandlersFor<'daemon.hello' | 'daemon.version' | 'rpc.discover'> => ({
  'daemon.hello': () => ({ daemon: 'pocketdockd', version: VERSION, protocol: PROTOCOL_REVISION, engineSocket: engines.defaultSocket, pid: process.pid, ...whereabouts }),
  'daemon.version': () => ({ version: VERSION }),
  'rpc.discover': () => openRpcDocument() as { openrpc: string },
});
