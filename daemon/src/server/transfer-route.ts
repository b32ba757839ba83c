/**
 * The bulk data channel (the protocol's TRANSFER_ROUTE), as the engine's own archive API works:
 * `PUT /transfers/<id>` streams the request body into an upload and answers its result as JSON;
 * `GET /transfers/<id>` streams a download out as the response body. One HTTP body each way,
 * Node streams end to end with their backpressure: no per-chunk calls, no base64, no JSON around
 * the bytes. `POST /transfers/<id>` runs a local transfer (the daemon moves the bytes between the
 * engine and a host file itself) and answers its progress and outcome as JSON lines. The listener's
 * own guard (onRequest) has already let the caller in.
 */
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TRANSFER_ROUTE } from '@pocketdock/protocol';
import { DaemonError, wireError } from '../errors.js';
import type { Transfers } from '../files/transfers.js';
import type { Logger } from '../log.js';

/** Bytes between two progress lines of a local transfer. */
const PROGRESS_STEP = 1024 * 1024;

interface Params {
  id: string;
}

export async function transferRoutes(app: FastifyInstance, transfers: Transfers, log: Logger): Promise<void> {
  await app.register(async (scope) => {
    // The body is the upload itself: left unread here, for the transfer to stream.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _body, done) => done(null));
    scope.setErrorHandler((err, _req, reply) => answerError(reply, err, log));

    scope.put<{ Params: Params }>(`${TRANSFER_ROUTE}:id`, async (req, reply) => {
      const upload = transfers.claimUpload(req.params.id);
      try {
        const result = await upload.receive(req.raw);
        return reply.type('application/json').send(JSON.stringify(result));
      } catch (err) {
        // The rest of the body is left unread: the connection must not carry a next request after it.
        if (!req.raw.readableEnded) void reply.header('connection', 'close');
        throw err;
      } finally {
        transfers.finish(req.params.id);
      }
    });

    scope.get<{ Params: Params }>(`${TRANSFER_ROUTE}:id`, async (req, reply) => {
      const download = transfers.claimDownload(req.params.id);
      const res = reply.hijack().raw;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        ...(download.size !== undefined && { 'content-length': download.size }),
      });
      try {
        await pipeline(download.chunks, res);
      } catch (err) {
        // Past the headers an error can only break the body off short, which the caller sees.
        log.warn({ err, transferId: req.params.id }, 'download broke off');
        res.destroy();
      } finally {
        download.close();
        transfers.finish(req.params.id);
      }
    });

    scope.post<{ Params: Params }>(`${TRANSFER_ROUTE}:id`, async (req, reply) => {
      const local = transfers.claimLocal(req.params.id);
      const res = reply.hijack().raw;
      const stop = new AbortController();
      res.once('close', () => stop.abort());
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let told = 0;
      const progress = (bytes: number) => {
        // A line now and then, not one per chunk: the caller's callback wants news, not every read.
        if (bytes - told < PROGRESS_STEP) return;
        told = bytes;
        res.write(`{"bytes":${bytes}}\n`);
      };
      try {
        const result = await local.run(progress, stop.signal);
        res.end(`${JSON.stringify({ result })}\n`);
      } catch (err) {
        // A caller that went away gets no answer, and its going is no fault of the daemon's.
        if (stop.signal.aborted) log.info({ transferId: req.params.id }, 'local transfer broken off by its caller');
        else res.end(`${JSON.stringify(wireError(null, err, log))}\n`);
      } finally {
        local.close();
        transfers.finish(req.params.id);
      }
    });
  });
}

function answerError(reply: FastifyReply, err: unknown, log: Logger): FastifyReply {
  const body = wireError(null, err, log);
  const status = !(err instanceof DaemonError) ? 500 : err.type === 'InvalidParams' && err.fields.field === 'transferId' ? 404 : 400;
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}
