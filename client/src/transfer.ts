/**
 * Moving bytes through the daemon's transfer channel: an RPC call opens an upload or download and
 * answers its id, then the bytes flow as one streamed HTTP body — PUT or GET /transfers/<id> on
 * the daemon's own socket or port (the protocol's TRANSFER_ROUTE) — with Node's backpressure and
 * no framing of ours around them.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { TRANSFER_ROUTE, type ParamsOf, type UploadResult } from '@pocketdock/protocol';
import { PocketDockError, SocketCommunicationError, errorFromWire, type WireError } from './errors.js';
import type { Transport } from './transport.js';

export interface Progress {
  /** Bytes moved so far (push and pull: bytes of the tar stream, or of the file when the daemon moves it itself). */
  bytes: number;
  /** Bytes to move in all, when known (an image export's is the daemon's estimate: `bytes` may pass it). */
  total?: number;
}

export interface TransferOptions {
  onProgress?: (progress: Progress) => void;
}

export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

const ignore = () => undefined;

/** Sends `source` through a new upload and waits until the daemon has written it all. */
export async function upload(
  transport: Transport,
  start: ParamsOf<'file.uploadStart'>,
  source: ByteChunks,
  opts: TransferOptions = {},
): Promise<void> {
  const { uploadId } = await transport.call('file.uploadStart', start);
  await putTransfer(transport, uploadId, source, opts, start.size);
}

/**
 * Streams `source` as the body of the open upload `id` (file.uploadStart, image.importStart);
 * resolves to what the daemon answers once it has taken everything.
 */
export function putTransfer<T>(
  transport: Transport,
  id: string,
  source: ByteChunks,
  opts: TransferOptions = {},
  total?: number,
): Promise<T> {
  const req = open(transport, id, 'PUT', total === undefined ? {} : { 'content-length': String(total) });
  return new Promise<T>((resolve, reject) => {
    let answered = false;
    let unreachable = false;
    req.once('response', (res) => {
      answered = true;
      // An early answer (an error) stops the sending.
      answer<T>(res, id)
        .then(resolve, reject)
        .finally(() => {
          if (!req.writableFinished) req.destroy();
        });
    });
    req.once('error', () => {
      unreachable = true;
    });
    pipeline(counted(Readable.from(source), opts, total), req).catch((err: Error) => {
      if (answered) return;
      transport.call('file.cancel', { transferId: id }).catch(ignore);
      reject(unreachable ? brokenOff(id, err) : err);
    });
  });
}

export interface Download {
  /** Length in bytes, when the daemon knows it (single files). */
  size: number | undefined;
  chunks: AsyncIterable<Buffer>;
}

/** Opens a download; its bytes arrive as `chunks` is read. */
export async function download(transport: Transport, start: ParamsOf<'file.downloadStart'>, opts: TransferOptions = {}): Promise<Download> {
  const { downloadId, size } = await transport.call('file.downloadStart', start);
  return { size, chunks: await getTransfer(transport, downloadId, size, opts) };
}

/** The bytes of the open download `id` (file.downloadStart, image.export), as a stream. */
export function getTransfer(
  transport: Transport,
  id: string,
  size: number | undefined,
  opts: TransferOptions = {},
): Promise<AsyncIterable<Buffer>> {
  const req = open(transport, id, 'GET', {});
  return new Promise<AsyncIterable<Buffer>>((resolve, reject) => {
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        answer<never>(res, id).catch(reject);
        return;
      }
      // Its errors are met by the reader's loop; a body nobody reads yet must not crash the process.
      res.on('error', ignore);
      resolve(bodyOf(res, id, opts, size));
    });
    req.once('error', (err) => {
      transport.call('file.cancel', { transferId: id }).catch(ignore);
      reject(brokenOff(id, err));
    });
    req.end();
  });
}

/**
 * Runs the local transfer `id` (opened with `local`: the daemon moves the bytes between the engine
 * and a file on this host itself); resolves to its result once it is over.
 */
export function runLocal(transport: Transport, id: string, opts: TransferOptions = {}, total?: number): Promise<UploadResult> {
  const req = open(transport, id, 'POST', {});
  const tell = (bytes: number) => opts.onProgress?.(total === undefined ? { bytes } : { bytes, total });
  return new Promise<UploadResult>((resolve, reject) => {
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        answer<never>(res, id).catch(reject);
        return;
      }
      outcome(res, id, tell).then(resolve, reject);
    });
    req.once('error', (err) => reject(brokenOff(id, err)));
    req.end();
  });
}

/** A local transfer's answer: progress lines, then its result or its error. */
async function outcome(res: IncomingMessage, id: string, tell: (bytes: number) => void): Promise<UploadResult> {
  try {
    for await (const text of createInterface({ input: res, crlfDelay: Infinity })) {
      const line = JSON.parse(text) as { bytes?: number; result?: UploadResult; error?: WireError };
      if (line.error) throw errorFromWire(line.error);
      if (line.result) {
        tell(line.result.bytes);
        return line.result;
      }
      tell(line.bytes!);
    }
  } catch (err) {
    if (err instanceof PocketDockError) throw err;
    throw brokenOff(id, err as Error);
  }
  throw brokenOff(id, new Error('the answer ended before the outcome'));
}

function open(transport: Transport, id: string, method: 'GET' | 'PUT' | 'POST', headers: Record<string, string>): ClientRequest {
  const { headers: auth, ...target } = transport.http;
  return request({ ...target, path: `${TRANSFER_ROUTE}${encodeURIComponent(id)}`, method, headers: { ...auth, ...headers } });
}

/** The daemon's answer: its JSON result, or its typed error. */
async function answer<T>(res: IncomingMessage, id: string): Promise<T> {
  let text = '';
  res.setEncoding('utf8');
  for await (const piece of res) text += piece as string;
  let body: { error?: WireError } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw brokenOff(id, new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
  }
  if (res.statusCode === 200) return body as T;
  throw body?.error ? errorFromWire(body.error) : brokenOff(id, new Error(`HTTP ${res.statusCode}`));
}

/**
 * A download's body as it is read, `onProgress` told of the bytes as they pass; a body that breaks
 * off fails typed. Read straight from the response: a stream of ours between them was one more hop
 * per chunk (write, transform, push, read) for every byte of a 200 MB file.
 */
async function* bodyOf(res: IncomingMessage, id: string, opts: TransferOptions, total: number | undefined): AsyncGenerator<Buffer> {
  const { onProgress } = opts;
  let bytes = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onProgress?.(total === undefined ? { bytes } : { bytes, total });
      yield chunk;
    }
  } catch (err) {
    throw brokenOff(id, err as Error);
  }
}

/** `stream`, with `onProgress` told of the bytes as they pass (beside the flow, not a stream hop). */
function counted<S extends Readable>(stream: S, opts: TransferOptions, total: number | undefined): S {
  const { onProgress } = opts;
  if (!onProgress) return stream;
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    onProgress(total === undefined ? { bytes } : { bytes, total });
  });
  return stream;
}

function brokenOff(id: string, err: Error): PocketDockError {
  const detail = `transfer ${id} broke off: ${err.message}`;
  return new SocketCommunicationError(detail, { detail });
}
