/**
 * Building profile images and moving them to and from archives on the caller's machine: the
 * archive streams through the daemon's transfer channel (as file push/pull do), never held whole.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type ImageBuildResult, type ImageProgress, type ImportResult, type ImportedImage } from '@pocketdock/protocol';
import { InvalidParams } from './errors.js';
import { getTransfer, putTransfer, type TransferOptions } from './transfer.js';
import type { Transport } from './transport.js';

export interface BuildImagesOptions {
  /** Profiles to build; all of them when absent. */
  profiles?: string[];
  /** Rebuild even images that match their profile's files. */
  force?: boolean;
  /** Each line of build output, with the Dockerfile step it belongs to. */
  onProgress?: (progress: ImageProgress) => void;
  /** Engine to build on instead of the daemon's default. */
  socketPath?: string;
}

export interface ImageArchiveOptions extends TransferOptions {
  /** Profiles whose images to export; every built one when absent. */
  profiles?: string[];
  socketPath?: string;
}

const GZIP_NAME = /\.(tar\.gz|tgz)$/;

export async function buildImages(transport: Transport, opts: BuildImagesOptions = {}): Promise<ImageBuildResult[]> {
  const { onProgress, ...params } = opts;
  const buildId = randomUUID();
  const stop =
    onProgress &&
    transport.on('image.progress', (p) => {
      if (p.buildId === buildId) onProgress(p);
    });
  try {
    return (await transport.call('image.build', { ...params, buildId })).images;
  } finally {
    stop?.();
  }
}

/** Writes the images to `path` (gzip-compressed when it ends in .tar.gz or .tgz); returns their tags. */
export async function exportImages(transport: Transport, path: string, opts: ImageArchiveOptions = {}): Promise<string[]> {
  const { onProgress, ...params } = opts;
  // Compressed here rather than by the daemon: progress then counts the bytes of the archive itself,
  // whose size the daemon can tell beforehand (about: its estimate may be passed).
  const { downloadId, tags, size } = await transport.call('image.export', params);
  // Written beside the target and renamed at the end: a failed export leaves no half archive.
  const partial = `${path}.${downloadId}.part`;
  try {
    const archive = await getTransfer(transport, downloadId, size, { onProgress });
    const file = createWriteStream(partial);
    await (GZIP_NAME.test(path) ? pipeline(archive, createGzip(), file) : pipeline(archive, file));
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return tags;
}

/** Loads the images of an archive written by exportImages and checks that each one runs. */
export async function importImages(
  transport: Transport,
  path: string,
  opts: Omit<ImageArchiveOptions, 'profiles'> = {},
): Promise<ImportedImage[]> {
  const size = await stat(path).then(
    (st) => (st.isFile() ? st.size : undefined),
    () => undefined,
  );
  if (size === undefined) {
    const detail = `must name a readable image archive (.tar or .tar.gz), not "${path}"`;
    throw new InvalidParams(`invalid params: path ${detail}`, { field: 'path', detail });
  }
  const { onProgress, ...params } = opts;
  const { uploadId } = await transport.call('image.importStart', params);
  return (await putTransfer<ImportResult>(transport, uploadId, createReadStream(path), { onProgress }, size)).images;
}
