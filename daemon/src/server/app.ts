/**
 * The fastify app factory, mounted once per listener: `POST /rpc` answers one request or batch,
 * `GET /rpc` upgrades to a WebSocket carrying JSON-RPC both ways, and `/transfers/<id>` carries
 * the bytes of uploads and downloads (transfer-route.ts); on TCP, `/` serves the dashboard (dashboard.ts).
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { BINARY_SUBPROTOCOL, RESUME_TOKEN_HEADER, RESUME_TOKEN_PATTERN } from '@pocketdock/protocol';
import { LogController, fastify, fastifyWebsocket } from '../cjs.js';
import { DaemonError, invalidRequest, wireError } from '../errors.js';
import type { Limits } from '../config.js';
import type { Transfers } from '../files/transfers.js';
import type { Logger } from '../log.js';
import type { Peer } from '../pool/index.js';
import type { CallContext, NotifyQueue, PeerTracker, RpcRouter, Transport } from '../rpc/index.js';
import { refuseTcpRequest, type TcpGuard } from './auth.js';
import type { Connections } from './connections.js';
import { dashboardRoutes, isDashboardFile, type DashboardFiles } from './dashboard.js';
import { Outbox } from './outbox.js';
import { transferRoutes } from './transfer-route.js';

export interface AppOptions {
  transport: Transport;
  router: RpcRouter;
  transfers: Transfers;
  limits: Limits;
  peers: PeerTracker;
  /** Where every WebSocket is registered for daemon-wide notifications. */
  connections: Connections;
  log: Logger;
  /** Required for the TCP listener. */
  guard?: TcpGuard;
  /** The dashboard's files, served on the TCP listener. */
  dashboard?: DashboardFiles;
}

const noRouteSchemas = (): never => {
  throw new Error('pocketdockd routes take no fastify schema');
};

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: o.log.child({ transport: o.transport }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.limits.maxMessageBytes,
    // No route has a fastify schema (calls are validated against the protocol by rpc/validate.ts):
    // fastify's own compilers — a second ajv, ajv-formats, fast-json-stringify — are never loaded.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Only our subprotocol is accepted: ws would otherwise echo whatever a client offers first.
  const handleProtocols = (offered: Set<string>) => (offered.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : false);
  // A frame ws cannot read (bad opcode, over maxPayload, …) is closed by ws with its RFC code; one
  // warning line says so (the plugin's default logs a stack and cuts the closing handshake short).
  const errorHandler = (err: Error) => o.log.warn({ transport: o.transport, reason: err.message }, 'websocket closed: unreadable frame');
  // UTF-8 is checked here (ws would close without a reason).
  await app.register(fastifyWebsocket, {
    errorHandler,
    options: { maxPayload: o.limits.maxMessageBytes, handleProtocols, skipUTF8Validation: true },
  });

  if (o.guard) {
    const guard = o.guard;
    app.addHook('onRequest', async (req, reply) => {
      const [path, query] = req.url.split('?');
      const why = refuseTcpRequest(
        guard,
        req.headers,
        query,
        o.dashboard !== undefined && isDashboardFile(o.dashboard, req.method, req.url),
      );
      if (!why) return;
      // The path only: the query may hold a token.
      o.log.warn({ path, why }, 'refused TCP request');
      await reply.code(401).send(wireError(null, new DaemonError('Unauthorized', `unauthorized: ${why}`, { detail: why }), o.log));
    });
  }

  // What fastify refuses itself (a body over the limit, …) is answered in JSON-RPC's shape too, so
  // every client reads one kind of error.
  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? 500;
    const message = status === 413 ? `message larger than ${o.limits.maxMessageBytes} bytes` : err.message;
    await reply.code(status).send(wireError(null, status >= 500 ? err : invalidRequest(message), o.log));
  });

  const context = (
    connectionId: string,
    peer: Peer,
    log: Logger,
    signal: AbortSignal,
    notify: CallContext['notify'],
    queue?: NotifyQueue,
  ): CallContext => ({ connectionId, peer, transport: o.transport, log, notify, signal, ...(queue && { queue }) });
  const tokenPattern = new RegExp(RESUME_TOKEN_PATTERN);

  app.post('/rpc', async (req, reply) => {
    const abort = new AbortController();
    // The request emitted its own 'close' once its body was read; only the response's tells that
    // the caller went away before its answer (an abandoned exec.wait must not stay pending).
    const gone = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', gone);
    const token = req.headers[RESUME_TOKEN_HEADER];
    const badToken = token !== undefined && (typeof token !== 'string' || !tokenPattern.test(token));
    // A POST client holds its leases by calling with its token: every call renews them.
    const peer: Peer = { token: badToken ? undefined : (token as string | undefined), client: 'http' };
    o.peers.called(peer);
    const out = await o.router.receive(
      String(req.body ?? ''),
      context(randomUUID(), peer, o.log, abort.signal, undefined),
      badToken ? `header ${RESUME_TOKEN_HEADER} must be 16 to 128 of A-Z a-z 0-9 _ -` : undefined,
    );
    o.peers.called(peer);
    reply.raw.off('close', gone);
    if (abort.signal.aborted) {
      o.log.info({ transport: o.transport }, 'call cancelled: its HTTP caller went away');
      return reply;
    }
    return reply
      .code(out === undefined ? 204 : 200)
      .type('application/json')
      .send(out ?? '');
  });

  app.get('/rpc', { websocket: true }, (socket) => {
    const abort = new AbortController();
    // Every subscription and waiting call of the connection listens to it: 20 streams on one
    // connection are no leak, and must not print Node's MaxListenersExceededWarning.
    setMaxListeners(0, abort.signal);
    const outbox = new Outbox(socket, socket.protocol === BINARY_SUBPROTOCOL);
    const notify: CallContext['notify'] = (method, params, payload) => outbox.notify(method, params, payload);
    // Until daemon.hello names a resume token, what the connection creates is leased to it alone.
    const connectionId = randomUUID();
    const peer: Peer = { token: `anon-${connectionId}`, client: 'anonymous' };
    o.peers.connected(peer);
    const unregister = o.connections.add(outbox);
    const ctx = context(connectionId, peer, o.log.child({ transport: o.transport }), abort.signal, notify, outbox);
    let pending = 0;
    socket.on('message', (data: Buffer, binary: boolean) => {
      if (!binary && !isUtf8(data)) {
        ctx.log.warn({ transport: o.transport }, 'websocket closed: a text frame that is not UTF-8');
        socket.close(1007, 'a text frame must be UTF-8');
        return;
      }
      const refusal = pending >= o.limits.maxPending ? `too many requests in flight (limit ${o.limits.maxPending})` : undefined;
      if (refusal === undefined) pending++;
      o.router
        .receive(data.toString('utf8'), ctx, refusal)
        .then(
          (out) => {
            if (out !== undefined && socket.readyState === socket.OPEN) socket.send(out);
          },
          (err: unknown) => ctx.log.error({ err }, 'rpc dispatch failed'),
        )
        .finally(() => {
          if (refusal === undefined) pending--;
        });
    });
    socket.once('close', () => {
      unregister();
      abort.abort();
      o.peers.disconnected(peer);
    });
  });

  await transferRoutes(app, o.transfers, o.log);
  if (o.guard && o.dashboard) dashboardRoutes(app, o.dashboard, o.guard, o.log);
  return app;
}
