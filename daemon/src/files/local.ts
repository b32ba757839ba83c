/**
 * Transfers the daemon runs itself between the engine and a file on its own host, for callers on
 * its Unix socket that share its file system (push and pull of a file): the bytes make no hop
 * through the caller, as they make none when a program calls the engine directly. The caller names
 * the file with the device and inode it sees; the daemon opens the path (never through a symlink,
 * never waiting on a fifo) and goes on only when the file it holds is that one, so that a caller
 * that sees another file system (another mount namespace) moves the bytes itself instead. A Unix
 * socket caller is trusted with the host as its owner (docs/security.md): it names nothing it could
 * not mount into a sandbox anyway.
 */
import { constants, type BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HostFile, UploadResult } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import type { Local, Outbound } from './transfers.js';
import type { Upload } from './upload.js';

/** Bytes per read of a file pushed: fewer, larger chunks on their way to the engine. */
const READ_BYTES = 1024 * 1024;

export interface OpenedHostFile {
  handle: FileHandle;
  stats: BigIntStats;
}

/** `file` opened with `flags` when it is the regular file the caller means; else undefined (and nothing held). */
export async function openHostFile(file: HostFile, flags: number): Promise<OpenedHostFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file.path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const stats = await handle.stat({ bigint: true }).catch(() => undefined);
  if (stats?.isFile() && String(stats.dev) === file.dev && String(stats.ino) === file.ino) return { handle, stats };
  await handle.close().catch(() => undefined);
  return undefined;
}

/** A host file read into an upload (kind "file", whose size is the file's). */
export function localUpload(file: OpenedHostFile, upload: Upload): Local {
  const size = Number(file.stats.size);
  let body: Readable | undefined;
  return {
    run: (progress, signal) => {
      const from = (body =
        size === 0 ? Readable.from([]) : file.handle.createReadStream({ start: 0, end: size - 1, highWaterMark: READ_BYTES, signal }));
      let read = 0;
      from.on('data', (chunk: Buffer) => progress((read += chunk.length)));
      return hostFileFaults(from, 'read', () => upload.receive(from));
    },
    close: () => closeAfter(body, file.handle),
  };
}

/** A download's bytes written into a host file, from its first byte. */
export function localDownload(file: OpenedHostFile, source: Outbound): Local {
  let sink: Writable | undefined;
  return {
    run: async (progress, signal): Promise<UploadResult> => {
      await file.handle.truncate(0).catch((err: NodeJS.ErrnoException) => {
        throw hostFileFault(err, 'written');
      });
      const into = (sink = file.handle.createWriteStream({ start: 0 }));
      let bytes = 0;
      source.chunks.on('data', (chunk: Buffer) => progress((bytes += chunk.length)));
      await hostFileFaults(into, 'written', () => pipeline(source.chunks, into, { signal }));
      return { bytes };
    },
    close: () => {
      source.close();
      closeAfter(sink, file.handle);
    },
  };
}

/**
 * Stops `stream`, a stream of `handle`'s, and closes `handle` once the stream has closed (after its
 * read or write in flight). The streams are the handle's own, not streams on its raw descriptor: an
 * fs stream on a raw descriptor closes it when destroyed (autoClose or not), and the handle closed
 * the same number again, by then maybe another file's or socket's (an engine going away midway
 * destroys the stream); a handle's own stream closes the handle, and closing a handle twice is nothing.
 */
export function closeAfter(stream: Readable | Writable | undefined, handle: FileHandle): void {
  const close = () => void handle.close().catch(() => undefined);
  if (!stream || stream.closed) return close();
  stream.once('close', close);
  stream.destroy();
}

/**
 * Runs `transfer`; a failure of the host file's own stream (a /proc file that takes no positioned
 * write, a full disk, an I/O error) is the caller's to see, typed, not a fault of the daemon's.
 */
async function hostFileFaults<T>(stream: NodeJS.EventEmitter, verb: string, transfer: () => Promise<T>): Promise<T> {
  let failed: NodeJS.ErrnoException | undefined;
  stream.once('error', (err: NodeJS.ErrnoException) => (failed = err));
  try {
    return await transfer();
  } catch (err) {
    throw failed && err === failed ? hostFileFault(failed, verb) : err;
  }
}

function hostFileFault(err: NodeJS.ErrnoException, verb: string): Error {
  return invalidParams('local', `cannot be ${verb}: ${err.code ?? err.message}`);
}
