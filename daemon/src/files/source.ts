/**
 * Where downloads read from: the engine's tar of a path, or the bytes of one regular file taken
 * out of it (symlinks followed, as reading a path in the container would).
 */
import { posix } from 'node:path';
import type { Extract } from 'tar-stream';
import { tar } from '../cjs.js';
import { mapEngineError, type Engine } from '../engine/index.js';
import { fileError } from '../errors.js';
import type { Outbound } from './transfers.js';

/** As many links as Linux follows in one path walk (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

/** The engine stream's chunks, with a failure midway (the engine hung up) turned into a typed error. */
async function* typed(chunks: AsyncIterable<Buffer>, engine: Engine, containerId: string, path: string): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (err) {
    throw mapEngineError(err, { socketPath: engine.socketPath, containerId, path });
  }
}

/**
 * `source` holding at most `maxBytes`: refused at once when its size says more, otherwise broken
 * off (a FileError midway, which cuts the body short) once it passes them.
 */
export function capped(source: Outbound, maxBytes: number, containerId: string, path: string): Outbound {
  const tooLarge = (what: string) => fileError(containerId, path, `${what} than the ${maxBytes} bytes the download may carry (maxBytes)`);
  if (source.size !== undefined && source.size > maxBytes) {
    source.close();
    throw tooLarge(`is ${source.size} bytes, more`);
  }
  async function* counted(): AsyncGenerator<Buffer> {
    let sent = 0;
    for await (const chunk of source.chunks) {
      sent += chunk.length;
      if (sent > maxBytes) throw tooLarge('is more');
      yield chunk;
    }
  }
  return { chunks: counted(), size: source.size, close: source.close };
}

export async function openTar(engine: Engine, containerId: string, path: string): Promise<Outbound> {
  const archive = await engine.getArchive(containerId, path);
  return { chunks: typed(archive, engine, containerId, path), size: undefined, close: () => archive.destroy() };
}

export async function openFile(engine: Engine, containerId: string, path: string): Promise<Outbound> {
  let current = path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const archive = await engine.getArchive(containerId, current);
    const extract = tar.extract();
    archive.once('error', (err) => extract.destroy(err));
    archive.pipe(extract);
    const close = () => {
      archive.destroy();
      extract.destroy();
    };
    let first: IteratorResult<Extract extends AsyncIterable<infer E> ? E : never>;
    try {
      first = await extract[Symbol.asyncIterator]().next();
    } catch (err) {
      close();
      throw err;
    }
    const entry = first.done ? undefined : first.value;
    const header = entry?.header;
    if (entry && (header?.type === 'file' || header?.type === 'contiguous-file')) {
      return { chunks: typed(entry as AsyncIterable<Buffer>, engine, containerId, path), size: header.size, close };
    }
    close();
    if (header?.type === 'symlink' && header.linkname) {
      current = posix.resolve(posix.dirname(current), header.linkname);
      continue;
    }
    throw fileError(
      containerId,
      path,
      header?.type === 'directory' ? 'is a directory' : `is not a regular file (${header?.type ?? 'empty archive'})`,
    );
  }
  throw fileError(containerId, path, 'too many levels of symbolic links');
}

/** The whole content of a small file, e.g. /etc/passwd. */
export async function readSmallFile(engine: Engine, containerId: string, path: string): Promise<Buffer> {
  const source = await openFile(engine, containerId, path);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of source.chunks) parts.push(chunk);
  } finally {
    source.close();
  }
  return Buffer.concat(parts);
}
