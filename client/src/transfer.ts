/**
 * Moving bytes through the daemon's upload and download handles: content is cut into
 * FILE_CHUNK_BYTES chunks that travel raw as binary frame payloads, and up to TRANSFER_WINDOW
 * chunk calls are kept in flight so the link stays busy while neither side holds more than a
 * window of chunks.
 */
import { FILE_CHUNK_BYTES, TRANSFER_WINDOW, type ParamsOf } from '@pocketdock/protocol';
import type { Transport } from './transport.js';

export interface Progress {
  /** Bytes moved so far (for trees: bytes of the tar stream). */
  bytes: number;
  /** Bytes to move in all, when known. */
  total?: number;
}

export interface TransferOptions {
  onProgress?: (progress: Progress) => void;
}

const ignore = () => undefined;
const NO_BYTES = new Uint8Array(0);

export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Pieces of any size in, chunks of exactly `size` bytes out (the last one shorter). */
export async function* rechunk(source: ByteChunks, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (length + buf.length >= size) {
      const take = size - length;
      parts.push(buf.subarray(0, take));
      yield Buffer.concat(parts, size);
      buf = buf.subarray(take);
      parts = [];
      length = 0;
    }
    if (buf.length) {
      // The source may reuse its buffer after we return to it: keep a copy.
      parts.push(Buffer.from(buf));
      length += buf.length;
    }
  }
  if (length) yield Buffer.concat(parts, length);
}

function progress(opts: TransferOptions, bytes: number, total: number | undefined): void {
  opts.onProgress?.(total === undefined ? { bytes } : { bytes, total });
}

/** Sends `source` through a new upload and waits until the daemon has written it all. */
export async function upload(transport: Transport, start: ParamsOf<'file.uploadStart'>,
  source: ByteChunks, opts: TransferOptions = {}): Promise<void> {
  const { uploadId } = await transport.call('file.uploadStart', start);
  const sent = await sendChunks(transport, 'file.uploadChunk', uploadId, source, opts, start.size);
  try {
    const { bytes } = await transport.call('file.uploadEnd', { uploadId });
    if (sent === 0) progress(opts, bytes, start.size);
  } catch (err) {
    transport.call('file.cancel', { transferId: uploadId }).catch(ignore);
    throw err;
  }
}

/**
 * Sends `source` into the open upload `uploadId` with `method` (file.uploadChunk, image.importChunk);
 * returns how many chunks it sent. On failure the upload is cancelled.
 */
export async function sendChunks(transport: Transport, method: 'file.uploadChunk' | 'image.importChunk', uploadId: string,
  source: ByteChunks, opts: TransferOptions = {}, total?: number): Promise<number> {
  const inFlight = new Set<Promise<unknown>>();
  let seq = 0;
  let acked = 0;
  try {
    for await (const chunk of rechunk(source, FILE_CHUNK_BYTES)) {
      const call = transport.callWithPayload(method, { uploadId, seq: seq++ }, chunk)
        .then(({ result }) => { acked = Math.max(acked, result.bytes); progress(opts, acked, total); });
      call.catch(ignore); // a failure is raised by the race or the final wait below
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call)).catch(ignore);
      if (inFlight.size >= TRANSFER_WINDOW) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return seq;
  } catch (err) {
    transport.call('file.cancel', { transferId: uploadId }).catch(ignore);
    throw err;
  }
}

export interface Download {
  /** Length in bytes, when the daemon knows it (single files). */
  size: number | undefined;
  chunks: AsyncGenerator<Buffer>;
}

/** Opens a download; its chunks arrive in order as they are iterated. */
export async function download(transport: Transport, start: ParamsOf<'file.downloadStart'>,
  opts: TransferOptions = {}): Promise<Download> {
  const { downloadId, size } = await transport.call('file.downloadStart', start);
  return { size, chunks: receiveChunks(transport, downloadId, size, opts) };
}

/** The chunks of the open download `downloadId` (file.downloadStart, image.export), in order as they are iterated. */
export function receiveChunks(transport: Transport, downloadId: string, size: number | undefined,
  opts: TransferOptions = {}): AsyncGenerator<Buffer> {
  // A file of known size needs floor(size / chunk) + 1 calls: the last one reports the end.
  const needed = size === undefined ? Infinity : Math.floor(size / FILE_CHUNK_BYTES) + 1;
  async function* chunks(): AsyncGenerator<Buffer> {
    const queue: Array<Promise<{ data: Uint8Array; done: boolean }>> = [];
    let seq = 0;
    let bytes = 0;
    let done = false;
    const request = () => {
      // An empty payload makes it a binary frame, so the chunk comes back raw.
      const call = transport.callWithPayload('file.downloadChunk', { downloadId, seq: seq++ }, NO_BYTES)
        .then(({ result, payload }) => ({ data: payload ?? Buffer.from(result.data ?? '', 'base64'), done: result.done }));
      call.catch(ignore); // raised when its turn comes
      queue.push(call);
    };
    try {
      while (seq < Math.min(TRANSFER_WINDOW, needed)) request();
      while (!done) {
        const next = await queue.shift()!;
        done = next.done;
        if (!done && (seq < needed || queue.length === 0)) request();
        bytes += next.data.length;
        progress(opts, bytes, size);
        if (next.data.length) yield Buffer.from(next.data.buffer, next.data.byteOffset, next.data.byteLength);
      }
    } finally {
      if (!done) transport.call('file.cancel', { transferId: downloadId }).catch(ignore);
    }
  }
  return chunks();
}
