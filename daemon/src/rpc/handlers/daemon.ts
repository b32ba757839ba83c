/** daemon.* and rpc.* */
import { randomUUID } from 'node:crypto';
import { PROTOCOL_REVISION, VERSION, openRpcDocument } from '@pocketdock/protocol';
import { pingSocket } from '../../engine/index.js';
import type { HandlersFor, Services } from './types.js';

/** One per daemon process: a client that reconnects tells a restarted daemon by it. */
const INSTANCE = randomUUID();

export const daemonHandlers = ({
  engines,
  containers,
  leases,
  whereabouts,
}: Services): HandlersFor<'daemon.hello' | 'daemon.status' | 'daemon.version' | 'rpc.discover'> => ({
  'daemon.hello': (p, ctx) => ({
    daemon: 'pocketdockd',
    version: VERSION,
    protocol: PROTOCOL_REVISION,
    engineSocket: engines.defaultSocket,
    pid: process.pid,
    instance: INSTANCE,
    resumed: leases.hello(ctx.peer, p.resumeToken, p.client, ctx.notify !== undefined),
    leaseGraceSeconds: leases.graceMs / 1000,
    port: whereabouts.port,
    stateDir: whereabouts.stateDir,
    maxMessageBytes: whereabouts.maxMessageBytes,
  }),
  'daemon.status': async () => {
    const known = await Promise.all(
      engines.known().map(async (e) => ({
        socketPath: e.socketPath,
        default: e.socketPath === engines.defaultSocket,
        answers: await pingSocket(e.socketPath),
      })),
    );
    const lists = await Promise.all(known.filter((e) => e.answers).map((e) => containers.list({ socketPath: e.socketPath })));
    const running = lists.flat().filter((c) => c.status === 'running').length;
    return {
      version: VERSION,
      pid: process.pid,
      startedAt: whereabouts.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - whereabouts.startedAt.getTime()) / 1000),
      socket: whereabouts.socket,
      port: whereabouts.port,
      engines: known,
      containers: { running, stopped: lists.flat().length - running },
    };
  },
  'daemon.version': () => ({ version: VERSION }),
  'rpc.discover': () => openRpcDocument() as { openrpc: string },
});
