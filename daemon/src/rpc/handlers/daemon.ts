/** daemon.* and rpc.* */
import { PROTOCOL_REVISION, VERSION, openRpcDocument } from '@pocketdock/protocol';
import type { HandlersFor, Services } from './types.js';

export const daemonHandlers = ({ engines, leases, whereabouts }: Services): HandlersFor<'daemon.hello' | 'daemon.version' | 'rpc.discover'> => ({
  'daemon.hello': (p, ctx) => ({
    daemon: 'pocketdockd', version: VERSION, protocol: PROTOCOL_REVISION, engineSocket: engines.defaultSocket, pid: process.pid,
    resumed: leases.hello(ctx.peer, p.resumeToken, p.client, ctx.notify !== undefined),
    leaseGraceSeconds: leases.graceMs / 1000,
    ...whereabouts,
  }),
  'daemon.version': () => ({ version: VERSION }),
  'rpc.discover': () => openRpcDocument() as { openrpc: string },
});
